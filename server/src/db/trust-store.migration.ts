/**
 * The CSCA trust store managed from the admin page: imported files (ICAO master lists, CSCA
 * certificates, CRLs) kept as base64 DER with what the admin list shows, and what each kiosk agent
 * reported it applied of the pushed set.
 */
import type { Kysely, Migration } from 'kysely';

export const trustStoreMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('trust_files')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      /** 'master-list' | 'certificate' | 'crl' */
      .addColumn('kind', 'text', (c) => c.notNull())
      /** SHA-256 of the file as uploaded: the same file twice is refused. */
      .addColumn('sha256', 'text', (c) => c.notNull().unique())
      /** The file as uploaded, base64. */
      .addColumn('content', 'text', (c) => c.notNull())
      /** JSON: { anchors: base64 DER[], crls: base64 DER[] } pushed to agents. */
      .addColumn('trust_json', 'text', (c) => c.notNull())
      /** JSON: the admin list's summary (counts, countries, validity, signer). */
      .addColumn('summary_json', 'text', (c) => c.notNull())
      .addColumn('uploaded_by', 'text', (c) => c.notNull())
      .addColumn('uploaded_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('agent_trust_states')
      .addColumn('agent_id', 'text', (c) => c.primaryKey())
      .addColumn('revision', 'text', (c) => c.notNull())
      .addColumn('anchors', 'integer', (c) => c.notNull())
      .addColumn('crls', 'integer', (c) => c.notNull())
      .addColumn('local_anchors', 'integer', (c) => c.notNull())
      .addColumn('reported_at', 'text', (c) => c.notNull())
      .execute();
  },
};
