/**
 * Visits (one per check-in, with the receipt as first acknowledged) and what hangs off a visit for
 * the integrations: the Decision 4750 check-in record and the BHYT answers used. Methods taking
 * `trx` run inside the caller's unit of work (see executor.ts).
 */
import type { Db } from '../db/database';
import type { CheckinRecordTable, InsuranceCheckTable, VisitTable } from '../db/schema';
import type { Executor } from './executor';
import { ColumnCipher } from './column-cipher';
import { insertRow, prepare } from './prepared';

const receiptOfCheckIn = prepare((db, a: { checkInId: string }) =>
  db.selectFrom('visits').select('receipt_json').where('check_in_id', '=', a.checkInId).limit(1),
);
const recordOfVisitNumber = prepare((db, a: { visitNumber: string }) =>
  db.selectFrom('checkin_records').select('visit_id').where('ma_lk', '=', a.visitNumber).limit(1),
);

/** Sealed columns of the Decision 4750 record and of the BHYT answers (ID numbers, names, the gateway's note). */
export const CHECKIN_RECORD_SEALED = ['ho_ten', 'so_cccd', 'ma_the_bhyt'] as const;
export const INSURANCE_CHECK_SEALED = ['card_number', 'new_card_number', 'staff_note'] as const;

function sealed<T extends object>(
  cipher: ColumnCipher,
  table: string,
  cols: readonly string[],
  row: T,
  open: boolean,
): T {
  const out: Record<string, unknown> = { ...(row as Record<string, unknown>) };
  for (const c of cols) {
    const v = out[c];
    if (typeof v === 'string') out[c] = open ? cipher.open(`${table}.${c}`, v) : cipher.seal(`${table}.${c}`, v);
  }
  return out as T;
}
export const sealCheckinRecord = (c: ColumnCipher, r: CheckinRecordTable) =>
  sealed(c, 'checkin_records', CHECKIN_RECORD_SEALED, r, false);
export const openCheckinRecord = (c: ColumnCipher, r: CheckinRecordTable) =>
  sealed(c, 'checkin_records', CHECKIN_RECORD_SEALED, r, true);
export const sealInsuranceCheck = (c: ColumnCipher, r: InsuranceCheckTable) =>
  sealed(c, 'insurance_checks', INSURANCE_CHECK_SEALED, r, false);
export const openInsuranceCheck = (c: ColumnCipher, r: InsuranceCheckTable) =>
  sealed(c, 'insurance_checks', INSURANCE_CHECK_SEALED, r, true);

export class VisitRepository {
  constructor(
    private readonly db: Db,
    private readonly cipher: ColumnCipher = ColumnCipher.off(),
  ) {}

  /** The stored receipt (JSON) of a check-in id, if that check-in was stored. */
  async receiptByCheckIn(checkInId: string): Promise<string | undefined> {
    const [row] = await receiptOfCheckIn(this.db.kysely, { checkInId });
    return row?.receipt_json;
  }

  /** A patient's latest visits, newest first. */
  async ofPatient(patientId: string, limit: number) {
    return this.db.kysely
      .selectFrom('visits')
      .select(['id', 'service_id', 'created_at', 'identity_source', 'identity_check'])
      .where('patient_id', '=', patientId)
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
  }

  /** The patient whose visit a ticket belongs to. */
  async patientOfTicket(ticketId: string): Promise<string | undefined> {
    const row = await this.db.kysely
      .selectFrom('tickets')
      .innerJoin('visits', 'visits.id', 'tickets.visit_id')
      .select('visits.patient_id')
      .where('tickets.id', '=', ticketId)
      .executeTakeFirst();
    return row?.patient_id;
  }

  /** The BHYT answers used for a visit, oldest first. */
  async insuranceChecks(visitId: string): Promise<InsuranceCheckTable[]> {
    const rows = await this.db.kysely
      .selectFrom('insurance_checks')
      .selectAll()
      .where('visit_id', '=', visitId)
      .orderBy('at')
      .execute();
    return rows.map((r) => openInsuranceCheck(this.cipher, r));
  }

  /** Decision 4750 records checked in from `fromIso` (inclusive) to `toIso` (exclusive), in time order. */
  async checkinRecordsBetween(fromIso: string, toIso: string): Promise<CheckinRecordTable[]> {
    const rows = await this.db.kysely
      .selectFrom('checkin_records')
      .selectAll()
      .where('checked_in_at', '>=', fromIso)
      .where('checked_in_at', '<', toIso)
      .orderBy('checked_in_at')
      .orderBy('ma_lk')
      .execute();
    return rows.map((r) => openCheckinRecord(this.cipher, r));
  }

  /** One visit's Decision 4750 record (what the portal receives), or undefined once purged. */
  async checkinRecord(visitId: string): Promise<CheckinRecordTable | undefined> {
    const row = await this.db.kysely
      .selectFrom('checkin_records')
      .selectAll()
      .where('visit_id', '=', visitId)
      .executeTakeFirst();
    return row && openCheckinRecord(this.cipher, row);
  }

  // ---- inside a unit of work -----------------------------------------------------------------

  async insert(trx: Executor, visit: VisitTable): Promise<void> {
    await insertRow(trx, 'visits', visit);
  }

  /** The stored receipt (JSON) of a visit. */
  async receiptOf(trx: Executor, visitId: string): Promise<string | undefined> {
    const visit = await trx.selectFrom('visits').select('receipt_json').where('id', '=', visitId).executeTakeFirst();
    return visit?.receipt_json;
  }

  /** Whether a check-in record already carries this visit number (ma_lk). */
  async visitNumberTaken(trx: Executor, visitNumber: string): Promise<boolean> {
    const clash = await recordOfVisitNumber(trx, { visitNumber });
    return clash.length > 0;
  }

  async insertCheckinRecord(trx: Executor, record: CheckinRecordTable): Promise<void> {
    await insertRow(trx, 'checkin_records', sealCheckinRecord(this.cipher, record));
  }

  async insertInsuranceCheck(trx: Executor, check: InsuranceCheckTable): Promise<void> {
    await trx.insertInto('insurance_checks').values(sealInsuranceCheck(this.cipher, check)).execute();
  }

  /** Stores the visit's insurance check unless it has one already (a repeated delivery); whether it was stored. */
  async insertFirstInsuranceCheck(trx: Executor, check: InsuranceCheckTable): Promise<boolean> {
    const existing = await trx
      .selectFrom('insurance_checks')
      .select('id')
      .where('visit_id', '=', check.visit_id)
      .limit(1)
      .executeTakeFirst();
    if (existing) return false;
    await this.insertInsuranceCheck(trx, check);
    return true;
  }
}
