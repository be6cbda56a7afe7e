/**
 * Our own check of codes and formats before a Bundle leaves: real FHIR servers accept invalid
 * codes (one stored `Encounter.status: "checked-in"`), and a wrong code in the EMR is worse than a
 * delivery that stops with a clear error. Checks the resources this integration sends against the
 * R4 required bindings and the VN Core identifier systems. Pure; never throws.
 */
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

function validDate(v: unknown): boolean {
  if (typeof v !== 'string' || !DATE.test(v)) return false;
  if (v.length < 10) return true;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
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
    if (entry.resource) validateResource(entry.resource, at, ctx, issues);
  });
  // Every urn:uuid reference must point inside the Bundle.
  for (const ref of JSON.stringify(bundle).match(/"reference":"urn:uuid:[^"]+"/gu) ?? []) {
    const url = ref.slice('"reference":"'.length, -1);
    if (!fullUrls.has(url)) issues.push(`reference ${url}: no entry has this fullUrl`);
  }
  return issues;
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
