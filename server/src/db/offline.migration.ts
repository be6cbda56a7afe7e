/**
 * Offline check-in: the blocks of each day's number series granted to kiosks in advance, and each
 * kiosk's journal backlog as its heartbeat last told it.
 */
import type { Kysely, Migration } from 'kysely';

export const offlineLeasesMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('offline_leases')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('service_id', 'text', (c) => c.notNull())
      .addColumn('day', 'text', (c) => c.notNull())
      .addColumn('first_seq', 'integer', (c) => c.notNull())
      .addColumn('last_seq', 'integer', (c) => c.notNull())
      .addColumn('granted_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('offline_leases_agent_idx')
      .on('offline_leases')
      .columns(['agent_id', 'day', 'service_id'])
      .execute();
    await db.schema
      .createTable('agent_offline_backlog')
      .addColumn('agent_id', 'text', (c) => c.primaryKey())
      .addColumn('backlog', 'integer', (c) => c.notNull())
      .addColumn('oldest_at', 'text')
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
  },
};
