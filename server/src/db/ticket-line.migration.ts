/**
 * What every check-in asks of its service's line, without reading the line:
 * - `queue_waiting`: a service's waiting tickets of a day counted per priority, kept by triggers
 *   on `tickets` (every insert, delete and change of status, priority, service or day), so the
 *   count is exact whichever statement moves a ticket, in the same transaction. A new ticket's
 *   people ahead then cost a read of a few counter rows, not a count of thousands of tickets.
 * - the service's most recently completed tickets (its pace when no call was made in the last
 *   hour): read newest first from an index instead of sorting every ticket of the service; the
 *   index holds completed tickets only, so no planner takes it for a waiting line.
 * A past day's counters stay, a row per service, day and priority, as its series and streak do.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectName } from './dialect';

export const ticketLineMigration = (dialect: DialectName): Migration => ({
  async up(db: Kysely<unknown>) {
    await sql`create table queue_waiting (
      service_id text not null,
      day text not null,
      priority text not null,
      waiting integer not null,
      primary key (service_id, day, priority)
    )`.execute(db);
    if (dialect === 'sqlite') {
      await sql`create trigger queue_waiting_insert after insert on tickets when new.status = 'waiting' begin
        insert into queue_waiting (service_id, day, priority, waiting) values (new.service_id, new.day, new.priority, 1)
          on conflict (service_id, day, priority) do update set waiting = waiting + 1;
      end`.execute(db);
      await sql`create trigger queue_waiting_delete after delete on tickets when old.status = 'waiting' begin
        update queue_waiting set waiting = waiting - 1
          where service_id = old.service_id and day = old.day and priority = old.priority;
      end`.execute(db);
      await sql`create trigger queue_waiting_update after update of status, priority, service_id, day on tickets
        when (old.status = 'waiting' or new.status = 'waiting')
          and (old.status is not new.status or old.priority is not new.priority
            or old.service_id is not new.service_id or old.day is not new.day) begin
        update queue_waiting set waiting = waiting - 1
          where old.status = 'waiting' and service_id = old.service_id and day = old.day and priority = old.priority;
        insert into queue_waiting (service_id, day, priority, waiting)
          select new.service_id, new.day, new.priority, 1 where new.status = 'waiting'
          on conflict (service_id, day, priority) do update set waiting = waiting + 1;
      end`.execute(db);
    } else {
      await sql`create function queue_waiting_count() returns trigger language plpgsql as $$
      begin
        if tg_op in ('UPDATE', 'DELETE') then
          if old.status = 'waiting' then
            update queue_waiting set waiting = waiting - 1
              where service_id = old.service_id and day = old.day and priority = old.priority;
          end if;
        end if;
        if tg_op in ('INSERT', 'UPDATE') then
          if new.status = 'waiting' then
            insert into queue_waiting (service_id, day, priority, waiting)
              values (new.service_id, new.day, new.priority, 1)
              on conflict (service_id, day, priority) do update set waiting = queue_waiting.waiting + 1;
          end if;
        end if;
        return null;
      end $$`.execute(db);
      await sql`create trigger queue_waiting_insert_delete after insert or delete on tickets
        for each row execute function queue_waiting_count()`.execute(db);
      await sql`create trigger queue_waiting_update after update of status, priority, service_id, day on tickets
        for each row when (old.status is distinct from new.status or old.priority is distinct from new.priority
          or old.service_id is distinct from new.service_id or old.day is distinct from new.day)
        execute function queue_waiting_count()`.execute(db);
    }
    await sql`insert into queue_waiting (service_id, day, priority, waiting)
      select service_id, day, priority, count(*) from tickets where status = 'waiting'
      group by service_id, day, priority`.execute(db);
    await sql`create index tickets_done_idx on tickets (service_id, completed_at) where status = 'completed'`.execute(
      db,
    );
  },
});
