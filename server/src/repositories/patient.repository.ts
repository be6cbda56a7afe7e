/**
 * Patients and their consent events (given with each check-in, withdrawn on request). Methods
 * taking `trx` run inside the caller's unit of work (see executor.ts).
 */
import type { Insertable, Updateable } from 'kysely';
import type { Db } from '../db/database';
import type { ConsentEventTable, PatientTable } from '../db/schema';
import type { Executor } from './executor';

export type NewConsentEvent = Insertable<ConsentEventTable>;

export class PatientRepository {
  constructor(private readonly db: Db) {}

  async byId(patientId: string): Promise<PatientTable | undefined> {
    return this.db.kysely.selectFrom('patients').selectAll().where('id', '=', patientId).executeTakeFirst();
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
   * Match or create in one statement by ID number: a new patient is stored, a known one only has
   * `updated_at` set to `at`. Returns the patient's id.
   */
  async upsertByIdNumber(trx: Executor, patient: PatientTable, at: string): Promise<string> {
    const row = await trx
      .insertInto('patients')
      .values(patient)
      .onConflict((oc) => oc.column('id_number').doUpdateSet({ updated_at: at }))
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async idByIdNumber(trx: Executor, idNumber: string): Promise<string | undefined> {
    const row = await trx.selectFrom('patients').select('id').where('id_number', '=', idNumber).executeTakeFirst();
    return row?.id;
  }

  async idByInsuranceNumber(trx: Executor, insuranceNumber: string): Promise<string | undefined> {
    const row = await trx
      .selectFrom('patients')
      .select('id')
      .where('insurance_number', '=', insuranceNumber)
      .executeTakeFirst();
    return row?.id;
  }

  async update(trx: Executor, patientId: string, changes: Updateable<PatientTable>): Promise<void> {
    await trx.updateTable('patients').set(changes).where('id', '=', patientId).execute();
  }

  async insert(trx: Executor, patient: PatientTable): Promise<void> {
    await trx.insertInto('patients').values(patient).execute();
  }

  async addConsent(trx: Executor, consent: NewConsentEvent): Promise<void> {
    await trx.insertInto('consent_events').values(consent).execute();
  }
}
