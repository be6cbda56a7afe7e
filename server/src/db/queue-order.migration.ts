/**
 * The waiting line read in its call order: `tickets_queue_idx` gains the order itself (issue time,
 * then number), so the head of a service's line (the first normal ticket, the first priority one)
 * is found by walking the index from its start and stopping at the first match, rather than by
 * sorting every waiting ticket of the service on each call. The index keeps its name and its
 * leading columns, so every query that used it still does. On PostgreSQL the partitioned parent's
 * index is dropped and made again, and with it each day partition's.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const queueOrderMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`drop index if exists tickets_queue_idx`.execute(db);
    await sql`create index tickets_queue_idx on tickets (service_id, day, status, issued_at, seq)`.execute(db);
  },
};
