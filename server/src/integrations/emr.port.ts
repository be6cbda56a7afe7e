/**
 * The EMR port: what the server asks of the hospital's EMR/HIS at check-in, whatever speaks it
 * (our database only, FHIR R4, HL7 v2 ADT over MLLP).
 *
 * `deliverCheckIn` is one idempotent operation with three steps: register or match the patient (by
 * business identifiers, never by name), open the visit (identified by the deterministic visit
 * number), and move a booked appointment of today to arrived. Sending the same check-in again,
 * with the same delivery key, must have no further effect: the outbox relies on it after a
 * timeout or a crash.
 *
 * Adapters never throw across this boundary: every outcome is a Result whose error says whether a
 * retry can help (`retriable`) and whether the patient must be finished by hand (`route`).
 */
import type { AppError, Result } from '@kiosk/protocol';

export type EmrMode = 'local' | 'fhir' | 'hl7';

/** The patient as the EMR should know them. Identifiers are business identifiers (emr.md). */
export interface EmrPatient {
  /** Our patient id: the kiosk system's patient number. */
  patientId: string;
  /** 12-digit CCCD. */
  nationalId?: string;
  /** Old 9-digit CMND. */
  oldId?: string;
  /** BHYT card number. */
  insuranceNumber?: string;
  fullName: string;
  /** YYYY-MM-DD or YYYY. */
  dateOfBirth: string;
  sex?: 'male' | 'female' | 'other';
  address?: string;
}

export interface EmrCoverage {
  cardNumber: string;
  /** YYYY-MM-DD */
  validFrom?: string;
  validTo?: string;
  /** Registered primary-care facility code (maDKBD). */
  primaryCareFacility?: string;
}

export interface EmrVisit {
  /** facility + date + ticket, deterministic: the Encounter identifier and PV1-19. */
  visitNumber: string;
  visitId: string;
  checkInId: string;
  ticketNumber: string;
  serviceId: string;
  serviceName: string;
  department: string;
  room: string;
  /** ISO-8601 instant of the check-in. */
  arrivedAt: string;
  /** Facility-local day, YYYY-MM-DD. */
  day: string;
  /** Facility time-zone offset at arrival, e.g. `+07:00`. */
  utcOffset: string;
}

/** Everything one delivery needs, captured in the check-in's transaction (the outbox payload). */
export interface EmrCheckIn {
  patient: EmrPatient;
  coverage?: EmrCoverage;
  visit: EmrVisit;
  /** The EMR's Appointment id when the booking is already known. */
  appointmentId?: string;
}

/** A booked appointment of a closed day the patient never arrived for (the outbox payload). */
export interface EmrNoShow {
  /** The EMR's Appointment id, when the booking came from the EMR. */
  appointmentId?: string;
  /** Business identifiers to find the patient's booked Appointment by (a local booking). */
  nationalId?: string;
  insuranceNumber?: string;
  /** The booked time (ISO instant): picks the booking when the patient has several that day. */
  startsAt: string;
  /** Facility-local day, YYYY-MM-DD, and the time-zone offset of that day. */
  day: string;
  utcOffset: string;
}

export interface DeliveryKey {
  /** Stable across retries: HL7 MSH-10, and the delivery's idempotency key. */
  controlId: string;
}

export type AppointmentStep =
  /** A booked appointment of today is now arrived. */
  | 'arrived'
  /** Staff had already moved it (arrived or further): left alone. */
  | 'left-as-is'
  /** Several booked appointments today: never choose; staff decide. */
  | 'ambiguous'
  | 'none'
  /** This adapter does not handle appointments (HL7 A04 carries none; local mode). */
  | 'not-applicable'
  /** A booked appointment nobody came for is now noshow. */
  | 'noshow';

export interface EmrDelivered {
  patient: 'created' | 'matched' | 'accepted';
  encounter: 'created' | 'matched' | 'accepted';
  appointment: AppointmentStep;
  /** Where the EMR keeps them, e.g. `Patient/123`; absent for HL7 and local mode. */
  patientRef?: string;
  encounterRef?: string;
}

export type EmrErrorCode =
  /** Several patients match the identifiers (FHIR 412): the counter registers by hand. */
  | 'emr-ambiguous-patient'
  /** The EMR refused the content (FHIR 4xx + OperationOutcome, HL7 AE/AR). */
  | 'emr-rejected'
  /** Our own validation refused to send it (invalid code). */
  | 'emr-invalid-content'
  /** Credentials refused even after a fresh token. */
  | 'emr-auth-failed'
  /** Down, timed out, 5xx, connection refused: try again later. */
  | 'emr-unavailable'
  /** Nonsense from the EMR (unparseable, wrong control id …). */
  | 'emr-bad-response';

export interface EmrError extends AppError {
  code: EmrErrorCode;
  /** A later attempt of the same delivery may succeed. */
  retriable: boolean;
  /** 'counter': the patient's registration must be finished by staff. */
  route?: 'counter';
  /** Machine detail without personal data (issue codes, HTTP status, MSA code). */
  detail?: string;
}

export type EmrResult = Result<EmrDelivered, EmrError>;

export interface EmrPort {
  readonly mode: EmrMode;
  /** Register or match the patient, open the visit, mark a booked appointment arrived. */
  deliverCheckIn(checkIn: EmrCheckIn, key: DeliveryKey): Promise<EmrResult>;
  /** Demographic update of a known patient (HL7 A08; FHIR conditional update). */
  updatePatient(patient: EmrPatient, key: DeliveryKey): Promise<EmrResult>;
  /** A booked appointment becomes noshow (FHIR); adapters without appointments leave it out. */
  markNoShow?(noShow: EmrNoShow, key: DeliveryKey): Promise<EmrResult>;
  close(): Promise<void>;
}

export function emrError(
  code: EmrErrorCode,
  message: string,
  options: { retriable?: boolean; route?: 'counter'; detail?: string } = {},
): { ok: false; error: EmrError } {
  const retriable = options.retriable ?? (code === 'emr-unavailable' || code === 'emr-bad-response');
  return {
    ok: false,
    error: {
      code,
      message,
      retriable,
      ...(options.route ? { route: options.route } : {}),
      ...(options.detail ? { detail: options.detail } : {}),
    },
  };
}

/** Masks runs of 6+ digits (ID and card numbers) in text that came back from an outside system. */
export function maskDigits(text: string): string {
  return text.replace(/\d{6,}/gu, (d) => `${d.slice(0, 2)}****${d.slice(-2)}`);
}
