/**
 * E-invoices of paid fees: an outbox row holds no patient (a fee is paid before its visit exists),
 * so `emr_outbox.patient_id` becomes nullable (SQLite rebuilds the table, with its indexes); the
 * invoice the provider issued (number, lookup code, lookup URL) is kept per payment.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectName } from './dialect';

export const paymentInvoicesMigration = (dialect: DialectName): Migration => ({
  async up(db: Kysely<unknown>) {
    if (dialect === 'postgres') {
      await sql`alter table emr_outbox alter column patient_id drop not null`.execute(db);
    } else {
      await sql`create table emr_outbox_rebuilt (
        id text primary key,
        kind text not null,
        visit_id text references visits(id) on delete cascade,
        patient_id text references patients(id) on delete cascade,
        patient_key text not null,
        control_id text not null unique,
        payload_json text not null,
        status text not null,
        attempts integer not null default 0,
        next_attempt_at text not null,
        lease_until text,
        claim_token text,
        route text,
        last_error_code text,
        last_error text,
        result_json text,
        created_at text not null,
        updated_at text not null,
        delivered_at text
      )`.execute(db);
      await sql`insert into emr_outbox_rebuilt (id, kind, visit_id, patient_id, patient_key, control_id, payload_json,
        status, attempts, next_attempt_at, lease_until, claim_token, route, last_error_code, last_error, result_json,
        created_at, updated_at, delivered_at)
        select id, kind, visit_id, patient_id, patient_key, control_id, payload_json, status, attempts,
        next_attempt_at, lease_until, claim_token, route, last_error_code, last_error, result_json, created_at,
        updated_at, delivered_at from emr_outbox`.execute(db);
      await sql`drop table emr_outbox`.execute(db);
      await sql`alter table emr_outbox_rebuilt rename to emr_outbox`.execute(db);
      await db.schema
        .createIndex('emr_outbox_visit_kind_unique')
        .on('emr_outbox')
        .columns(['visit_id', 'kind'])
        .unique()
        .execute();
      await db.schema
        .createIndex('emr_outbox_due_idx')
        .on('emr_outbox')
        .columns(['status', 'next_attempt_at'])
        .execute();
      await db.schema.createIndex('emr_outbox_patient_idx').on('emr_outbox').column('patient_id').execute();
      await db.schema.createIndex('emr_outbox_claim_idx').on('emr_outbox').column('claim_token').execute();
      await db.schema
        .createIndex('emr_outbox_kind_due_idx')
        .on('emr_outbox')
        .columns(['kind', 'status', 'next_attempt_at'])
        .execute();
    }
    await db.schema
      .createTable('payment_invoices')
      .addColumn('payment_id', 'text', (c) => c.primaryKey())
      .addColumn('invoice_number', 'text', (c) => c.notNull())
      .addColumn('lookup_code', 'text', (c) => c.notNull())
      .addColumn('lookup_url', 'text', (c) => c.notNull())
      .addColumn('issued_at', 'text', (c) => c.notNull())
      .execute();
  },
});
