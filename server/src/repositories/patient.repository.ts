/**
 * Patients and their consent events (given with each check-in, withdrawn on request). Methods
 * taking `trx` run inside the caller's unit of work (see executor.ts). ID numbers, names and
 * addresses are sealed here on the way in and opened on the way out (column-cipher.ts); ID numbers
 * are matched through their keyed hashes. Callers see plain values.
 */
import type { Insertable, Updateable } from 'kysely';
import type { Identity } from '@kiosk/protocol';
import type { Db } from '../db/database';
import type { ConsentEventTable, PatientTable } from '../db/schema';
import type { Executor } from './executor';
import { ColumnCipher } from './column-cipher';
import { insertRow, prepare, type InsertTail } from './prepared';

/**
 * Match or create by ID number: a known patient keeps every field but `updated_at`, which takes
 * the check-in's time (the inserted row's, here `excluded.updated_at`).
 */
const touchedOnIdNumber: InsertTail = {
  name: 'touched-on-id-number',
  finish: (q) =>
    q
      .onConflict((oc) =>
        oc.column('id_number_hmac').doUpdateSet((eb) => ({ updated_at: eb.ref('excluded.updated_at') })),
      )
      .returning('id'),
};
/** What a check-in compares with the identity it brings. */
const comparedColumns = ['full_name', 'date_of_birth', 'sex', 'id_number', 'insurance_number'] as const;
const comparedFields = prepare((db, a: { patientId: string }) =>
  db.selectFrom('patients').select(comparedColumns).where('id', '=', a.patientId),
);

export type NewConsentEvent = Insertable<ConsentEventTable>;

/**
 * The row of a patient first met through an identity (a check-in, a booked no-show). A manual
 * entry, or one without an ID or BHYT number, waits for staff review.
 */
export function newPatientRow(identity: Identity, id: string, at: string): PatientTable {
  return {
    id,
    id_number: identity.idNumber ?? null,
    old_id_number: identity.oldIdNumber ?? null,
    insurance_number: identity.insuranceNumber ?? null,
    full_name: identity.fullName,
    date_of_birth: identity.dateOfBirth,
    sex: identity.sex ?? null,
    address: identity.address ?? null,
    needs_review: identity.source === 'manual' || (!identity.idNumber && !identity.insuranceNumber) ? 1 : 0,
    created_at: at,
    updated_at: at,
  };
}

/** The sealed columns of `patients`. */
export const PATIENT_SEALED = ['id_number', 'old_id_number', 'insurance_number', 'full_name', 'address'] as const;

export function sealPatient<T extends Partial<PatientTable>>(cipher: ColumnCipher, p: T): T {
  const out: Partial<PatientTable> = { ...p };
  for (const c of PATIENT_SEALED)
    if (p[c] !== undefined) (out as Record<string, unknown>)[c] = cipher.seal(`patients.${c}`, p[c]);
  if (p.id_number !== undefined) out.id_number_hmac = cipher.index(p.id_number);
  if (p.insurance_number !== undefined) out.insurance_number_hmac = cipher.index(p.insurance_number);
  return out as T;
}

export function openPatient<T extends Partial<PatientTable>>(cipher: ColumnCipher, p: T): T {
  const out: Partial<PatientTable> = { ...p };
  for (const c of PATIENT_SEALED)
    if (typeof p[c] === 'string') (out as Record<string, unknown>)[c] = cipher.open(`patients.${c}`, p[c]);
  delete out.id_number_hmac;
  delete out.insurance_number_hmac;
  return out as T;
}

export class PatientRepository {
  constructor(
    private readonly db: Db,
    private readonly cipher: ColumnCipher = ColumnCipher.off(),
  ) {}

  async byId(patientId: string): Promise<PatientTable | undefined> {
    const row = await this.db.kysely.selectFrom('patients').selectAll().where('id', '=', patientId).executeTakeFirst();
    return row && openPatient(this.cipher, row);
  }

  async exists(patientId: string): Promise<boolean> {
    const p = await this.db.kysely.selectFrom('patients').select('id').where('id', '=', patientId).executeTakeFirst();
    return p !== undefined;
  }

  /** A patient's consent events, in the order they were recorded. */
  async consentsOf(patientId: string) {
    return this.db.kysely
      .selectFrom('consent_events')
      .select(['kind', 'purpose', 'notice_version', 'at', 'visit_id'])
      .where('patient_id', '=', patientId)
      .orderBy('id')
      .execute();
  }

  /** `addConsent` outside any unit of work (a withdrawal staff record). */
  async recordConsent(consent: NewConsentEvent): Promise<void> {
    await this.addConsent(this.db.kysely, consent);
  }

  // ---- inside a unit of work -----------------------------------------------------------------

  /**
   * Match or create in one statement by ID number (its keyed hash): a new patient is stored, a
   * known one only has `updated_at` set to `at`. Returns the patient's id. A patient stored under
   * an older key is found by `idByIdNumber` first when a rotation is under way.
   */
  async upsertByIdNumber(trx: Executor, patient: PatientTable, at: string): Promise<string> {
    if (patient.id_number && this.cipher.enabled) {
      const known = await this.idByIdNumber(trx, patient.id_number);
      if (known) {
        await trx.updateTable('patients').set({ updated_at: at }).where('id', '=', known).execute();
        return known;
      }
    }
    const { rows } = await insertRow<'patients', { id: string }>(
      trx,
      'patients',
      { ...sealPatient(this.cipher, patient), updated_at: at },
      touchedOnIdNumber,
    );
    const [row] = rows;
    if (!row) throw new Error('the patient row was not returned');
    return row.id;
  }

  async idByIdNumber(trx: Executor, idNumber: string): Promise<string | undefined> {
    const row = await trx
      .selectFrom('patients')
      .select('id')
      .where('id_number_hmac', 'in', this.cipher.candidates(idNumber))
      .executeTakeFirst();
    return row?.id;
  }

  async idByInsuranceNumber(trx: Executor, insuranceNumber: string): Promise<string | undefined> {
    const row = await trx
      .selectFrom('patients')
      .select('id')
      .where('insurance_number_hmac', 'in', this.cipher.candidates(insuranceNumber))
      .executeTakeFirst();
    return row?.id;
  }

  /** What a check-in compares with the identity it brings (opened), inside its unit of work. */
  async matchView(
    trx: Executor,
    patientId: string,
  ): Promise<Pick<PatientTable, 'full_name' | 'date_of_birth' | 'sex' | 'id_number' | 'insurance_number'> | undefined> {
    const [row] = await comparedFields(trx, { patientId });
    return row && openPatient(this.cipher, row);
  }

  async update(trx: Executor, patientId: string, changes: Updateable<PatientTable>): Promise<void> {
    await trx
      .updateTable('patients')
      .set(sealPatient(this.cipher, changes as Partial<PatientTable>))
      .where('id', '=', patientId)
      .execute();
  }

  async insert(trx: Executor, patient: PatientTable): Promise<void> {
    await insertRow(trx, 'patients', sealPatient(this.cipher, patient));
  }

  async addConsent(trx: Executor, consent: NewConsentEvent): Promise<void> {
    await insertRow(trx, 'consent_events', consent);
  }
}
