/**
 * The outbox serves two destinations (the EMR, the social-insurance data portal), each worker
 * claiming its own kinds: due rows are found by kind. Booked patients are called by booked time:
 * the queue finds a waiting ticket's arrived appointment by its visit.
 */
import type { Kysely, Migration } from 'kysely';

export const portalDeliveryMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createIndex('emr_outbox_kind_due_idx')
      .on('emr_outbox')
      .columns(['kind', 'status', 'next_attempt_at'])
      .execute();
    await db.schema.createIndex('appointments_visit_idx').on('appointments').column('visit_id').execute();
  },
};
