/**
 * Booked appointments. The patient is held only as the keyed hash of an ID number (CCCD or BHYT
 * card number, see column-cipher.ts) and matched by it, never by value.
 */
import type { Db } from '../db/database';
import type { AppointmentTable } from '../db/schema';
import type { ColumnCipher } from './column-cipher';
import type { Executor } from './executor';

export class AppointmentRepository {
  constructor(
    private readonly db: Db,
    private readonly cipher: ColumnCipher,
  ) {}

  /** The keyed hash an ID number is stored under. */
  patientKey(idNumber: string): string {
    return this.cipher.index(idNumber);
  }

  /** Seals the identity given at booking (the stored JSON is opened only by `identityOf`). */
  sealIdentity(json: string): string {
    return this.cipher.seal('appointments.identity', json);
  }

  identityOf(row: AppointmentTable): string | null {
    return this.cipher.open('appointments.identity', row.identity_sealed);
  }

  /** Inserts or, for the same booking code, refreshes time, service, doctor and status (an EMR feed). */
  async upsert(row: AppointmentTable): Promise<void> {
    await this.db.kysely
      .insertInto('appointments')
      .values(row)
      .onConflict((oc) =>
        oc.column('booking_code').doUpdateSet({
          service_id: row.service_id,
          doctor: row.doctor,
          starts_at: row.starts_at,
          day: row.day,
          status: row.status,
          external_id: row.external_id,
          updated_at: row.updated_at,
        }),
      )
      .execute();
  }

  async byId(id: string): Promise<AppointmentTable | undefined> {
    return this.db.kysely.selectFrom('appointments').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async byBookingCode(code: string, day: string): Promise<AppointmentTable[]> {
    return this.db.kysely
      .selectFrom('appointments')
      .selectAll()
      .where('booking_code', '=', code)
      .where('day', '=', day)
      .execute();
  }

  async forPatient(idNumbers: readonly string[], day: string): Promise<AppointmentTable[]> {
    const keys = idNumbers.flatMap((n) => this.cipher.candidates(n));
    if (keys.length === 0) return [];
    return this.db.kysely
      .selectFrom('appointments')
      .selectAll()
      .where('patient_key_hmac', 'in', keys)
      .where('day', '=', day)
      .orderBy('starts_at')
      .execute();
  }

  async ofDay(day: string): Promise<AppointmentTable[]> {
    return this.db.kysely
      .selectFrom('appointments')
      .selectAll()
      .where('day', '=', day)
      .orderBy('starts_at')
      .orderBy('id')
      .execute();
  }

  /** Moves a status on from one of `from`; false when the appointment was not in one of them. */
  async transition(id: string, from: readonly string[], to: string, at: string, visitId?: string): Promise<boolean> {
    const r = await this.db.kysely
      .updateTable('appointments')
      .set({ status: to, updated_at: at, ...(visitId === undefined ? {} : { visit_id: visitId }) })
      .where('id', '=', id)
      .where('status', 'in', [...from])
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async move(id: string, startsAt: string, day: string, at: string): Promise<boolean> {
    const r = await this.db.kysely
      .updateTable('appointments')
      .set({ starts_at: startsAt, day, updated_at: at })
      .where('id', '=', id)
      .where('status', '=', 'booked')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Booked appointments of `day` that never arrived, now marked no-show; returns them. */
  /** The day's bookings still `booked` (those booked for before `startedBefore`, when given) → noshow. */
  async markNoShows(
    day: string,
    at: string,
    trx: Executor = this.db.kysely,
    startedBefore?: string,
  ): Promise<AppointmentTable[]> {
    let q = trx
      .updateTable('appointments')
      .set({ status: 'noshow', updated_at: at })
      .where('day', '=', day)
      .where('status', '=', 'booked');
    if (startedBefore !== undefined) q = q.where('starts_at', '<', startedBefore);
    return q.returningAll().execute();
  }

  /** Days before `day` that still have bookings nobody came for (a session not closed). */
  async openDaysBefore(day: string): Promise<string[]> {
    const rows = await this.db.kysely
      .selectFrom('appointments')
      .select('day')
      .distinct()
      .where('day', '<', day)
      .where('status', '=', 'booked')
      .orderBy('day')
      .execute();
    return rows.map((r) => r.day);
  }
}
