/**
 * Identity the server can trust: each visit records how its identity was attested (the agent's
 * chip read and its passive authentication, or a claim), and a check-in whose ID number matches a
 * patient stored with another name or date of birth is kept as a conflict for staff review instead
 * of merging the two. The versions' names are sealed (column-cipher.ts).
 */
import type { Kysely, Migration } from 'kysely';

export const identityConflictsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    // 'verified' | 'no-trust-anchor' | 'failed' | 'unavailable' | 'not-checked' for a chip the agent
    // read; 'claimed' for a QR or manual identity; 'unattested' for a chip claim no agent vouched for.
    await db.schema.alterTable('visits').addColumn('identity_check', 'text').execute();
    await db.schema
      .createTable('identity_conflicts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('patient_id', 'text', (c) => c.notNull())
      .addColumn('visit_id', 'text', (c) => c.notNull())
      .addColumn('agent_id', 'text')
      .addColumn('identity_source', 'text', (c) => c.notNull())
      .addColumn('identity_check', 'text', (c) => c.notNull())
      /** JSON array: 'full-name', 'date-of-birth'. */
      .addColumn('fields', 'text', (c) => c.notNull())
      .addColumn('stored_full_name', 'text', (c) => c.notNull())
      .addColumn('stored_date_of_birth', 'text', (c) => c.notNull())
      .addColumn('incoming_full_name', 'text', (c) => c.notNull())
      .addColumn('incoming_date_of_birth', 'text', (c) => c.notNull())
      .addColumn('incoming_sex', 'text')
      .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('resolved_by', 'text')
      .addColumn('resolved_at', 'text')
      .execute();
    await db.schema
      .createIndex('identity_conflicts_status_idx')
      .on('identity_conflicts')
      .columns(['status', 'created_at'])
      .execute();
    await db.schema
      .createIndex('identity_conflicts_patient_idx')
      .on('identity_conflicts')
      .column('patient_id')
      .execute();
  },
};
