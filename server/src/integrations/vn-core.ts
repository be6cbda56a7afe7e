/**
 * The Ministry of Health's VN Core IG (draft 1.0.0): identifier systems and profiles, and the
 * small formatting rules shared by the FHIR and HL7 adapters (visit number, names, local times).
 */
import { createHash } from 'node:crypto';
import { zoneFormatter } from '../clock';

export const VN_CORE = 'http://fhir.ehealth.gov.vn/core';

export const VN_SID = {
  /** CCCD, 12 digits. */
  nationalId: `${VN_CORE}/sid/national_id`,
  /** Old 9-digit CMND. */
  citizenId: `${VN_CORE}/sid/citizen_id`,
  insuranceNumber: `${VN_CORE}/sid/insurance_number`,
  patientInternalId: `${VN_CORE}/sid/patient-internal-id`,
  passport: `${VN_CORE}/sid/passport_number`,
  visitNumber: `${VN_CORE}/sid/VisitNumber`,
  mrn: `${VN_CORE}/sid/MRN`,
} as const;

export const VN_PROFILE = {
  patient: `${VN_CORE}/StructureDefinition/vn-core-patient`,
  encounter: `${VN_CORE}/StructureDefinition/vn-core-encounter`,
} as const;

export const ACT_CODE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';

/**
 * facility + date + ticket: `92012-20261122-A012`. The ticket number carries its service's prefix;
 * when two services share a prefix the service id is added (`…-A012-noi-tong-quat`), decided once
 * at check-in and stored, so every retry sends the same number.
 */
export function visitNumberOf(facilityCode: string, day: string, ticketNumber: string, serviceId?: string): string {
  const base = `${facilityCode}-${day.replaceAll('-', '')}-${ticketNumber}`;
  return serviceId ? `${base}-${serviceId}` : base;
}

/**
 * Vietnamese names are written family name first: "Nguyễn Thị Lan" → family "Nguyễn", middle
 * "Thị", given "Lan". A single word is a given name.
 */
export function splitVietnameseName(fullName: string): { family?: string; middle: string[]; given?: string } {
  const words = fullName.trim().split(/\s+/u).filter(Boolean);
  if (words.length === 0) return { middle: [] };
  if (words.length === 1) return { given: words[0], middle: [] };
  return { family: words[0], middle: words.slice(1, -1), given: words[words.length - 1] };
}

const offsets = new Map<string, string>();
const QUARTER_HOUR_MS = 15 * 60_000;

/**
 * `+07:00` for the zone at that instant. Offsets change only at a zone's transitions, and every
 * transition of the last seventy years falls on a quarter hour: one answer per zone and quarter
 * hour is kept (formatToParts costs tens of microseconds).
 */
export function utcOffsetOf(instant: Date, timeZone: string): string {
  const key = `${timeZone} ${Math.floor(instant.getTime() / QUARTER_HOUR_MS)}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    const name =
      zoneFormatter('offset', timeZone)
        .formatToParts(instant)
        .find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
    const m = /GMT([+-])(\d{2}):?(\d{2})?/u.exec(name);
    offset = m ? `${m[1]}${m[2]}:${m[3] ?? '00'}` : '+00:00';
    if (offsets.size > 1024) offsets.clear();
    offsets.set(key, offset);
  }
  return offset;
}

const offsetMinutes = (offset: string): number => {
  const m = /^([+-])(\d{2}):(\d{2})$/u.exec(offset);
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
};

/** Local wall-clock digits of an instant at a fixed offset: `yyyyMMddHHmmss`. */
export function localDigits(iso: string, offset: string): string {
  const local = new Date(new Date(iso).getTime() + offsetMinutes(offset) * 60_000);
  return local.toISOString().slice(0, 19).replace(/[-:T]/gu, '');
}

const nextDays = new Map<string, string>();
/** The facility-local day after `day` (YYYY-MM-DD). Memoised: a day changes once a day. */
export function nextDay(day: string): string {
  const known = nextDays.get(day);
  if (known) return known;
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  const next = d.toISOString().slice(0, 10);
  if (nextDays.size > 64) nextDays.clear();
  nextDays.set(day, next);
  return next;
}

/** 32 hex digits as a name-based UUID string (version 5 layout). */
function uuidOf(h: string): string {
  const variant = ((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

/** A UUID derived from a name: the same check-in always gets the same `urn:uuid` fullUrls. */
export function nameUuid(name: string): string {
  return uuidOf(createHash('sha1').update(name).digest('hex'));
}

/** Up to four UUIDs derived from one name with one hash (a check-in's Bundle needs three). */
export function nameUuids(name: string): [string, string, string, string] {
  const h = createHash('sha512').update(name).digest('hex');
  return [uuidOf(h.slice(0, 32)), uuidOf(h.slice(32, 64)), uuidOf(h.slice(64, 96)), uuidOf(h.slice(96, 128))];
}
