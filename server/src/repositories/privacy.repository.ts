/**
 * Data-subject requests and the law's other records: everything stored about one patient (for an
 * export), the erasure of what no law requires to be kept, the breach log, and retention by data
 * kind. Methods taking `trx` run inside the caller's unit of work (see executor.ts).
 */
import type { Updateable } from 'kysely';
import type { Db } from '../db/database';
import type { BreachTable } from '../db/schema';
import type { Executor } from './executor';

/** What an erasure removed, by data kind (rows). */
export interface ErasureCounts {
  emrDeliveries: number;
  insuranceChecks: number;
  checkinRecords: number;
  receipts: number;
  patient: number;
}

const count = (r: { numDeletedRows?: bigint; numUpdatedRows?: bigint } | undefined) =>
  Number(r?.numDeletedRows ?? r?.numUpdatedRows ?? 0);

export class PrivacyRepository {
  constructor(private readonly db: Db) {}

  /** Every row stored about one patient, by table; undefined when there is no such patient. */
  async everythingAbout(patientId: string) {
    const k = this.db.kysely;
    const patient = await k.selectFrom('patients').selectAll().where('id', '=', patientId).executeTakeFirst();
    if (!patient) return undefined;
    const visits = await k
      .selectFrom('visits')
      .selectAll()
      .where('patient_id', '=', patientId)
      .orderBy('created_at')
      .execute();
    const visitIds = visits.map((v) => v.id);
    const none = visitIds.length === 0;
    return {
      patient,
      visits,
      consents: await k
        .selectFrom('consent_events')
        .selectAll()
        .where('patient_id', '=', patientId)
        .orderBy('id')
        .execute(),
      tickets: none
        ? []
        : await k.selectFrom('tickets').selectAll().where('visit_id', 'in', visitIds).orderBy('issued_at').execute(),
      insuranceChecks: none
        ? []
        : await k.selectFrom('insurance_checks').selectAll().where('visit_id', 'in', visitIds).orderBy('at').execute(),
      checkinRecords: none
        ? []
        : await k.selectFrom('checkin_records').selectAll().where('visit_id', 'in', visitIds).execute(),
      emrDeliveries: await k
        .selectFrom('emr_outbox')
        .selectAll()
        .where('patient_id', '=', patientId)
        .orderBy('created_at')
        .execute(),
      reads: await k.selectFrom('audit_log').selectAll().where('target', '=', patientId).orderBy('id').execute(),
    };
  }

  // ---- inside a unit of work -----------------------------------------------------------------

  async patientExists(trx: Executor, patientId: string): Promise<{ erased: boolean } | undefined> {
    const row = await trx.selectFrom('patients').select('erased_at').where('id', '=', patientId).executeTakeFirst();
    return row ? { erased: row.erased_at !== null && row.erased_at !== undefined } : undefined;
  }

  /** EMR deliveries of a patient not yet delivered (processing stops: they will never be sent). */
  async cancelPendingDeliveries(trx: Executor, patientId: string): Promise<number> {
    return count(
      await trx
        .deleteFrom('emr_outbox')
        .where('patient_id', '=', patientId)
        .where('status', '!=', 'delivered')
        .executeTakeFirst(),
    );
  }

  async eraseInsuranceChecks(trx: Executor, patientId: string): Promise<number> {
    const visitIds = trx.selectFrom('visits').select('id').where('patient_id', '=', patientId);
    return count(await trx.deleteFrom('insurance_checks').where('visit_id', 'in', visitIds).executeTakeFirst());
  }

  /**
   * Erases a patient's personal data: EMR deliveries (their payloads hold it), BHYT answers, the
   * Decision 4750 records unless `keepCheckinRecords`, the receipts' masked names; the patient row
   * keeps only its id and dates (`erased_at` set), so visits, tickets, consent events and the audit
   * of reads stay linked and counted.
   */
  async erasePatient(
    trx: Executor,
    patientId: string,
    at: string,
    keepCheckinRecords: boolean,
  ): Promise<ErasureCounts> {
    const visitIds = (await trx.selectFrom('visits').select('id').where('patient_id', '=', patientId).execute()).map(
      (v) => v.id,
    );
    const none = visitIds.length === 0;
    const emrDeliveries = count(
      await trx.deleteFrom('emr_outbox').where('patient_id', '=', patientId).executeTakeFirst(),
    );
    const insuranceChecks = none
      ? 0
      : count(await trx.deleteFrom('insurance_checks').where('visit_id', 'in', visitIds).executeTakeFirst());
    const checkinRecords =
      none || keepCheckinRecords
        ? 0
        : count(await trx.deleteFrom('checkin_records').where('visit_id', 'in', visitIds).executeTakeFirst());
    // A receipt carries the masked name; a replay of an erased check-in sends the patient to the counter.
    const receipts = none
      ? 0
      : count(
          await trx
            .updateTable('visits')
            .set({ receipt_json: '{"erased":true}' })
            .where('id', 'in', visitIds)
            .executeTakeFirst(),
        );
    const erased: Updateable<{
      id_number: string | null;
      old_id_number: string | null;
      insurance_number: string | null;
      full_name: string;
      date_of_birth: string;
      sex: string | null;
      address: string | null;
      updated_at: string;
      erased_at: string | null;
    }> = {
      id_number: null,
      old_id_number: null,
      insurance_number: null,
      full_name: '',
      date_of_birth: '',
      sex: null,
      address: null,
      updated_at: at,
      erased_at: at,
    };
    const patient = count(await trx.updateTable('patients').set(erased).where('id', '=', patientId).executeTakeFirst());
    return { emrDeliveries, insuranceChecks, checkinRecords, receipts, patient };
  }

  // ---- breach log ------------------------------------------------------------------------------

  async insertBreach(breach: BreachTable): Promise<void> {
    await this.db.kysely.insertInto('breaches').values(breach).execute();
  }

  async breaches(limit: number): Promise<BreachTable[]> {
    return this.db.kysely.selectFrom('breaches').selectAll().orderBy('discovered_at', 'desc').limit(limit).execute();
  }

  async breach(id: string): Promise<BreachTable | undefined> {
    return this.db.kysely.selectFrom('breaches').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async updateBreach(id: string, changes: Updateable<BreachTable>): Promise<void> {
    await this.db.kysely.updateTable('breaches').set(changes).where('id', '=', id).execute();
  }

  // ---- retention by data kind ------------------------------------------------------------------

  async deleteAuditBefore(cutoff: string): Promise<number> {
    return count(await this.db.kysely.deleteFrom('audit_log').where('at', '<', cutoff).executeTakeFirst());
  }

  async deleteDeliveredBefore(cutoff: string): Promise<number> {
    return count(
      await this.db.kysely
        .deleteFrom('emr_outbox')
        .where('status', '=', 'delivered')
        .where('delivered_at', '<', cutoff)
        .executeTakeFirst(),
    );
  }

  async deleteInsuranceChecksBefore(cutoff: string): Promise<number> {
    return count(await this.db.kysely.deleteFrom('insurance_checks').where('at', '<', cutoff).executeTakeFirst());
  }

  async deleteClosedBreachesBefore(cutoff: string): Promise<number> {
    return count(
      await this.db.kysely
        .deleteFrom('breaches')
        .where('closed_at', 'is not', null)
        .where('closed_at', '<', cutoff)
        .executeTakeFirst(),
    );
  }
}
