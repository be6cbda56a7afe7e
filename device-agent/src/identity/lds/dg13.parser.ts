/**
 * DG13, Vietnamese personal data: `6D` → SEQUENCE { INTEGER version, OID, SET OF SEQUENCE
 * { INTEGER fieldNumber, value(s) } }. Parsed by field number, never by position: any
 * SEQUENCE whose first element is an INTEGER 1–16 followed only by strings (or, for field 13,
 * a nested SEQUENCE of strings) is a field, wherever it sits. Any field may be missing.
 * Field 16 (16 hex chars, meaning unconfirmed) is kept raw. Never throws.
 */
import {
  cleanAddress,
  cleanName,
  type Identity,
  type Result,
  childrenOf,
  expectTlv,
  MAX_TLV_DEPTH,
  type Tlv,
  decodeSmallInt,
  decodeString,
  isStringTag,
  TAG,
} from '@kiosk/protocol';
import { makeDate, parseSlashDate, parseYear, toIsoDate } from '../dates';
import { DG_TAGS } from './lds-files';
import { fromTlv, type LdsError } from './lds-error';

export interface Dg13 {
  idNumber?: string;
  fullName?: string;
  /** As printed, `dd/MM/yyyy` (may be partial on old records). */
  dateOfBirth?: string;
  sex?: string;
  nationality?: string;
  /** Sensitive: never logged, not forwarded in Identity. */
  ethnicity?: string;
  /** Sensitive: never logged, not forwarded in Identity. */
  religion?: string;
  placeOfOrigin?: string;
  placeOfResidence?: string;
  identifyingMarks?: string;
  issueDate?: string;
  /** A date, or a word for lifetime cards (unconfirmed). */
  expiryDate?: string;
  fatherName?: string;
  motherName?: string;
  spouseName?: string;
  oldIdNumber?: string;
  /** Field 16 as stored. */
  field16Raw?: string;
  /** Every field found, by number, with all its string values. */
  fields: Map<number, string[]>;
  /** Structural oddities worth a log line (no personal data in them). */
  anomalies: string[];
}

const NAMES: Record<number, keyof Dg13> = {
  1: 'idNumber',
  2: 'fullName',
  3: 'dateOfBirth',
  4: 'sex',
  5: 'nationality',
  6: 'ethnicity',
  7: 'religion',
  8: 'placeOfOrigin',
  9: 'placeOfResidence',
  10: 'identifyingMarks',
  11: 'issueDate',
  12: 'expiryDate',
  14: 'spouseName',
  15: 'oldIdNumber',
  16: 'field16Raw',
};

const MAX_NODES = 4096;

export function parseDg13(bytes: Uint8Array): Result<Dg13, LdsError> {
  const outer = expectTlv(bytes, DG_TAGS[13] ?? 0x6d);
  if (!outer.ok) return fromTlv('DG13', outer.error);
  const dg: Dg13 = { fields: new Map(), anomalies: [] };
  let nodes = 0;

  const strings = (list: readonly Tlv[], depth: number): string[] | undefined => {
    const out: string[] = [];
    for (const t of list) {
      if (isStringTag(t.tag)) {
        const s = decodeString(t.tag, t.value);
        if (s === undefined) {
          dg.anomalies.push(`undecodable string (tag ${t.tag})`);
          out.push('');
        } else out.push(s);
      } else if (t.tag === TAG.SEQUENCE && depth < 3) {
        const kids = childrenOf(t);
        if (!kids.ok) return undefined;
        // A nested element may itself be { INTEGER index, string }: drop the index.
        const inner = kids.value[0]?.tag === TAG.INTEGER ? kids.value.slice(1) : kids.value;
        const s = strings(inner, depth + 1);
        if (s === undefined) return undefined;
        out.push(...s);
      } else return undefined;
    }
    return out;
  };

  const visit = (tlv: Tlv, depth: number): Result<null, LdsError> => {
    if (++nodes > MAX_NODES) {
      dg.anomalies.push('too many nodes');
      return { ok: true, value: null };
    }
    if (!tlv.constructed || depth > MAX_TLV_DEPTH) return { ok: true, value: null };
    const kids = childrenOf(tlv);
    if (!kids.ok) return fromTlv('DG13', kids.error);
    const [first, ...rest] = kids.value;
    if (tlv.tag === TAG.SEQUENCE && first?.tag === TAG.INTEGER) {
      const n = decodeSmallInt(first.value);
      if (n !== undefined && n >= 1 && n <= 16) {
        const values = strings(rest, 0);
        if (values !== undefined) {
          if (dg.fields.has(n)) dg.anomalies.push(`field ${n} repeated`);
          else dg.fields.set(n, values);
          return { ok: true, value: null };
        }
      }
    }
    for (const k of kids.value) {
      const r = visit(k, depth + 1);
      if (!r.ok) return r;
    }
    return { ok: true, value: null };
  };

  const r = visit(outer.value, 0);
  if (!r.ok) return r;

  for (const [n, values] of dg.fields) {
    const nonEmpty = values.map((v) => v.normalize('NFC').trim()).filter((v) => v !== '');
    if (n === 13) {
      if (nonEmpty[0]) dg.fatherName = nonEmpty[0];
      if (nonEmpty[1]) dg.motherName = nonEmpty[1];
      continue;
    }
    const key = NAMES[n];
    const value = n === 16 ? values.join('') : nonEmpty.join(' ');
    if (key && value !== '') (dg as unknown as Record<string, string>)[key] = value;
  }
  return { ok: true, value: dg };
}

/** DG13 date `dd/MM/yyyy`, or partial `MM/yyyy` / `yyyy` → `YYYY-MM-DD` or `YYYY`. */
export function dg13DateToIso(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const s = text.trim();
  const full = parseSlashDate(s);
  if (full) return toIsoDate(full);
  const dashed = /^(\d{1,2})-(\d{1,2})-(\d{4})$/u.exec(s);
  if (dashed) {
    const d = makeDate(Number(dashed[3]), Number(dashed[2]), Number(dashed[1]));
    if (d) return toIsoDate(d);
  }
  // Partial dates on old records: `MM/yyyy`, `00/00/yyyy`, `00/MM/yyyy`, `yyyy` → the year alone.
  // A complete but impossible date (31/02/1988) is not partial: undefined.
  const partial = /^(?:(\d{1,2})[/-])?(?:(\d{1,2})[/-])?(\d{4})$/u.exec(s);
  if (!partial) return undefined;
  const [, a, b, y] = partial;
  const parts = [a, b].filter((p): p is string => p !== undefined).map(Number);
  if (parts.length === 2 && parts[0] !== 0 && parts[1] !== 0) return undefined;
  if (parts.some((p) => p > 31) || (parts.length === 1 && (parts[0] ?? 0) > 12)) return undefined;
  const year = parseYear(y ?? '');
  return year !== undefined ? String(year) : undefined;
}

function sexOf(text: string | undefined): Identity['sex'] | undefined {
  const s = text?.normalize('NFC').trim().toLocaleLowerCase('vi');
  if (s === 'nam' || s === 'male' || s === 'm') return 'male';
  if (s === 'nữ' || s === 'nu' || s === 'female' || s === 'f') return 'female';
  return s ? 'other' : undefined;
}

/**
 * The protocol Identity from DG13 (and the DG1 MRZ as a fallback for name and DOB).
 * Undefined when no name or no date of birth can be found.
 */
export function dg13ToIdentity(
  dg13: Dg13,
  fallback: { fullName?: string; dateOfBirth?: string; idNumber?: string; sex?: Identity['sex'] } = {},
): Identity | undefined {
  const fullName = cleanName(dg13.fullName ?? fallback.fullName ?? '');
  const dateOfBirth = dg13DateToIso(dg13.dateOfBirth) ?? fallback.dateOfBirth;
  if (!fullName || !dateOfBirth) return undefined;
  const identity: Identity = { source: 'chip', fullName, dateOfBirth };
  const id = dg13.idNumber?.trim() ?? fallback.idNumber;
  if (id && /^\d{12}$/u.test(id)) identity.idNumber = id;
  const old = dg13.oldIdNumber?.trim();
  if (old && /^\d{9}$/u.test(old)) identity.oldIdNumber = old;
  const sex = sexOf(dg13.sex) ?? fallback.sex;
  if (sex) identity.sex = sex;
  const address = cleanAddress(dg13.placeOfResidence ?? '');
  if (address) identity.address = address;
  const issue = dg13DateToIso(dg13.issueDate);
  if (issue) identity.issueDate = issue;
  return identity;
}
