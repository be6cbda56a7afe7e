/**
 * Our own check of codes and formats before a Bundle leaves: real FHIR servers accept invalid
 * codes (one stored `Encounter.status: "checked-in"`), and a wrong code in the EMR is worse than a
 * delivery that stops with a clear error. Checks the resources this integration sends against the
 * R4 required bindings and the VN Core identifier systems. Pure; never throws.
 */
import type { EmrCheckIn } from './emr.port';
import type { BundleEntry, FhirResource, TransactionBundle } from './fhir-bundle.builder';
import { ACT_CODE_SYSTEM, VN_SID } from './vn-core';

export const R4_CODES = {
  gender: ['male', 'female', 'other', 'unknown'],
  encounterStatus: [
    'planned',
    'arrived',
    'triaged',
    'in-progress',
    'onleave',
    'finished',
    'cancelled',
    'entered-in-error',
    'unknown',
  ],
  /** v3 ActEncounterCode, the Encounter.class value set. */
  encounterClass: ['AMB', 'EMER', 'FLD', 'HH', 'IMP', 'ACUTE', 'NONAC', 'OBSENC', 'PRENC', 'SS', 'VR'],
  coverageStatus: ['active', 'cancelled', 'draft', 'entered-in-error'],
  encounterLocationStatus: ['planned', 'active', 'reserved', 'completed'],
  nameUse: ['usual', 'official', 'temp', 'nickname', 'anonymous', 'old', 'maiden'],
  addressUse: ['home', 'work', 'temp', 'old', 'billing'],
  requestMethod: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH'],
} as const;

const VN_SYSTEMS = new Set<string>(Object.values(VN_SID));
const DATE = /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/u;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/u;
const URN_UUID = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/u;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
function validDate(v: unknown): boolean {
  if (typeof v !== 'string' || !DATE.test(v)) return false;
  if (v.length < 10) return true;
  const y = Number(v.slice(0, 4));
  const m = Number(v.slice(5, 7));
  const d = Number(v.slice(8, 10));
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= (m === 2 && !leap ? 28 : (DAYS_IN_MONTH[m - 1] ?? 0));
}

export interface ValidationContext {
  /** Systems our own codes are drawn from (facility, service). */
  extraSystems: readonly string[];
  /** A check-in opens an `arrived` Encounter, nothing else. */
  encounterStatus: 'arrived';
}

export function validateCheckInBundle(bundle: TransactionBundle, ctx: ValidationContext): string[] {
  const issues: string[] = [];
  if (!isObj(bundle) || bundle.resourceType !== 'Bundle' || bundle.type !== 'transaction')
    return ['Bundle.type: must be a transaction Bundle'];
  const fullUrls = new Set<string>();
  const references: string[] = [];
  arr(bundle.entry).forEach((e, i) => {
    const at = `Bundle.entry[${i}]`;
    if (!isObj(e)) return issues.push(`${at}: not an object`);
    const entry = e as unknown as BundleEntry;
    if (!isObj(entry.request) || !(R4_CODES.requestMethod as readonly string[]).includes(entry.request.method))
      issues.push(`${at}.request.method: invalid`);
    if (entry.fullUrl !== undefined) {
      if (!URN_UUID.test(entry.fullUrl)) issues.push(`${at}.fullUrl: must be urn:uuid`);
      fullUrls.add(entry.fullUrl);
    }
    if (entry.request?.method === 'POST' && !entry.request.ifNoneExist)
      issues.push(`${at}.request.ifNoneExist: a create must be conditional on a business identifier`);
    if (entry.resource) {
      validateResource(entry.resource, at, ctx, issues);
      collectReferences(entry.resource, references);
    }
  });
  // Every urn:uuid reference must point inside the Bundle.
  for (const url of references)
    if (url.startsWith('urn:uuid:') && !fullUrls.has(url)) issues.push(`reference ${url}: no entry has this fullUrl`);
  return issues;
}

/** Every `reference` string in a resource, at any depth. */
function collectReferences(v: unknown, out: string[]): void {
  if (Array.isArray(v)) for (const x of v) collectReferences(x, out);
  else if (isObj(v))
    for (const [k, x] of Object.entries(v)) {
      if (k === 'reference' && typeof x === 'string') out.push(x);
      else if (typeof x === 'object' && x !== null) collectReferences(x, out);
    }
}

function validateIdentifiers(v: unknown, at: string, ctx: ValidationContext, issues: string[]): void {
  const ids = arr(v);
  if (ids.length === 0) issues.push(`${at}: at least one business identifier`);
  ids.forEach((id, i) => {
    if (!isObj(id) || typeof id['system'] !== 'string' || typeof id['value'] !== 'string' || id['value'] === '')
      return issues.push(`${at}[${i}]: system and value required`);
    if (!VN_SYSTEMS.has(id['system']) && !ctx.extraSystems.includes(id['system']))
      issues.push(`${at}[${i}].system: not a VN Core identifier system`);
    if (id['system'] === VN_SID.nationalId && !/^\d{12}$/u.test(id['value']))
      issues.push(`${at}[${i}].value: a CCCD number has 12 digits`);
    if (id['system'] === VN_SID.citizenId && !/^\d{9}$/u.test(id['value']))
      issues.push(`${at}[${i}].value: a CMND number has 9 digits`);
  });
}

function oneOf(v: unknown, codes: readonly string[], at: string, issues: string[], required = true): void {
  if (v === undefined && !required) return;
  if (typeof v !== 'string' || !codes.includes(v)) issues.push(`${at}: "${String(v)}" is not in the value set`);
}

function validateResource(r: FhirResource, at: string, ctx: ValidationContext, issues: string[]): void {
  const p = `${at}.resource`;
  switch (r.resourceType) {
    case 'Patient': {
      validateIdentifiers(r['identifier'], `${p}.identifier`, ctx, issues);
      oneOf(r['gender'], R4_CODES.gender, `${p}.gender`, issues, false);
      if (!validDate(r['birthDate'])) issues.push(`${p}.birthDate: not a FHIR date`);
      const names = arr(r['name']);
      if (names.length === 0) issues.push(`${p}.name: required`);
      names.forEach((n, i) => {
        if (!isObj(n) || typeof n['text'] !== 'string' || n['text'].trim() === '')
          issues.push(`${p}.name[${i}].text: required`);
        else oneOf(n['use'], R4_CODES.nameUse, `${p}.name[${i}].use`, issues, false);
      });
      arr(r['address']).forEach((a, i) => {
        if (isObj(a)) oneOf(a['use'], R4_CODES.addressUse, `${p}.address[${i}].use`, issues, false);
      });
      return;
    }
    case 'Coverage': {
      validateIdentifiers(r['identifier'], `${p}.identifier`, ctx, issues);
      oneOf(r['status'], R4_CODES.coverageStatus, `${p}.status`, issues);
      if (!isObj(r['beneficiary'])) issues.push(`${p}.beneficiary: required`);
      if (arr(r['payor']).length === 0) issues.push(`${p}.payor: required`);
      const period = r['period'];
      if (isObj(period)) {
        if (period['start'] !== undefined && !validDate(period['start'])) issues.push(`${p}.period.start: not a date`);
        if (period['end'] !== undefined && !validDate(period['end'])) issues.push(`${p}.period.end: not a date`);
        if (typeof period['start'] === 'string' && typeof period['end'] === 'string' && period['start'] > period['end'])
          issues.push(`${p}.period: starts after it ends`);
      }
      return;
    }
    case 'Encounter': {
      validateIdentifiers(r['identifier'], `${p}.identifier`, ctx, issues);
      oneOf(r['status'], R4_CODES.encounterStatus, `${p}.status`, issues);
      if (r['status'] !== ctx.encounterStatus && R4_CODES.encounterStatus.includes(r['status'] as never))
        issues.push(`${p}.status: a check-in opens an "${ctx.encounterStatus}" encounter`);
      const cls = r['class'];
      if (!isObj(cls) || cls['system'] !== ACT_CODE_SYSTEM) issues.push(`${p}.class.system: must be v3 ActCode`);
      else oneOf(cls['code'], R4_CODES.encounterClass, `${p}.class.code`, issues);
      if (!isObj(r['subject'])) issues.push(`${p}.subject: required`);
      const period = r['period'];
      if (isObj(period) && typeof period['start'] === 'string' && !DATE_TIME.test(period['start']))
        issues.push(`${p}.period.start: not a FHIR dateTime with a zone`);
      arr(r['location']).forEach((l, i) => {
        if (isObj(l)) oneOf(l['status'], R4_CODES.encounterLocationStatus, `${p}.location[${i}].status`, issues, false);
      });
      return;
    }
    default:
      issues.push(`${p}.resourceType: ${r.resourceType} is not sent by this integration`);
  }
}

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/u;
const OFFSET = /^[+-]\d{2}:\d{2}$/u;
const nonEmpty = (v: unknown) => typeof v === 'string' && v.trim() !== '';

/**
 * Per check-in: the data that differs between check-ins (identifiers, name, sex, dates, visit).
 * The Bundle's structure and the configured codes are the same for every check-in, so the adapter
 * validates whole Bundles built from probe check-ins once, when it starts.
 */
export function validateCheckInData(c: EmrCheckIn): string[] {
  const issues: string[] = [];
  const p = c.patient;
  if (p.nationalId !== undefined && !/^\d{12}$/u.test(p.nationalId)) issues.push('patient.nationalId: 12 digits');
  if (p.oldId !== undefined && !/^\d{9}$/u.test(p.oldId)) issues.push('patient.oldId: 9 digits');
  if (p.insuranceNumber !== undefined && !nonEmpty(p.insuranceNumber)) issues.push('patient.insuranceNumber: empty');
  if (!nonEmpty(p.patientId)) issues.push('patient.patientId: empty');
  if (!nonEmpty(p.fullName)) issues.push('patient.fullName: required');
  if (!validDate(p.dateOfBirth)) issues.push('patient.dateOfBirth: not a FHIR date');
  if (p.sex !== undefined) oneOf(p.sex, R4_CODES.gender, 'patient.sex', issues);
  const cov = c.coverage;
  if (cov) {
    if (!nonEmpty(cov.cardNumber)) issues.push('coverage.cardNumber: required');
    if (cov.validFrom !== undefined && !validDate(cov.validFrom)) issues.push('coverage.validFrom: not a date');
    if (cov.validTo !== undefined && !validDate(cov.validTo)) issues.push('coverage.validTo: not a date');
    if (cov.validFrom && cov.validTo && cov.validFrom > cov.validTo) issues.push('coverage: starts after it ends');
  }
  const v = c.visit;
  if (!nonEmpty(v.visitNumber)) issues.push('visit.visitNumber: required');
  if (!nonEmpty(v.serviceId)) issues.push('visit.serviceId: required');
  if (!DATE_TIME.test(v.arrivedAt)) issues.push('visit.arrivedAt: not a FHIR dateTime with a zone');
  if (!validDate(v.day) || v.day.length !== 10) issues.push('visit.day: not a date');
  if (!OFFSET.test(v.utcOffset)) issues.push('visit.utcOffset: not ±hh:mm');
  if (c.appointmentId !== undefined && !FHIR_ID.test(c.appointmentId)) issues.push('appointmentId: not a FHIR id');
  return issues;
}
