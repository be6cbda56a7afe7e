/**
 * Data-subject requests and the law's other records: everything stored about one patient (for an
 * export), the erasure of what no law requires to be kept, the breach log, and retention by data
 * kind. Methods taking `trx` run inside the caller's unit of work (see executor.ts).
 */
import type { Kysely, Selectable, Updateable } from 'kysely';
import type { Db } from '../db/database';
import type { BreachTable, CheckinRecordTable, InsuranceCheckTable, PatientTable } from '../db/schema';
import type { Executor } from './executor';
import { ColumnCipher } from './column-cipher';
import { openPatient, PATIENT_SEALED, sealPatient } from './patient.repository';
import {
  CHECKIN_RECORD_SEALED,
  INSURANCE_CHECK_SEALED,
  openCheckinRecord,
  openInsuranceCheck,
  sealCheckinRecord,
  sealInsuranceCheck,
} from './visit.repository';
import { openDelivery } from './outbox.repository';

/** What an erasure removed, by data kind (rows). */
export interface ErasureCounts {
  emrDeliveries: number;
  insuranceChecks: number;
  checkinRecords: number;
  receipts: number;
  patient: number;
}

/** The tables whose sealed columns `reencrypt` brings to the current key. */
type SealedTable = 'patients' | 'checkin_records' | 'insurance_checks' | 'emr_outbox';
type Row = Record<string, unknown>;

const count = (r: { numDeletedRows?: bigint; numUpdatedRows?: bigint } | undefined) =>
  Number(r?.numDeletedRows ?? r?.numUpdatedRows ?? 0);

export class PrivacyRepository {
  constructor(
    private readonly db: Db,
    private readonly cipher: ColumnCipher = ColumnCipher.off(),
  ) {}

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
    const c = this.cipher;
    return {
      patient: openPatient(c, patient),
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
        : (
            await k.selectFrom('insurance_checks').selectAll().where('visit_id', 'in', visitIds).orderBy('at').execute()
          ).map((r) => openInsuranceCheck(c, r)),
      checkinRecords: none
        ? []
        : (await k.selectFrom('checkin_records').selectAll().where('visit_id', 'in', visitIds).execute()).map((r) =>
            openCheckinRecord(c, r),
          ),
      emrDeliveries: (
        await k.selectFrom('emr_outbox').selectAll().where('patient_id', '=', patientId).orderBy('created_at').execute()
      ).map((r) => openDelivery(c, r)),
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
      id_number_hmac: string | null;
      insurance_number_hmac: string | null;
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
      id_number_hmac: null,
      insurance_number_hmac: null,
      old_id_number: null,
      insurance_number: null,
      full_name: '',
      date_of_birth: '',
      sex: null,
      address: null,
      updated_at: at,
      erased_at: at,
    };
    // Both versions of a conflict about this patient are their personal data too.
    await trx.deleteFrom('identity_conflicts').where('patient_id', '=', patientId).execute();
    const patient = count(await trx.updateTable('patients').set(erased).where('id', '=', patientId).executeTakeFirst());
    return { emrDeliveries, insuranceChecks, checkinRecords, receipts, patient };
  }

  // ---- key rotation ----------------------------------------------------------------------------

  /**
   * Re-seals every sealed column not yet under the current key (or still plain) and recomputes the
   * keyed hashes, `batch` rows per statement group, table by table; safe to run while the server
   * serves (each row is rewritten from what it holds when read) and to run again (a row already
   * current is skipped). Returns rows rewritten per table.
   */
  async reencrypt(batch = 500): Promise<Record<string, number>> {
    const c = this.cipher;
    const wantHash = (v: string | null) => (v === null ? null : c.index(v));
    const resealed = (sealed: readonly string[], r: Row) => sealed.every((col) => c.isCurrent(r[col] as string | null));
    const patients = await this.resealTable('patients', 'id', batch, (r) => {
      const row = r as Selectable<PatientTable>;
      const plain = openPatient(c, row);
      const current =
        resealed(PATIENT_SEALED, r) &&
        row.id_number_hmac === wantHash(plain.id_number) &&
        row.insurance_number_hmac === wantHash(plain.insurance_number);
      if (current) return undefined;
      const { id_number, old_id_number, insurance_number, full_name, address } = plain;
      return sealPatient(c, { id_number, old_id_number, insurance_number, full_name, address });
    });
    const checkinRecords = await this.resealTable('checkin_records', 'visit_id', batch, (r) => {
      if (resealed(CHECKIN_RECORD_SEALED, r)) return undefined;
      const s = sealCheckinRecord(c, openCheckinRecord(c, r as Selectable<CheckinRecordTable>));
      return { ho_ten: s.ho_ten, so_cccd: s.so_cccd, ma_the_bhyt: s.ma_the_bhyt };
    });
    const insuranceChecks = await this.resealTable('insurance_checks', 'id', batch, (r) => {
      if (resealed(INSURANCE_CHECK_SEALED, r)) return undefined;
      const s = sealInsuranceCheck(c, openInsuranceCheck(c, r as Selectable<InsuranceCheckTable>));
      return { card_number: s.card_number, new_card_number: s.new_card_number, staff_note: s.staff_note };
    });
    const emrDeliveries = await this.resealTable('emr_outbox', 'id', batch, (r) => {
      if (resealed(['payload_json'], r)) return undefined;
      const column = 'emr_outbox.payload_json';
      return { payload_json: c.seal(column, c.open(column, r['payload_json'] as string)) };
    });
    return { patients, checkinRecords, insuranceChecks, emrDeliveries };
  }

  /**
   * Pages through one table in key order and writes back, row by row, what `reseal` answers for a
   * row (undefined: the row is current); answers how many rows it wrote.
   */
  private async resealTable(
    table: SealedTable,
    key: string,
    batch: number,
    reseal: (row: Row) => Row | undefined,
  ): Promise<number> {
    // One loop for tables of different row types: the callers know theirs.
    const k = this.db.kysely as unknown as Kysely<Record<SealedTable, Row>>;
    let written = 0;
    for (let after = ''; ;) {
      const rows = await k.selectFrom(table).selectAll().where(key, '>', after).orderBy(key).limit(batch).execute();
      if (rows.length === 0) return written;
      for (const r of rows) {
        const changes = reseal(r);
        if (!changes) continue;
        await k.updateTable(table).set(changes).where(key, '=', r[key]).execute();
        written += 1;
      }
      after = String(rows.at(-1)?.[key] ?? after);
    }
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
