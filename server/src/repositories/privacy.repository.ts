/**
 * Data-subject requests and the law's other records: everything stored about one patient (for an
 * export), the erasure of what no law requires to be kept, the breach log, and retention by data
 * kind. Methods taking `trx` run inside the caller's unit of work (see executor.ts).
 */
import type { Kysely, Selectable, Updateable } from 'kysely';
import type { Db } from '../db/database';
import type { BreachTable, Database, PatientTable } from '../db/schema';
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
import { openDelivery, PORTAL_KINDS, type OutboxKind } from './outbox.repository';

/** What an erasure removed, by data kind (rows). */
export interface ErasureCounts {
  emrDeliveries: number;
  insuranceChecks: number;
  checkinRecords: number;
  receipts: number;
  /** Opt-ins to be told about a ticket (a phone number or a push subscription). */
  notifications: number;
  /** Bookings whose identity and patient hash were removed (the slot stays, anonymous). */
  appointments: number;
  identityConflicts: number;
  patient: number;
}

/** Sealed columns of the tables added after the patient record (column-cipher.ts names them `table.column`). */
const CONFLICT_SEALED = ['stored_full_name', 'incoming_full_name'] as const;
const APPOINTMENT_IDENTITY = 'appointments.identity';
const PHONE = 'notify_subscriptions.phone';
/** An appointment's patient hash after erasure or when it cannot be recomputed: matches no ID number. */
const unmatchable = (appointmentId: string) => `erased:${appointmentId}`;

/** The ID number an appointment is matched by, from its sealed identity JSON (appointment.service.ts). */
function appointmentKeyOf(identityJson: string | null): string | undefined {
  if (identityJson === null) return undefined;
  try {
    const identity = JSON.parse(identityJson) as { idNumber?: unknown; insuranceNumber?: unknown };
    const key = identity.idNumber ?? identity.insuranceNumber;
    return typeof key === 'string' && key !== '' ? key : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Walks `table` in `key` order, `batch` rows per page, and writes back to each row the changes
 * `changesOf` answers for it (undefined: the row is already current); returns how many rows were
 * rewritten. The table and column are checked by the signature; inside, the query is built on a
 * loosely typed view of the same handle.
 */
async function rewriteTable<T extends keyof Database>(
  db: Executor,
  table: T,
  key: keyof Database[T] & string,
  batch: number,
  changesOf: (row: Selectable<Database[T]>) => Updateable<Database[T]> | undefined,
): Promise<number> {
  const k = db as unknown as Kysely<Record<string, Record<string, unknown>>>;
  const [from, col]: [string, string] = [table, key];
  const page = async (after: string) =>
    (await k.selectFrom(from).selectAll().where(col, '>', after).orderBy(col).limit(batch).execute()) as Selectable<
      Database[T]
    >[];
  let rewritten = 0;
  for (let rows = await page(''); rows.length > 0;) {
    for (const row of rows) {
      const changes = changesOf(row);
      if (changes === undefined) continue;
      const id = (row as Record<string, unknown>)[key];
      await k
        .updateTable(from)
        .set(changes as Record<string, unknown>)
        .where(col, '=', id)
        .execute();
      rewritten += 1;
    }
    const last = rows.at(-1) as Record<string, unknown> | undefined;
    rows = last === undefined ? [] : await page(String(last[key]));
  }
  return rewritten;
}

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
      appointments: (await this.appointmentsOf(k, visitIds, openPatient(c, patient))).map((r) => ({
        ...r,
        identity_sealed: undefined,
        identity_json: c.open(APPOINTMENT_IDENTITY, r.identity_sealed),
      })),
      payments: none
        ? []
        : await k.selectFrom('payments').selectAll().where('visit_id', 'in', visitIds).orderBy('created_at').execute(),
      notifications: none
        ? []
        : (
            await k
              .selectFrom('notify_subscriptions')
              .selectAll()
              .where('visit_id', 'in', visitIds)
              .orderBy('created_at')
              .execute()
          ).map((r) => ({ ...r, phone: c.open(PHONE, r.phone) })),
      identityConflicts: (
        await k
          .selectFrom('identity_conflicts')
          .selectAll()
          .where('patient_id', '=', patientId)
          .orderBy('created_at')
          .execute()
      ).map((r) => {
        const out = { ...r };
        for (const col of CONFLICT_SEALED) out[col] = c.open(`identity_conflicts.${col}`, r[col]) ?? '';
        return out;
      }),
      reads: await k.selectFrom('audit_log').selectAll().where('target', '=', patientId).orderBy('id').execute(),
    };
  }

  /** A patient's appointments: those their visits arrived for, and those booked under their ID or BHYT number. */
  private async appointmentsOf(
    k: Executor,
    visitIds: readonly string[],
    patient: { id_number: string | null; insurance_number: string | null },
  ) {
    const keys = [patient.id_number, patient.insurance_number].flatMap((n) => (n ? this.cipher.candidates(n) : []));
    if (visitIds.length === 0 && keys.length === 0) return [];
    return k
      .selectFrom('appointments')
      .selectAll()
      .where((eb) =>
        eb.or([
          ...(visitIds.length ? [eb('visit_id', 'in', visitIds)] : []),
          ...(keys.length ? [eb('patient_key_hmac', 'in', keys)] : []),
        ]),
      )
      .orderBy('starts_at')
      .execute();
  }

  // ---- inside a unit of work -----------------------------------------------------------------

  async patientExists(trx: Executor, patientId: string): Promise<{ erased: boolean } | undefined> {
    const row = await trx.selectFrom('patients').select('erased_at').where('id', '=', patientId).executeTakeFirst();
    return row ? { erased: row.erased_at !== null && row.erased_at !== undefined } : undefined;
  }

  /**
   * A patient's deliveries of these kinds not yet delivered (processing stops: they will never be
   * sent). Only the withdrawn purpose's kinds: the Decision 4750 portal's, a legal obligation, stay.
   */
  async cancelPendingDeliveries(trx: Executor, patientId: string, kinds: readonly OutboxKind[]): Promise<number> {
    return count(
      await trx
        .deleteFrom('emr_outbox')
        .where('patient_id', '=', patientId)
        .where('kind', 'in', [...kinds])
        .where('status', '!=', 'delivered')
        .executeTakeFirst(),
    );
  }

  async eraseInsuranceChecks(trx: Executor, patientId: string): Promise<number> {
    const visitIds = trx.selectFrom('visits').select('id').where('patient_id', '=', patientId);
    return count(await trx.deleteFrom('insurance_checks').where('visit_id', 'in', visitIds).executeTakeFirst());
  }

  /**
   * Erases a patient's personal data: deliveries (their payloads hold it; with `keepCheckinRecords`
   * an undelivered Decision 4750 portal submission stays, as its record does), BHYT answers, the
   * Decision 4750 records unless `keepCheckinRecords`, the receipts' masked names, notification
   * opt-ins (phone numbers), the identity and hash of their appointments, identity conflicts; the
   * patient row keeps only its id and dates (`erased_at` set), so visits, tickets, payments (no
   * personal data), consent events and the audit of reads stay linked and counted.
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
    const stored = await trx.selectFrom('patients').selectAll().where('id', '=', patientId).executeTakeFirst();
    const appointmentIds = stored
      ? (await this.appointmentsOf(trx, visitIds, openPatient(this.cipher, stored))).map((a) => a.id)
      : [];
    const deliveries = trx.deleteFrom('emr_outbox').where('patient_id', '=', patientId);
    const emrDeliveries = count(
      await (
        keepCheckinRecords
          ? deliveries.where((eb) => eb.or([eb('kind', 'not in', [...PORTAL_KINDS]), eb('status', '=', 'delivered')]))
          : deliveries
      ).executeTakeFirst(),
    );
    const notifications = none
      ? 0
      : count(await trx.deleteFrom('notify_subscriptions').where('visit_id', 'in', visitIds).executeTakeFirst());
    let appointments = 0;
    for (const id of appointmentIds)
      appointments += count(
        await trx
          .updateTable('appointments')
          .set({ identity_sealed: null, patient_key_hmac: unmatchable(id), updated_at: at })
          .where('id', '=', id)
          .executeTakeFirst(),
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
    const erased: Updateable<PatientTable> = {
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
    const identityConflicts = count(
      await trx.deleteFrom('identity_conflicts').where('patient_id', '=', patientId).executeTakeFirst(),
    );
    const patient = count(await trx.updateTable('patients').set(erased).where('id', '=', patientId).executeTakeFirst());
    return {
      emrDeliveries,
      insuranceChecks,
      checkinRecords,
      receipts,
      notifications,
      appointments,
      identityConflicts,
      patient,
    };
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
    const k = this.db.kysely;
    const reseal = (column: string, stored: string | null) => c.seal(column, c.open(column, stored));
    const rewrite = <T extends keyof Database>(
      table: T,
      key: keyof Database[T] & string,
      changesOf: (row: Selectable<Database[T]>) => Updateable<Database[T]> | undefined,
    ) => rewriteTable(k, table, key, batch, changesOf);
    return {
      patients: await rewrite('patients', 'id', (r) => {
        const plain = openPatient(c, r);
        const wantHash = (v: string | null) => (v === null ? null : c.index(v));
        if (
          PATIENT_SEALED.every((col) => c.isCurrent(r[col])) &&
          r.id_number_hmac === wantHash(plain.id_number) &&
          r.insurance_number_hmac === wantHash(plain.insurance_number)
        )
          return undefined;
        const { id_number, old_id_number, insurance_number, full_name, address } = plain;
        return sealPatient(c, { id_number, old_id_number, insurance_number, full_name, address });
      }),
      checkinRecords: await rewrite('checkin_records', 'visit_id', (r) => {
        if (CHECKIN_RECORD_SEALED.every((col) => c.isCurrent(r[col]))) return undefined;
        const { ho_ten, so_cccd, ma_the_bhyt } = sealCheckinRecord(c, openCheckinRecord(c, r));
        return { ho_ten, so_cccd, ma_the_bhyt };
      }),
      insuranceChecks: await rewrite('insurance_checks', 'id', (r) => {
        if (INSURANCE_CHECK_SEALED.every((col) => c.isCurrent(r[col]))) return undefined;
        const { card_number, new_card_number, staff_note } = sealInsuranceCheck(c, openInsuranceCheck(c, r));
        return { card_number, new_card_number, staff_note };
      }),
      emrDeliveries: await rewrite('emr_outbox', 'id', (r) =>
        c.isCurrent(r.payload_json)
          ? undefined
          : { payload_json: reseal('emr_outbox.payload_json', r.payload_json) ?? r.payload_json },
      ),
      identityConflicts: await rewrite('identity_conflicts', 'id', (r) => {
        if (CONFLICT_SEALED.every((col) => c.isCurrent(r[col]))) return undefined;
        const again = (col: (typeof CONFLICT_SEALED)[number]) => reseal(`identity_conflicts.${col}`, r[col]) ?? '';
        return { stored_full_name: again('stored_full_name'), incoming_full_name: again('incoming_full_name') };
      }),
      // An appointment's hash is recomputed from the ID number in its sealed identity; a booking
      // without one (a feed that sent only the hash) keeps its hash, which stops matching once its key goes.
      appointments: await rewrite('appointments', 'id', (r) => {
        const identity = c.open(APPOINTMENT_IDENTITY, r.identity_sealed);
        const key = appointmentKeyOf(identity);
        const hash = key === undefined ? r.patient_key_hmac : c.index(key);
        if (c.isCurrent(r.identity_sealed) && hash === r.patient_key_hmac) return undefined;
        return { identity_sealed: c.seal(APPOINTMENT_IDENTITY, identity), patient_key_hmac: hash };
      }),
      notifications: await rewrite('notify_subscriptions', 'id', (r) =>
        c.isCurrent(r.phone) ? undefined : { phone: reseal(PHONE, r.phone) },
      ),
    };
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

  /** Appointments for times before `cutoff` (a no-show's booking too: it never got a visit to go with). */
  async deleteAppointmentsBefore(cutoff: string): Promise<number> {
    return count(await this.db.kysely.deleteFrom('appointments').where('starts_at', '<', cutoff).executeTakeFirst());
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
