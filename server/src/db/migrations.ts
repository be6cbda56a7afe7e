/** One set of migrations for SQLite and PostgreSQL, written with Kysely's portable schema builder. */
import { sql, type ColumnDefinitionBuilder, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { integrationsMigration } from './integration.migration';
import { partitionByDayMigration } from './partitions.migration';
import { appointmentsPaymentsMigration } from './payments.migration';
import { portalDeliveryMigration } from './portal.migration';
import { ticketStatusNotificationsMigration } from './ticket-status.migration';
import { offlineLeasesMigration } from './offline.migration';
import { columnEncryptionMigration, privacyMigration } from './privacy.migration';
import { fleetManagementMigration } from './fleet-management.migration';
import { identityConflictsMigration } from './identity.migration';
import { trustStoreMigration } from './trust-store.migration';
import { kioskBrandingMigration } from './kiosk-branding.migration';
import { cardPaymentsMigration } from './card-transactions.migration';
import { queueOrderMigration } from './queue-order.migration';
import { identityGuardMigration } from './identity-guard.migration';
import { ticketLineMigration } from './ticket-line.migration';
import { paymentInvoicesMigration } from './einvoice.migration';

import type { DialectName } from './dialect';

export type { DialectName };

/** The one place the dialects differ: an auto-incrementing integer key. */
const autoId = (dialect: DialectName) => (c: ColumnDefinitionBuilder) =>
  dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey().generatedByDefaultAsIdentity();

const m001 = (dialect: DialectName): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('departments')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name_vi', 'text', (c) => c.notNull())
      .addColumn('name_en', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('services')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('department_id', 'text', (c) => c.notNull().references('departments.id'))
      .addColumn('prefix', 'text', (c) => c.notNull())
      .addColumn('name_vi', 'text', (c) => c.notNull())
      .addColumn('name_en', 'text', (c) => c.notNull())
      .addColumn('room', 'text', (c) => c.notNull())
      .addColumn('floor', 'integer', (c) => c.notNull())
      .addColumn('sort', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
    await db.schema
      .createTable('patients')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('id_number', 'text', (c) => c.unique())
      .addColumn('old_id_number', 'text')
      .addColumn('insurance_number', 'text')
      .addColumn('full_name', 'text', (c) => c.notNull())
      .addColumn('date_of_birth', 'text', (c) => c.notNull())
      .addColumn('sex', 'text')
      .addColumn('address', 'text')
      .addColumn('needs_review', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('patients_insurance_idx').on('patients').column('insurance_number').execute();
    await db.schema
      .createTable('visits')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('check_in_id', 'text', (c) => c.notNull().unique())
      .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
      .addColumn('service_id', 'text', (c) => c.notNull().references('services.id'))
      .addColumn('agent_id', 'text')
      .addColumn('identity_source', 'text', (c) => c.notNull())
      .addColumn('service_type', 'text', (c) => c.notNull())
      .addColumn('priority', 'text', (c) => c.notNull())
      .addColumn('priority_claims', 'text', (c) => c.notNull())
      .addColumn('receipt_json', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('ticket_series')
      .addColumn('service_id', 'text', (c) => c.notNull())
      .addColumn('day', 'text', (c) => c.notNull())
      .addColumn('last_seq', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('ticket_series_pk', ['service_id', 'day'])
      .execute();
    await db.schema
      .createTable('queue_state')
      .addColumn('service_id', 'text', (c) => c.notNull())
      .addColumn('day', 'text', (c) => c.notNull())
      .addColumn('priority_streak', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('queue_state_pk', ['service_id', 'day'])
      .execute();
    await db.schema
      .createTable('tickets')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('visit_id', 'text', (c) => c.notNull().references('visits.id'))
      .addColumn('service_id', 'text', (c) => c.notNull().references('services.id'))
      .addColumn('day', 'text', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('number', 'text', (c) => c.notNull())
      .addColumn('priority', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('print_status', 'text', (c) => c.notNull())
      .addColumn('lookup_code', 'text', (c) => c.notNull().unique())
      .addColumn('issued_at', 'text', (c) => c.notNull())
      .addColumn('called_at', 'text')
      .addColumn('counter', 'text')
      .addColumn('skip_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addUniqueConstraint('tickets_series_unique', ['service_id', 'day', 'seq'])
      .execute();
    await db.schema.createIndex('tickets_queue_idx').on('tickets').columns(['service_id', 'day', 'status']).execute();
    await db.schema
      .createTable('ticket_events')
      .addColumn('id', 'integer', autoId(dialect))
      .addColumn('ticket_id', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('actor', 'text')
      .addColumn('detail', 'text')
      .execute();
    await db.schema
      .createTable('agents')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('credential_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .addColumn('last_seen_at', 'text')
      .addColumn('software_version', 'text')
      .addColumn('health_json', 'text')
      .execute();
    await db.schema
      .createTable('pairing_codes')
      .addColumn('code_hash', 'text', (c) => c.primaryKey())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('used_at', 'text')
      .addColumn('created_by', 'text')
      .execute();
    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('username', 'text', (c) => c.notNull().unique())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('sessions')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('audit_log')
      .addColumn('id', 'integer', autoId(dialect))
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target', 'text')
      .execute();
  },
});

/** Queue transitions: completion time, transfer links, and look-ups by visit and by ticket. */
const m002: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('tickets').addColumn('completed_at', 'text').execute();
    await db.schema.alterTable('tickets').addColumn('transferred_from', 'text').execute();
    await db.schema.alterTable('tickets').addColumn('transferred_to', 'text').execute();
    await db.schema.createIndex('tickets_visit_idx').on('tickets').column('visit_id').execute();
    await db.schema.createIndex('ticket_events_ticket_idx').on('ticket_events').column('ticket_id').execute();
    await db.schema
      .createIndex('tickets_called_idx')
      .on('tickets')
      .columns(['service_id', 'day', 'called_at'])
      .execute();
  },
};

/** Facility administration, consent events, retention with daily KPI aggregates, disabled users. */
const m003 = (dialect: DialectName): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('opening_hours')
      .addColumn('service_id', 'text', (c) => c.notNull().references('services.id'))
      .addColumn('weekday', 'integer', (c) => c.notNull())
      .addColumn('opens', 'text', (c) => c.notNull())
      .addColumn('closes', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('opening_hours_pk', ['service_id', 'weekday', 'opens'])
      .execute();
    await db.schema.alterTable('users').addColumn('disabled_at', 'text').execute();
    await db.schema
      .createTable('consent_events')
      .addColumn('id', 'integer', autoId(dialect))
      .addColumn('patient_id', 'text', (c) => c.notNull())
      .addColumn('visit_id', 'text')
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('purpose', 'text', (c) => c.notNull())
      .addColumn('notice_version', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('actor', 'text')
      .execute();
    await db.schema.createIndex('consent_events_patient_idx').on('consent_events').column('patient_id').execute();
    await db.schema
      .createTable('settings')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('kpi_daily')
      .addColumn('day', 'text', (c) => c.notNull())
      .addColumn('service_id', 'text', (c) => c.notNull())
      .addColumn('tickets', 'integer', (c) => c.notNull())
      .addColumn('called', 'integer', (c) => c.notNull())
      .addColumn('completed', 'integer', (c) => c.notNull())
      .addColumn('no_shows', 'integer', (c) => c.notNull())
      .addColumn('transferred', 'integer', (c) => c.notNull())
      .addColumn('printed', 'integer', (c) => c.notNull())
      .addColumn('print_failed', 'integer', (c) => c.notNull())
      .addColumn('wait_ms_total', 'bigint', (c) => c.notNull())
      .addColumn('wait_count', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('kpi_daily_pk', ['day', 'service_id'])
      .execute();
    await db.schema.createIndex('visits_created_idx').on('visits').column('created_at').execute();
    await db.schema.createIndex('audit_log_at_idx').on('audit_log').column('at').execute();
  },
});

/** Fleet alerts: at most one open alert per kind, subject and device. */
const m004: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('alerts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('since', 'text', (c) => c.notNull())
      .addColumn('resolved_at', 'text')
      .addColumn('detail', 'text')
      .execute();
    await db.schema
      .createIndex('alerts_open_unique')
      .on('alerts')
      .columns(['kind', 'subject', 'device_id'])
      .unique()
      .where(sql.ref('resolved_at'), 'is', null)
      .execute();
    await db.schema.createIndex('alerts_since_idx').on('alerts').column('since').execute();
  },
};

/** PostgreSQL only: where @socket.io/postgres-adapter keeps payloads too large for NOTIFY. */
const m005 = (dialect: DialectName): Migration => ({
  async up(db: Kysely<unknown>) {
    if (dialect !== 'postgres') return;
    await sql`create table if not exists socket_io_attachments (
      id bigserial unique,
      created_at timestamptz default now(),
      payload bytea
    )`.execute(db);
  },
});

/** Kiosk heartbeat history (bounded per kiosk) and paired waiting-room displays with their own codes. */
const m008 = (dialect: DialectName): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('agent_heartbeats')
      .addColumn('id', 'integer', autoId(dialect))
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('software_version', 'text', (c) => c.notNull())
      .addColumn('ready', 'integer', (c) => c.notNull())
      .addColumn('total', 'integer', (c) => c.notNull())
      .addColumn('problems', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('agent_heartbeats_agent_idx')
      .on('agent_heartbeats')
      .columns(['agent_id', 'id'])
      .execute();
    await db.schema
      .createTable('displays')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('credential_hash', 'text', (c) => c.notNull())
      .addColumn('service_ids', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .addColumn('last_seen_at', 'text')
      .execute();
    await db.schema
      .createTable('display_pairing_codes')
      .addColumn('code_hash', 'text', (c) => c.primaryKey())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('used_at', 'text')
      .addColumn('created_by', 'text')
      .execute();
  },
});

export const migrationsFor = (dialect: DialectName): Record<string, Migration> => ({
  '001-initial': m001(dialect),
  '002-queue-transitions': m002,
  '003-facility-consent-retention': m003(dialect),
  '004-fleet-alerts': m004,
  '005-realtime-fan-out': m005(dialect),
  '006-emr-outbox-insurance-checkin-record': integrationsMigration,
  '007-partition-tickets-by-day': partitionByDayMigration(dialect),
  '008-privacy-erasure-breach-log': privacyMigration,
  '009-column-encryption-hashes': columnEncryptionMigration,
  '010-heartbeat-history-displays': m008(dialect),
  '013-appointments-payments': appointmentsPaymentsMigration,
  '014-offline-leases': offlineLeasesMigration,
  '015-fleet-management': fleetManagementMigration,
  '016-portal-delivery': portalDeliveryMigration,
  '017-identity-conflicts': identityConflictsMigration,
  '018-ticket-status-notifications': ticketStatusNotificationsMigration,
  '019-trust-store': trustStoreMigration,
  '020-kiosk-branding': kioskBrandingMigration,
  '021-payment-einvoices': paymentInvoicesMigration(dialect),
  '022-card-transactions': cardPaymentsMigration,
  '023-ticket-line-counts': ticketLineMigration(dialect),
  '024-queue-call-order': queueOrderMigration,
  '025-identity-guard': identityGuardMigration(dialect),
});

export const migrationProvider = (dialect: DialectName): MigrationProvider => ({
  getMigrations: async () => migrationsFor(dialect),
});

/** Used by /readyz. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any schema will do for a ping
export async function ping(db: Kysely<any>): Promise<void> {
  await sql`select 1`.execute(db);
}
