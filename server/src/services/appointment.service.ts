/**
 * Booked appointments: booked, moved and cancelled at the counter (local mode), found at the kiosk
 * by booking QR, booking code or identity card, checked in with one tap (a ticket to the booked
 * service, the appointment `arrived`), and the day's bookings nobody came for marked `noshow`.
 *
 * The window: arriving between `earlyMin` before and `lateMin` after the booked time is on time;
 * before it is early, after it late. The timing is part of every appointment the kiosk sees.
 */
import { randomBytes } from 'node:crypto';
import {
  bookingCodeFromQr,
  err,
  identitySchema,
  ok,
  type Appointment,
  type AppointmentBookRequest,
  type AppointmentCheckInRequest,
  type AppointmentLookup,
  type AppointmentWindow,
  type CheckInReceipt,
  type Identity,
  type Result,
} from '@kiosk/protocol';
import { newRowId } from '../db/row-id';
import type { AppointmentTable } from '../db/schema';
import type { Executor, Repositories } from '../repositories';
import type { Committer } from '../db/group-commit';
import { facilityDay, localWeekTime, type Clock } from '../clock';
import type { Logger } from '../logger';
import type { CheckInService } from './checkin.service';
import { readStoredJson } from './stored-json';

const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const MINUTE_MS = 60_000;

export function newBookingCode(random: (n: number) => Uint8Array = (n) => randomBytes(n)): string {
  let code = '';
  for (const b of random(8)) code += CODE_ALPHABET[b & 31] ?? '0';
  return code;
}

/** Where `now` falls against a booked time, by the window. */
export function timingOf(startsAt: string, now: Date, window: AppointmentWindow): 'early' | 'on-time' | 'late' {
  const minutes = (now.getTime() - Date.parse(startsAt)) / MINUTE_MS;
  if (minutes < -window.earlyMin) return 'early';
  if (minutes > window.lateMin) return 'late';
  return 'on-time';
}

/** A booking of a closed day nobody came for, as the EMR's no-show report needs it. */
export interface NoShow {
  appointment: AppointmentTable;
  /** The identity given at booking, when there was one. */
  identity?: Identity;
}

export interface AppointmentOptions {
  timeZone: string;
  window: AppointmentWindow;
  /** No-shows are marked in one unit of work with what `onNoShows` writes (the EMR outbox). */
  transactions?: Committer;
  onNoShows?: (trx: Executor, noShows: readonly NoShow[]) => Promise<void>;
  /** After that unit of work committed (wake the outbox). */
  noShowsCommitted?: () => void;
  /** When the day's session ends (facility HH:MM); undefined: the day is closed by hand only. */
  closeAt?: string | undefined;
}

export interface AppointmentCheckIn {
  receipt: CheckInReceipt;
  appointment: Appointment;
}

export class AppointmentService {
  constructor(
    private readonly repositories: Pick<Repositories, 'appointments' | 'catalogue'>,
    private readonly checkIns: Pick<CheckInService, 'checkIn'>,
    private readonly clock: Clock,
    private readonly options: AppointmentOptions,
    private readonly log: Logger,
  ) {}

  private get repo() {
    return this.repositories.appointments;
  }

  private today(): string {
    return facilityDay(this.clock.now(), this.options.timeZone);
  }

  /** A booking made at the counter (local mode). */
  async book(req: AppointmentBookRequest): Promise<Result<Appointment>> {
    const service = await this.repositories.catalogue.activeService(req.serviceId);
    if (!service) return err('unknown-service', `no active service ${req.serviceId}`);
    const key = req.identity.idNumber ?? req.identity.insuranceNumber;
    if (!key) return err('validation-failed', 'identity: a CCCD or BHYT number is needed');
    const at = this.clock.now().toISOString();
    const startsAt = new Date(req.startsAt);
    for (let attempt = 0; attempt < 3; attempt++) {
      const row: AppointmentTable = {
        id: newRowId(),
        source: 'local',
        external_id: null,
        booking_code: newBookingCode(),
        patient_key_hmac: this.repo.patientKey(key),
        identity_sealed: this.repo.sealIdentity(JSON.stringify(req.identity)),
        service_id: req.serviceId,
        doctor: req.doctor ?? null,
        starts_at: startsAt.toISOString(),
        day: facilityDay(startsAt, this.options.timeZone),
        status: 'booked',
        visit_id: null,
        created_at: at,
        updated_at: at,
      };
      if ((await this.repo.byBookingCode(row.booking_code, row.day)).length > 0) continue;
      await this.repo.upsert(row);
      return ok(this.view(row));
    }
    return err('conflict', 'no free booking code: try again');
  }

  async move(id: string, startsAt: string): Promise<Result<Appointment>> {
    const at = new Date(startsAt);
    const moved = await this.repo.move(
      id,
      at.toISOString(),
      facilityDay(at, this.options.timeZone),
      this.clock.now().toISOString(),
    );
    if (!moved) return err('invalid-transition', 'only a booked appointment can be moved');
    return this.get(id);
  }

  async cancel(id: string): Promise<Result<Appointment>> {
    const done = await this.repo.transition(id, ['booked'], 'cancelled', this.clock.now().toISOString());
    if (!done) return err('invalid-transition', 'only a booked appointment can be cancelled');
    return this.get(id);
  }

  async get(id: string): Promise<Result<Appointment>> {
    const row = await this.repo.byId(id);
    return row ? ok(this.view(row)) : err('unknown-appointment', 'no such appointment');
  }

  /** A day's appointments for staff (no names, no ID numbers). */
  async ofDay(day = this.today()): Promise<Appointment[]> {
    return (await this.repo.ofDay(day)).map((r) => this.view(r));
  }

  /** Today's appointments the patient can check in to (booked) or already did (arrived). */
  async find(lookup: AppointmentLookup): Promise<Result<Appointment[]>> {
    const rows = await this.rowsFor(lookup);
    if (!rows.ok) return rows;
    return ok(rows.value.map((r) => this.view(r)));
  }

  private async rowsFor(lookup: AppointmentLookup): Promise<Result<AppointmentTable[]>> {
    const day = this.today();
    let rows: AppointmentTable[];
    if (lookup.by === 'identity') {
      const numbers = [lookup.identity.idNumber, lookup.identity.insuranceNumber].filter(
        (n): n is string => n !== undefined,
      );
      rows = await this.repo.forPatient(numbers, day);
    } else {
      const code = lookup.by === 'booking-code' ? lookup.code : bookingCodeFromQr(lookup.payload);
      if (code === undefined) return err('not-a-booking-qr', 'this QR is not a booking', 'booking-not-found');
      rows = await this.repo.byBookingCode(code, day);
    }
    return ok(rows.filter((r) => r.status === 'booked' || r.status === 'arrived'));
  }

  /**
   * One tap: the appointment must be among those the kiosk's lookup finds (a kiosk cannot check
   * in an appointment id it did not find), still booked today; its patient is the identity given
   * now or, by booking code, the one registered at booking. A retry (same check-in id) answers
   * the first receipt.
   */
  async checkIn(req: AppointmentCheckInRequest, agentId: string | null): Promise<Result<AppointmentCheckIn>> {
    const rows = await this.rowsFor(req.lookup);
    if (!rows.ok) return rows;
    const row = rows.value.find((r) => r.id === req.appointmentId);
    if (!row) return err('unknown-appointment', 'no such appointment today for this booking', 'booking-not-found');
    const identity = req.lookup.by === 'identity' ? ok(req.lookup.identity) : this.bookedIdentity(row);
    if (!identity.ok) return identity;
    const receipt = await this.checkIns.checkIn(
      {
        checkInId: req.checkInId,
        identity: identity.value,
        serviceId: row.service_id,
        priorityClaims: [],
        consent: true,
      },
      agentId,
    );
    if (!receipt.ok) return receipt;
    const at = this.clock.now().toISOString();
    if (row.status === 'booked') {
      const moved = await this.repo.transition(row.id, ['booked'], 'arrived', at, receipt.value.visitId);
      if (!moved && !receipt.value.replayed)
        this.log.warn({ appointment: row.id }, 'appointment changed while checking in');
    }
    const now = await this.repo.byId(row.id);
    this.log.info(
      { source: row.source, timing: timingOf(row.starts_at, this.clock.now(), this.options.window) },
      'appointment checked in',
    );
    return ok({ receipt: receipt.value, appointment: this.view(now ?? row) });
  }

  /** End of the day's session: every booking nobody came for is `noshow`; returns them. */
  async closeDay(day = this.today(), startedBefore?: string): Promise<Appointment[]> {
    const at = this.clock.now().toISOString();
    const { transactions, onNoShows, noShowsCommitted } = this.options;
    if (!transactions || !onNoShows)
      return (await this.repo.markNoShows(day, at, undefined, startedBefore)).map((r) => this.view(r));
    const rows = await transactions.run(async (trx) => {
      const marked = await this.repo.markNoShows(day, at, trx, startedBefore);
      await onNoShows(
        trx,
        marked.map((appointment) => {
          const identity = this.bookedIdentity(appointment);
          return { appointment, ...(identity.ok ? { identity: identity.value } : {}) };
        }),
      );
      return marked;
    });
    if (rows.length > 0) noShowsCommitted?.();
    return rows.map((r) => this.view(r));
  }

  /**
   * Closes what is due: every earlier day still holding bookings (a server that was down at the
   * session's end), and, once today's session has ended, today's bookings whose time and late
   * window have passed (an evening booking stays open until then). Marking only touches bookings
   * still `booked`, so running it again closes nothing twice. Answers the no-shows marked.
   */
  async closeDue(): Promise<number> {
    const now = this.clock.now();
    const today = this.today();
    const due: { day: string; startedBefore?: string }[] = (await this.repo.openDaysBefore(today)).map((day) => ({
      day,
    }));
    const { closeAt, window, timeZone } = this.options;
    if (closeAt !== undefined && localWeekTime(now, timeZone).hhmm >= closeAt)
      due.push({ day: today, startedBefore: new Date(now.getTime() - window.lateMin * 60_000).toISOString() });
    let marked = 0;
    for (const { day, startedBefore } of due) {
      const noShows = await this.closeDay(day, startedBefore);
      marked += noShows.length;
      if (noShows.length > 0) this.log.info({ day, noShows: noShows.length }, 'appointment session closed');
    }
    return marked;
  }

  private bookedIdentity(row: AppointmentTable): Result<Identity> {
    const json = this.repo.identityOf(row);
    if (json === null)
      return err(
        'appointment-needs-identity',
        'this booking has no registered patient: use the ID card',
        'use-id-card',
      );
    const stored = readStoredJson(identitySchema, json);
    return stored.ok ? ok(stored.value) : err('stored-data-invalid', 'the booked identity could not be read');
  }

  private view(row: AppointmentTable): Appointment {
    return {
      appointmentId: row.id,
      source: row.source === 'emr' ? 'emr' : 'local',
      bookingCode: row.booking_code,
      serviceId: row.service_id,
      ...(row.doctor ? { doctor: row.doctor } : {}),
      startsAt: row.starts_at,
      status: row.status as Appointment['status'],
      timing: timingOf(row.starts_at, this.clock.now(), this.options.window),
    };
  }
}
