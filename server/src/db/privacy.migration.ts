/**
 * The Personal Data Protection Law (91/2025/QH15): erased patients kept as tombstones (their
 * visits, consents and the audit of who read them stay linked), a breach log, and an index to find
 * a patient's entries in the audit log for a data-subject export.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const privacyMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('patients').addColumn('erased_at', 'text').execute();
    await db.schema
      .createTable('breaches')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('discovered_at', 'text', (c) => c.notNull())
      .addColumn('occurred_at', 'text')
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('data_kinds', 'text', (c) => c.notNull())
      .addColumn('subjects_estimate', 'integer')
      .addColumn('measures', 'text')
      .addColumn('recorded_by', 'text', (c) => c.notNull())
      .addColumn('recorded_at', 'text', (c) => c.notNull())
      .addColumn('notified_at', 'text')
      .addColumn('notification_ref', 'text')
      .addColumn('closed_at', 'text')
      .execute();
    await db.schema.createIndex('breaches_discovered_idx').on('breaches').column('discovered_at').execute();
    await db.schema.createIndex('audit_log_target_idx').on('audit_log').column('target').execute();
  },
};

/**
 * Keyed hashes beside the ID numbers (column encryption): matching and uniqueness move to them.
 * Rows stored before hold their plain number there, as the repositories write it with encryption
 * off; turning encryption on and rotating (server/src/rotate-keys.ts) replaces both.
 */
export const columnEncryptionMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('patients').addColumn('id_number_hmac', 'text').execute();
    await db.schema.alterTable('patients').addColumn('insurance_number_hmac', 'text').execute();
    await sql`update patients set id_number_hmac = id_number, insurance_number_hmac = insurance_number`.execute(db);
    await db.schema
      .createIndex('patients_id_number_hmac_unique')
      .on('patients')
      .column('id_number_hmac')
      .unique()
      .execute();
    await db.schema.createIndex('patients_insurance_hmac_idx').on('patients').column('insurance_number_hmac').execute();
  },
};
