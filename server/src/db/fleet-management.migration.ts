/**
 * Kiosks managed remotely: configuration revisions per kiosk with the kiosk's acknowledgement,
 * kiosk sites, signed agent bundles, and staged rollouts with each chosen kiosk's state. No
 * personal data in any of them.
 */
import type { Kysely, Migration } from 'kysely';

export const fleetManagementMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('agent_configs')
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('revision', 'integer', (c) => c.notNull())
      .addColumn('config_json', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('report_json', 'text')
      .addColumn('acknowledged_at', 'text')
      .addPrimaryKeyConstraint('agent_configs_pk', ['agent_id', 'revision'])
      .execute();
    await db.schema
      .createTable('agent_sites')
      .addColumn('agent_id', 'text', (c) => c.primaryKey())
      .addColumn('site', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('agent_bundles')
      .addColumn('version', 'text', (c) => c.primaryKey())
      .addColumn('manifest', 'text', (c) => c.notNull())
      .addColumn('signature', 'text', (c) => c.notNull())
      .addColumn('sha256', 'text', (c) => c.notNull())
      .addColumn('size_bytes', 'integer', (c) => c.notNull())
      .addColumn('tarball_base64', 'text', (c) => c.notNull())
      .addColumn('uploaded_at', 'text', (c) => c.notNull())
      .addColumn('uploaded_by', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('rollouts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('percent', 'integer')
      .addColumn('sites_json', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('rollout_targets')
      .addColumn('rollout_id', 'text', (c) => c.notNull())
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('rollout_targets_pk', ['rollout_id', 'agent_id'])
      .execute();
    await db.schema.createIndex('rollout_targets_agent_idx').on('rollout_targets').column('agent_id').execute();
  },
};
