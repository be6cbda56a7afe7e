/**
 * Booked appointments and fee payment: the price list per service and patient class, payment
 * intents with their per-visit reference, every bank notification as received (the
 * reconciliation's other side), and appointments from the EMR or booked here.
 */
import type { Kysely, Migration } from 'kysely';

export const appointmentsPaymentsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('price_list')
      .addColumn('service_id', 'text', (c) => c.notNull())
      .addColumn('patient_class', 'text', (c) => c.notNull())
      .addColumn('amount_vnd', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('price_list_pk', ['service_id', 'patient_class'])
      .execute();
    await db.schema
      .createTable('payments')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('reference', 'text', (c) => c.notNull().unique())
      .addColumn('service_id', 'text', (c) => c.notNull())
      .addColumn('patient_class', 'text', (c) => c.notNull())
      .addColumn('amount_vnd', 'integer', (c) => c.notNull())
      .addColumn('method', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('agent_id', 'text')
      .addColumn('visit_id', 'text')
      .addColumn('qr_payload', 'text', (c) => c.notNull())
      .addColumn('day', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('paid_at', 'text')
      .addColumn('bank_transaction_id', 'text')
      .addColumn('refunded_at', 'text')
      .addColumn('refunded_by', 'text')
      .execute();
    await db.schema.createIndex('payments_due_idx').on('payments').columns(['state', 'expires_at']).execute();
    await db.schema.createIndex('payments_day_idx').on('payments').columns(['day', 'created_at']).execute();
    await db.schema.createIndex('payments_visit_idx').on('payments').column('visit_id').execute();
    await db.schema
      .createTable('bank_notifications')
      .addColumn('transaction_id', 'text', (c) => c.primaryKey())
      .addColumn('received_at', 'text', (c) => c.notNull())
      .addColumn('booked_at', 'text', (c) => c.notNull())
      .addColumn('account_number', 'text', (c) => c.notNull())
      .addColumn('amount_vnd', 'integer', (c) => c.notNull())
      .addColumn('reference', 'text')
      .addColumn('payment_id', 'text')
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('day', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('bank_notifications_day_idx').on('bank_notifications').column('day').execute();
    await db.schema
      .createTable('appointments')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('external_id', 'text')
      .addColumn('booking_code', 'text', (c) => c.notNull().unique())
      .addColumn('patient_key_hmac', 'text', (c) => c.notNull())
      .addColumn('identity_sealed', 'text')
      .addColumn('service_id', 'text', (c) => c.notNull())
      .addColumn('doctor', 'text')
      .addColumn('starts_at', 'text', (c) => c.notNull())
      .addColumn('day', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('visit_id', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('appointments_patient_day_idx')
      .on('appointments')
      .columns(['patient_key_hmac', 'day'])
      .execute();
    await db.schema.createIndex('appointments_day_status_idx').on('appointments').columns(['day', 'status']).execute();
  },
};
