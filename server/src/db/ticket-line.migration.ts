/**
 * Indexes for what every check-in asks of its service's line:
 * - the waiting tickets counted per priority, and how many came before the new one (the people
 *   ahead printed on the ticket): the queue index also holds priority and seq, so the count
 *   reads the index alone, never the rows;
 * - the service's most recently completed tickets (its pace when no call was made in the last
 *   hour): read newest first from an index instead of sorting every ticket of the service.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const ticketLineMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`drop index if exists tickets_queue_idx`.execute(db);
    await sql`create index tickets_queue_idx on tickets (service_id, day, status, priority, seq)`.execute(db);
    await sql`create index tickets_done_idx on tickets (service_id, status, completed_at)`.execute(db);
  },
};
