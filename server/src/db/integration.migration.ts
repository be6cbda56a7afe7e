/**
 * Tables of the integrations: the EMR delivery outbox, BHYT eligibility answers used at check-in,
 * and the Decision 4750 check-in record. Every row hangs off a visit (or a patient) with ON DELETE
 * CASCADE, so the retention purge removes them with the visit.
 */
import type { Kysely, Migration } from 'kysely';

export const integrationsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('emr_outbox')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('visit_id', 'text', (c) => c.references('visits.id').onDelete('cascade'))
      .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id').onDelete('cascade'))
      .addColumn('patient_key', 'text', (c) => c.notNull())
      .addColumn('control_id', 'text', (c) => c.notNull().unique())
      .addColumn('payload_json', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at', 'text', (c) => c.notNull())
      .addColumn('lease_until', 'text')
      .addColumn('claim_token', 'text')
      .addColumn('route', 'text')
      .addColumn('last_error_code', 'text')
      .addColumn('last_error', 'text')
      .addColumn('result_json', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('delivered_at', 'text')
      .execute();
    await db.schema
      .createIndex('emr_outbox_visit_kind_unique')
      .on('emr_outbox')
      .columns(['visit_id', 'kind'])
      .unique()
      .execute();
    await db.schema.createIndex('emr_outbox_due_idx').on('emr_outbox').columns(['status', 'next_attempt_at']).execute();
    await db.schema.createIndex('emr_outbox_patient_idx').on('emr_outbox').column('patient_id').execute();
    await db.schema.createIndex('emr_outbox_claim_idx').on('emr_outbox').column('claim_token').execute();

    await db.schema
      .createTable('insurance_checks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('visit_id', 'text', (c) => c.notNull().references('visits.id').onDelete('cascade'))
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('mode', 'text', (c) => c.notNull())
      .addColumn('result_code', 'text')
      .addColumn('routing', 'text', (c) => c.notNull())
      .addColumn('verdict', 'text', (c) => c.notNull())
      .addColumn('message_key', 'text', (c) => c.notNull())
      .addColumn('staff_note', 'text')
      .addColumn('card_number', 'text')
      .addColumn('new_card_number', 'text')
      .addColumn('primary_care_facility', 'text')
      .addColumn('valid_from', 'text')
      .addColumn('valid_to', 'text')
      .addColumn('duration_ms', 'integer')
      .execute();
    await db.schema.createIndex('insurance_checks_visit_idx').on('insurance_checks').column('visit_id').execute();

    await db.schema
      .createTable('checkin_records')
      .addColumn('visit_id', 'text', (c) => c.primaryKey().references('visits.id').onDelete('cascade'))
      .addColumn('ma_lk', 'text', (c) => c.notNull().unique())
      .addColumn('ma_bn', 'text', (c) => c.notNull())
      .addColumn('ho_ten', 'text', (c) => c.notNull())
      .addColumn('so_cccd', 'text')
      .addColumn('ngay_sinh', 'text', (c) => c.notNull())
      .addColumn('gioi_tinh', 'integer', (c) => c.notNull())
      .addColumn('ma_the_bhyt', 'text')
      .addColumn('ma_dkbd', 'text')
      .addColumn('gt_the_tu', 'text')
      .addColumn('gt_the_den', 'text')
      .addColumn('ma_doituong_kcb', 'text', (c) => c.notNull())
      .addColumn('ngay_vao', 'text', (c) => c.notNull())
      .addColumn('ma_loai_kcb', 'text', (c) => c.notNull())
      .addColumn('ma_cskcb', 'text', (c) => c.notNull())
      .addColumn('ma_dich_vu', 'text', (c) => c.notNull())
      .addColumn('ten_dich_vu', 'text', (c) => c.notNull())
      .addColumn('ngay_yl', 'text', (c) => c.notNull())
      .addColumn('checked_in_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('checkin_records_at_idx').on('checkin_records').column('checked_in_at').execute();
  },
};
