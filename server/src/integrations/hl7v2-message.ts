/**
 * HL7 v2.5 ADT messages for the HIS (emr.md): A04 register/arrival and A08 demographic update,
 * with MSH, EVN, PID (CCCD, BHYT and MRN repeated in PID-3 as `value^^^Authority^TypeCode`), PV1
 * and an optional IN1 for BHYT; UTF-8 (MSH-18). And the ACK reader (MSA, ERR), which faces
 * outside input and never throws.
 */
import type { EmrCheckIn, EmrPatient } from './emr.port';
import { localDigits, splitVietnameseName } from './vn-core';

export interface Hl7Header {
  sendingApp: string;
  /** The hospital's facility code. */
  sendingFacility: string;
  receivingApp: string;
  receivingFacility: string;
  /** MSH-10, kept on every retry. */
  controlId: string;
  /** MSH-11 */
  processingId: 'P' | 'T' | 'D';
  /** MSH-7, ISO instant. */
  at: string;
  /** Facility UTC offset, `+07:00`. */
  utcOffset: string;
}

/** HL7 escape sequences for the delimiters; line breaks become spaces (they would end the segment). */
export function escapeHl7(text: string): string {
  return text
    .replace(/\\/gu, '\\E\\')
    .replace(/\|/gu, '\\F\\')
    .replace(/\^/gu, '\\S\\')
    .replace(/&/gu, '\\T\\')
    .replace(/~/gu, '\\R\\')
    .replace(/[\r\n]+/gu, ' ');
}

/** `YYYYMMDDHHMMSS+ZZZZ` in facility time. */
export function hl7Timestamp(iso: string, utcOffset: string): string {
  return `${localDigits(iso, utcOffset)}${utcOffset.replace(':', '')}`;
}

/** Fields 1…n of a segment; `undefined` stays empty; trailing empties are dropped. */
function segment(name: string, fields: (string | undefined)[]): string {
  const out = [name, ...fields.map((f) => f ?? '')];
  while (out.length > 1 && out[out.length - 1] === '') out.pop();
  return out.join('|');
}

const cx = (value: string, authority: string, type: string) => `${escapeHl7(value)}^^^${escapeHl7(authority)}^${type}`;

/** PID-3 repetitions: CCCD, old CMND, BHYT, and our patient number as MRN. */
export function patientIdentifierList(p: EmrPatient, facilityCode: string): string {
  const ids: string[] = [];
  if (p.nationalId) ids.push(cx(p.nationalId, 'BCA', 'NNVNM'));
  if (p.oldId) ids.push(cx(p.oldId, 'BCA', 'CZ'));
  if (p.insuranceNumber) ids.push(cx(p.insuranceNumber, 'BHXH', 'HC'));
  ids.push(cx(p.patientId, facilityCode, 'MR'));
  return ids.join('~');
}

function patientName(fullName: string): string {
  const n = splitVietnameseName(fullName);
  // XPN: family ^ given ^ further given names.
  return [n.family ?? '', n.given ?? '', n.middle.join(' ')].map(escapeHl7).join('^').replace(/\^+$/u, '');
}

const sexCode = (sex: EmrPatient['sex']) =>
  sex === 'male' ? 'M' : sex === 'female' ? 'F' : sex === 'other' ? 'O' : 'U';
const hl7Date = (d: string) => d.replaceAll('-', '');

function msh(h: Hl7Header, event: 'A04' | 'A08'): string {
  return [
    'MSH',
    '^~\\&',
    escapeHl7(h.sendingApp),
    escapeHl7(h.sendingFacility),
    escapeHl7(h.receivingApp),
    escapeHl7(h.receivingFacility),
    hl7Timestamp(h.at, h.utcOffset),
    '',
    `ADT^${event}^ADT_A01`,
    escapeHl7(h.controlId),
    h.processingId,
    '2.5',
    '',
    '',
    '',
    '',
    '',
    'UNICODE UTF-8',
  ].join('|');
}

function pid(p: EmrPatient, facilityCode: string): string {
  const fields: (string | undefined)[] = [];
  fields[0] = '1';
  fields[2] = patientIdentifierList(p, facilityCode);
  fields[4] = patientName(p.fullName);
  fields[6] = hl7Date(p.dateOfBirth);
  fields[7] = sexCode(p.sex);
  // XAD: the address as one line in its first component, country VNM.
  fields[10] = p.address ? `${escapeHl7(p.address)}^^^^^VNM` : undefined;
  return segment(
    'PID',
    Array.from({ length: 13 }, (_, i) => fields[i]),
  );
}

/** ADT^A04: the patient registered and arrived for an outpatient visit. */
export function adtA04(c: EmrCheckIn, h: Hl7Header): string {
  const v = c.visit;
  const pv1: (string | undefined)[] = [];
  pv1[0] = '1';
  pv1[1] = 'O';
  // PL: point of care (department) ^ room ^ bed ^ facility.
  pv1[2] = `${escapeHl7(v.department)}^${escapeHl7(v.room)}^^${escapeHl7(h.sendingFacility)}`;
  pv1[18] = `${escapeHl7(v.visitNumber)}^^^${escapeHl7(h.sendingFacility)}^VN`;
  pv1[43] = hl7Timestamp(v.arrivedAt, v.utcOffset);
  const segments = [
    msh(h, 'A04'),
    segment('EVN', ['A04', hl7Timestamp(h.at, h.utcOffset)]),
    pid(c.patient, h.sendingFacility),
    segment(
      'PV1',
      Array.from({ length: 44 }, (_, i) => pv1[i]),
    ),
  ];
  if (c.coverage) {
    const in1: (string | undefined)[] = [];
    in1[0] = '1';
    in1[1] = 'BHYT';
    in1[2] = 'BHXH';
    in1[3] = escapeHl7('Bảo hiểm xã hội Việt Nam');
    in1[11] = c.coverage.validFrom ? hl7Date(c.coverage.validFrom) : undefined;
    in1[12] = c.coverage.validTo ? hl7Date(c.coverage.validTo) : undefined;
    in1[35] = escapeHl7(c.coverage.cardNumber);
    segments.push(
      segment(
        'IN1',
        Array.from({ length: 36 }, (_, i) => in1[i]),
      ),
    );
  }
  return segments.join('\r');
}

/** ADT^A08: demographic update of a known patient (no visit: PV1-2 `N`). */
export function adtA08(p: EmrPatient, h: Hl7Header): string {
  return [
    msh(h, 'A08'),
    segment('EVN', ['A08', hl7Timestamp(h.at, h.utcOffset)]),
    pid(p, h.sendingFacility),
    segment('PV1', ['1', 'N']),
  ].join('\r');
}

export interface Hl7Ack {
  /** MSA-1: AA/AE/AR (original mode) or CA/CE/CR (enhanced). */
  code: 'AA' | 'AE' | 'AR' | 'CA' | 'CE' | 'CR';
  /** MSA-2: the control id acknowledged. */
  controlId: string;
  /** MSA-3 and ERR text, for staff (masked by the caller). */
  text?: string;
  /** ERR-3 identifier (HL7 table 0357), e.g. `207`. */
  errorCode?: string;
}

const ACK_CODES = new Set(['AA', 'AE', 'AR', 'CA', 'CE', 'CR']);

/** Reads an ACK; undefined when it is not one. Never throws. */
export function parseAck(text: unknown): Hl7Ack | undefined {
  if (typeof text !== 'string' || !text.startsWith('MSH') || text.length < 8) return undefined;
  const fieldSep = text[3] ?? '|';
  const componentSep = text[4] ?? '^';
  if (fieldSep === componentSep || /[\r\n\sA-Za-z0-9]/u.test(fieldSep + componentSep)) return undefined;
  const segments = text.split(/\r\n|\r|\n/u).map((s) => s.split(fieldSep));
  const msa = segments.find((s) => s[0] === 'MSA');
  const code = msa?.[1]?.trim();
  if (!msa || !code || !ACK_CODES.has(code)) return undefined;
  const err = segments.find((s) => s[0] === 'ERR');
  const errText = err ? [err[8], err[7], err[3]?.split(componentSep)[1]].find((t) => t && t.trim() !== '') : undefined;
  const errorCode = err?.[3]?.split(componentSep)[0]?.trim();
  const msaText = msa[3]?.trim();
  const combined = [msaText, errText].filter(Boolean).join(' / ');
  return {
    code: code as Hl7Ack['code'],
    controlId: (msa[2] ?? '').trim(),
    ...(combined ? { text: combined.slice(0, 300) } : {}),
    ...(errorCode ? { errorCode: errorCode.slice(0, 20) } : {}),
  };
}
