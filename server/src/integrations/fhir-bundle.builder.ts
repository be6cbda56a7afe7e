/**
 * A check-in as one FHIR R4 transaction Bundle: Patient (+ Coverage when insured) + Encounter,
 * each created only if no resource carries its business identifier (`request.ifNoneExist`),
 * linked by `urn:uuid` fullUrls derived from the visit, so a resent Bundle is byte-identical and
 * matches instead of duplicating. Pure.
 */
import type { EmrCheckIn, EmrPatient } from './emr.port';
import { ACT_CODE_SYSTEM, VN_PROFILE, VN_SID, nameUuids, nextDay, splitVietnameseName } from './vn-core';

export type FhirResource = { resourceType: string; id?: string } & Record<string, unknown>;

export interface BundleEntry {
  fullUrl?: string;
  resource?: FhirResource;
  request: { method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; url: string; ifNoneExist?: string };
}
export interface TransactionBundle {
  resourceType: 'Bundle';
  type: 'transaction';
  entry: BundleEntry[];
}

export interface FhirBuildOptions {
  facilityCode: string;
  facilitySystem: string;
  facilityName: string;
  serviceSystem: string;
  encounterClass: string;
  /** Adds today's Appointment search of the patient as a GET entry. */
  appointmentSearchInBundle: boolean;
}

export interface BuiltCheckIn {
  bundle: TransactionBundle;
  /** Index of each part in `bundle.entry` (and so in the response). */
  index: { patient: number; coverage?: number; encounter: number; appointments?: number };
}

const token = (system: string, value: string) => `${system}|${value}`;

/** The patient's business identifiers, strongest first. */
export function patientIdentifiers(p: EmrPatient): { system: string; value: string }[] {
  const ids: { system: string; value: string }[] = [];
  if (p.nationalId) ids.push({ system: VN_SID.nationalId, value: p.nationalId });
  if (p.oldId) ids.push({ system: VN_SID.citizenId, value: p.oldId });
  if (p.insuranceNumber) ids.push({ system: VN_SID.insuranceNumber, value: p.insuranceNumber });
  // Without any document number, our own patient number is the only business identifier.
  if (ids.length === 0) ids.push({ system: VN_SID.patientInternalId, value: p.patientId });
  return ids;
}

/** `identifier=a|1,b|2`: matches a patient known by any of them; several matches → 412. */
export function patientMatchQuery(p: EmrPatient): string {
  return `identifier=${patientIdentifiers(p)
    .map((i) => token(i.system, i.value))
    .join(',')}`;
}

export function patientResource(p: EmrPatient): FhirResource {
  const name = splitVietnameseName(p.fullName);
  const given = [...name.middle, ...(name.given ? [name.given] : [])];
  return {
    resourceType: 'Patient',
    meta: { profile: [VN_PROFILE.patient] },
    identifier: patientIdentifiers(p),
    name: [
      {
        use: 'official',
        text: p.fullName,
        ...(name.family ? { family: name.family } : {}),
        ...(given.length > 0 ? { given } : {}),
      },
    ],
    ...(p.sex ? { gender: p.sex } : {}),
    birthDate: p.dateOfBirth,
    ...(p.address ? { address: [{ use: 'home', text: p.address, country: 'VN' }] } : {}),
  };
}

export function checkInBundle(c: EmrCheckIn, o: FhirBuildOptions): BuiltCheckIn {
  const { patient, coverage, visit } = c;
  const [patientUuid, coverageUuid, encounterUuid] = nameUuids(`kiosk-check-in/${visit.visitId}`);
  const patientUrl = `urn:uuid:${patientUuid}`;
  const entry: BundleEntry[] = [];
  const index: BuiltCheckIn['index'] = { patient: 0, encounter: 0 };

  index.patient = entry.length;
  entry.push({
    fullUrl: patientUrl,
    resource: patientResource(patient),
    request: { method: 'POST', url: 'Patient', ifNoneExist: patientMatchQuery(patient) },
  });

  if (coverage) {
    index.coverage = entry.length;
    const period = {
      ...(coverage.validFrom ? { start: coverage.validFrom } : {}),
      ...(coverage.validTo ? { end: coverage.validTo } : {}),
    };
    entry.push({
      fullUrl: `urn:uuid:${coverageUuid}`,
      resource: {
        resourceType: 'Coverage',
        identifier: [{ system: VN_SID.insuranceNumber, value: coverage.cardNumber }],
        status: 'active',
        subscriberId: coverage.cardNumber,
        beneficiary: { reference: patientUrl },
        payor: [{ display: 'Bảo hiểm xã hội Việt Nam' }],
        ...(Object.keys(period).length > 0 ? { period } : {}),
      },
      request: {
        method: 'POST',
        url: 'Coverage',
        ifNoneExist: `identifier=${token(VN_SID.insuranceNumber, coverage.cardNumber)}`,
      },
    });
  }

  index.encounter = entry.length;
  entry.push({
    fullUrl: `urn:uuid:${encounterUuid}`,
    resource: {
      resourceType: 'Encounter',
      meta: { profile: [VN_PROFILE.encounter] },
      identifier: [{ system: VN_SID.visitNumber, value: visit.visitNumber }],
      status: 'arrived',
      class: { system: ACT_CODE_SYSTEM, code: o.encounterClass },
      serviceType: {
        coding: [{ system: o.serviceSystem, code: visit.serviceId, display: visit.serviceName }],
        text: visit.serviceName,
      },
      subject: { reference: patientUrl },
      period: { start: visit.arrivedAt },
      location: [{ location: { display: `${visit.department}, phòng ${visit.room}` }, status: 'planned' }],
      serviceProvider: { identifier: { system: o.facilitySystem, value: o.facilityCode }, display: o.facilityName },
      ...(c.appointmentId ? { appointment: [{ reference: `Appointment/${c.appointmentId}` }] } : {}),
    },
    request: {
      method: 'POST',
      url: 'Encounter',
      ifNoneExist: `identifier=${token(VN_SID.visitNumber, visit.visitNumber)}`,
    },
  });

  if (o.appointmentSearchInBundle && !c.appointmentId) {
    index.appointments = entry.length;
    entry.push({ request: { method: 'GET', url: appointmentSearchUrl(patientUrl, visit.day, visit.utcOffset) } });
  }
  return { bundle: { resourceType: 'Bundle', type: 'transaction', entry }, index };
}

/** Today's appointments of a patient (facility-local day); status is filtered by the caller. */
const daySearch = new Map<string, string>();
export function appointmentSearchUrl(patientRef: string, day: string, utcOffset: string): string {
  const key = `${day}${utcOffset}`;
  let range = daySearch.get(key);
  if (!range) {
    const at = (d: string) => encodeURIComponent(`${d}T00:00:00${utcOffset}`);
    range = `&date=ge${at(day)}&date=lt${at(nextDay(day))}&_count=20`;
    if (daySearch.size > 64) daySearch.clear();
    daySearch.set(key, range);
  }
  return `Appointment?patient=${patientRef}${range}`;
}

/** booked → noshow, only if it is still booked (staff may have moved it meanwhile). */
export const appointmentNoShowPatch = [
  { op: 'test', path: '/status', value: 'booked' },
  { op: 'replace', path: '/status', value: 'noshow' },
] as const;

/** booked → arrived, only if it is still booked (optimistic concurrency by a `test` op). */
export const appointmentArrivedPatch = [
  { op: 'test', path: '/status', value: 'booked' },
  { op: 'replace', path: '/status', value: 'arrived' },
] as const;
