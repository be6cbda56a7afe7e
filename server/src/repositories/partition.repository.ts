/**
 * PostgreSQL's day partitions of `tickets` (facility day) and `ticket_events` (UTC day of their
 * time), made by db/partitions.migration.ts: the coming days' partitions are made ahead, and
 * retention drops a past day's partitions whole. Several instances may run this at once: making
 * partitions is serialised by an advisory lock, and a day is folded and dropped by the instance
 * that holds that day's lock (a day already gone is skipped). On SQLite nothing is partitioned and
 * every method here is a no-op.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { TicketTable } from '../db/schema';
import { createDayPartitions, partitionNames } from '../db/partitions.migration';
import type { Executor } from './executor';

/** Advisory lock keys (first half): making partitions, and folding one day. */
const LOCK_MAKE = 7_501;
const LOCK_DAY = 7_502;
const DAY = /^\d{4}-\d{2}-\d{2}$/u;
const dayNumber = (day: string) => Number(day.replaceAll('-', ''));

export class PartitionRepository {
  constructor(private readonly db: Db) {}

  get partitioned(): boolean {
    return this.db.dialect === 'postgres';
  }

  /**
   * Inside a unit of work: makes the partitions of `days` that do not exist yet (one instance at a
   * time). Returns the days it could not make (rows of that day already in the default partition,
   * or a lock not granted in time); the others are made all the same.
   */
  async ensureDays(trx: Executor, days: readonly string[]): Promise<string[]> {
    if (!this.partitioned) return [];
    await sql`select pg_advisory_xact_lock(${LOCK_MAKE}, 0)`.execute(trx);
    // Attaching a partition locks the parent table: queued behind a long query it would hold up
    // every check-in queued behind it. Better to give up and try again in an hour (a week ahead).
    await sql`set local lock_timeout = '2s'`.execute(trx);
    const failed: string[] = [];
    for (const day of days) {
      if (!DAY.test(day)) continue;
      await sql`savepoint partition_day`.execute(trx);
      try {
        await createDayPartitions(trx, day);
        await sql`release savepoint partition_day`.execute(trx);
      } catch {
        await sql`rollback to savepoint partition_day`.execute(trx);
        failed.push(day);
      }
    }
    return failed;
  }

  /** Whether any ticket sits in the default partition (its day had no partition when it was issued). */
  async defaultUsed(): Promise<boolean> {
    if (!this.partitioned) return false;
    const { rows } = await sql<{ used: boolean }>`select exists (select 1 from tickets_default) as used`.execute(
      this.db.kysely,
    );
    return rows[0]?.used === true;
  }

  /** Days with a partition of `tickets` (or of `ticket_events`), oldest first. */
  async days(of: 'tickets' | 'ticket_events'): Promise<string[]> {
    if (!this.partitioned) return [];
    const { rows } = await sql<{ name: string }>`select c.relname as name from pg_inherits i
      join pg_class c on c.oid = i.inhrelid join pg_class p on p.oid = i.inhparent
      where p.relname = ${of}`.execute(this.db.kysely);
    const pattern = new RegExp(`^${of}_p(\\d{4})(\\d{2})(\\d{2})$`, 'u');
    return rows
      .flatMap((r) => {
        const m = pattern.exec(r.name);
        return m ? [`${m[1]}-${m[2]}-${m[3]}`] : [];
      })
      .sort();
  }

  /**
   * Inside a unit of work: takes the day's lock if no other instance holds it, and says whether
   * the day's ticket partition is still there to fold and drop.
   */
  async claimDay(trx: Executor, day: string): Promise<boolean> {
    if (!DAY.test(day)) return false;
    const { rows } = await sql<{ claimed: boolean; present: boolean }>`select
      pg_try_advisory_xact_lock(${LOCK_DAY}, ${dayNumber(day)}) as claimed,
      to_regclass(${partitionNames(day).tickets}) is not null as present`.execute(trx);
    return rows[0]?.claimed === true && rows[0]?.present === true;
  }

  /** A day's tickets, from its partition. */
  async ticketsOfDay(trx: Executor, day: string): Promise<TicketTable[]> {
    return trx.selectFrom('tickets').selectAll().where('day', '=', day).execute();
  }

  /** Ids of a day's tickets that have a 'print-failed' event. */
  async printFailedOfDay(trx: Executor, day: string): Promise<Set<string>> {
    const rows = await trx
      .selectFrom('ticket_events')
      .select('ticket_id')
      .distinct()
      .where('type', '=', 'print-failed')
      .where('ticket_id', 'in', trx.selectFrom('tickets').select('tickets.id').where('tickets.day', '=', day))
      .execute();
    return new Set(rows.map((r) => r.ticket_id));
  }

  /** Drops a day's ticket partition (the caller folded it first); gives up after 2 s waiting for its lock. */
  async dropTicketDay(trx: Executor, day: string): Promise<void> {
    if (!DAY.test(day)) return;
    await sql`set local lock_timeout = '2s'`.execute(trx);
    await sql`drop table if exists ${sql.table(partitionNames(day).tickets)}`.execute(trx);
  }

  /** Inside a unit of work: drops a day's event partition; gives up after 2 s waiting for its lock. */
  async dropEventDay(trx: Executor, day: string): Promise<void> {
    if (!DAY.test(day) || !this.partitioned) return;
    await sql`set local lock_timeout = '2s'`.execute(trx);
    await sql`drop table if exists ${sql.table(partitionNames(day).events)}`.execute(trx);
  }
}
