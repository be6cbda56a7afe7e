/**
 * MRZ parsing (ICAO 9303-4/5): TD1 (3 × 30, ID cards incl. CCCD) and TD3 (2 × 44, passports).
 * Every check digit is verified; failures are typed rejections naming the field. On a CCCD the
 * 9-character document number is the last 9 digits of the 12-digit ID, the full ID sits in the
 * optional data and the last character of line 1 is the check digit of the 12-digit ID.
 */
import type { AppError, Result } from '@kiosk/protocol';
import { checkDigitMatches } from './check-digit';

export type MrzRejection = 'mrz-bad-length' | 'mrz-bad-charset' | 'mrz-bad-check-digit' | 'mrz-bad-date';
export type MrzField = 'document-number' | 'date-of-birth' | 'date-of-expiry' | 'optional-data' | 'composite';

export interface MrzError extends AppError {
  code: MrzRejection;
  field?: MrzField;
}

export interface Mrz {
  format: 'TD1' | 'TD3';
  documentCode: string;
  issuingState: string;
  /** Full document number (long TD1 numbers continued in the optional data are joined). */
  documentNumber: string;
  /** The 9-character field plus its check digit, as BAC uses them. */
  documentNumberField: string;
  documentNumberCheckDigit: string;
  /** YYMMDD as printed (`<` allowed for unknown parts). */
  dateOfBirth: string;
  dateOfBirthCheckDigit: string;
  sex: 'male' | 'female' | 'other';
  dateOfExpiry: string;
  dateOfExpiryCheckDigit: string;
  nationality: string;
  optionalData1: string;
  optionalData2: string;
  primaryIdentifier: string;
  secondaryIdentifier: string;
  /** CCCD only: the 12-digit ID from the optional data, when its check digit verifies. */
  idNumber?: string;
  /** BAC MRZ information: document number field + cd + DOB + cd + expiry + cd. */
  bacKeyInfo: string;
}

const MRZ_CHARS = /^[0-9A-Z<]*$/u;

function fail(code: MrzRejection, message: string, field?: MrzField): { ok: false; error: MrzError } {
  return { ok: false, error: field ? { code, message, field } : { code, message } };
}

/** Splits and normalizes MRZ text: CR/LF separated lines, or one run of 90/88 characters. */
export function splitMrzLines(text: string): string[] {
  const cleaned = text.replace(/[ \t]/gu, '').toUpperCase();
  const lines = cleaned.split(/\r?\n/u).filter((l) => l.length > 0);
  if (lines.length === 1) {
    const one = lines[0] ?? '';
    if (one.length === 90) return [one.slice(0, 30), one.slice(30, 60), one.slice(60)];
    if (one.length === 88) return [one.slice(0, 44), one.slice(44)];
  }
  return lines;
}

function names(field: string): { primaryIdentifier: string; secondaryIdentifier: string } {
  const [primary = '', ...rest] = field.split('<<');
  const clean = (s: string) => s.replace(/</gu, ' ').trim();
  return { primaryIdentifier: clean(primary), secondaryIdentifier: clean(rest.join(' ')) };
}

function sexOf(ch: string): Mrz['sex'] {
  return ch === 'M' ? 'male' : ch === 'F' ? 'female' : 'other';
}

function isYymmdd(s: string): boolean {
  if (!/^\d{6}$/u.test(s)) return /^[\d<]{6}$/u.test(s);
  const mm = Number(s.slice(2, 4));
  const dd = Number(s.slice(4, 6));
  return mm >= 1 && mm <= 12 && dd >= 1 && dd <= 31;
}

export function parseMrz(text: string): Result<Mrz, MrzError> {
  if (typeof text !== 'string' || text.length > 400) return fail('mrz-bad-length', 'MRZ text has the wrong size');
  const lines = splitMrzLines(text);
  for (const l of lines) if (!MRZ_CHARS.test(l)) return fail('mrz-bad-charset', 'MRZ has characters outside 0-9 A-Z <');
  if (lines.length === 3 && lines.every((l) => l.length === 30)) return parseTd1(lines as [string, string, string]);
  if (lines.length === 2 && lines.every((l) => l.length === 44)) return parseTd3(lines as [string, string]);
  return fail('mrz-bad-length', 'MRZ is neither TD1 (3 × 30) nor TD3 (2 × 44)');
}

interface CommonFields {
  docField: string;
  docCd: string;
  dob: string;
  dobCd: string;
  expiry: string;
  expiryCd: string;
}

function checkCommon(f: CommonFields): { ok: false; error: MrzError } | undefined {
  if (!checkDigitMatches(f.dob, f.dobCd))
    return fail('mrz-bad-check-digit', 'date of birth check digit', 'date-of-birth');
  if (!checkDigitMatches(f.expiry, f.expiryCd))
    return fail('mrz-bad-check-digit', 'date of expiry check digit', 'date-of-expiry');
  if (!isYymmdd(f.dob)) return fail('mrz-bad-date', 'date of birth is not YYMMDD', 'date-of-birth');
  if (!isYymmdd(f.expiry)) return fail('mrz-bad-date', 'date of expiry is not YYMMDD', 'date-of-expiry');
  return undefined;
}

function parseTd1([l1, l2, l3]: [string, string, string]): Result<Mrz, MrzError> {
  const docField = l1.slice(5, 14);
  const docCd = l1.slice(14, 15);
  const opt1 = l1.slice(15, 30);
  const f: CommonFields = {
    docField,
    docCd,
    dob: l2.slice(0, 6),
    dobCd: l2.slice(6, 7),
    expiry: l2.slice(8, 14),
    expiryCd: l2.slice(14, 15),
  };
  let documentNumber = docField.replace(/<+$/u, '');
  let documentNumberCheckDigit = docCd;
  if (docCd === '<' && /^[0-9A-Z]/u.test(opt1)) {
    // Long document number: continues in the optional data, its check digit follows it.
    const m = /^([0-9A-Z]+)([0-9])/u.exec(opt1);
    if (!m) return fail('mrz-bad-check-digit', 'long document number has no check digit', 'document-number');
    documentNumber = `${docField}${m[1]}`;
    documentNumberCheckDigit = m[2] ?? '';
    if (!checkDigitMatches(documentNumber, documentNumberCheckDigit))
      return fail('mrz-bad-check-digit', 'document number check digit', 'document-number');
  } else if (!checkDigitMatches(docField, docCd)) {
    return fail('mrz-bad-check-digit', 'document number check digit', 'document-number');
  }
  const bad = checkCommon(f);
  if (bad) return bad;
  const composite = l1.slice(5, 30) + l2.slice(0, 7) + l2.slice(8, 15) + l2.slice(18, 29);
  if (!checkDigitMatches(composite, l2.slice(29, 30)))
    return fail('mrz-bad-check-digit', 'composite check digit', 'composite');

  const mrz: Mrz = {
    format: 'TD1',
    documentCode: l1.slice(0, 2).replace(/</gu, ''),
    issuingState: l1.slice(2, 5).replace(/</gu, ''),
    documentNumber,
    documentNumberField: docField,
    documentNumberCheckDigit,
    dateOfBirth: f.dob,
    dateOfBirthCheckDigit: f.dobCd,
    sex: sexOf(l2.slice(7, 8)),
    dateOfExpiry: f.expiry,
    dateOfExpiryCheckDigit: f.expiryCd,
    nationality: l2.slice(15, 18).replace(/</gu, ''),
    optionalData1: opt1,
    optionalData2: l2.slice(18, 29),
    ...names(l3),
    bacKeyInfo: `${docField}${docCd}${f.dob}${f.dobCd}${f.expiry}${f.expiryCd}`,
  };
  const id = vnIdFromOptionalData(mrz);
  if (id) mrz.idNumber = id;
  return { ok: true, value: mrz };
}

/** CCCD: optional data `ID(12)<<cd`, the cd (last char of line 1) being the 7-3-1 digit of the ID. */
function vnIdFromOptionalData(mrz: Mrz): string | undefined {
  if (mrz.issuingState !== 'VNM') return undefined;
  const m = /^(\d{12})<*(\d)$/u.exec(mrz.optionalData1);
  if (!m || !checkDigitMatches(m[1] ?? '', m[2] ?? '')) return undefined;
  const id = m[1] ?? '';
  return id.endsWith(mrz.documentNumber) ? id : undefined;
}

function parseTd3([l1, l2]: [string, string]): Result<Mrz, MrzError> {
  const f: CommonFields = {
    docField: l2.slice(0, 9),
    docCd: l2.slice(9, 10),
    dob: l2.slice(13, 19),
    dobCd: l2.slice(19, 20),
    expiry: l2.slice(21, 27),
    expiryCd: l2.slice(27, 28),
  };
  if (!checkDigitMatches(f.docField, f.docCd))
    return fail('mrz-bad-check-digit', 'document number check digit', 'document-number');
  const bad = checkCommon(f);
  if (bad) return bad;
  const opt = l2.slice(28, 42);
  const optCd = l2.slice(42, 43);
  if (!(optCd === '<' && /^<*$/u.test(opt)) && !checkDigitMatches(opt, optCd))
    return fail('mrz-bad-check-digit', 'personal number check digit', 'optional-data');
  const composite = l2.slice(0, 10) + l2.slice(13, 20) + l2.slice(21, 43);
  if (!checkDigitMatches(composite, l2.slice(43, 44)))
    return fail('mrz-bad-check-digit', 'composite check digit', 'composite');
  return {
    ok: true,
    value: {
      format: 'TD3',
      documentCode: l1.slice(0, 2).replace(/</gu, ''),
      issuingState: l1.slice(2, 5).replace(/</gu, ''),
      documentNumber: f.docField.replace(/<+$/u, ''),
      documentNumberField: f.docField,
      documentNumberCheckDigit: f.docCd,
      dateOfBirth: f.dob,
      dateOfBirthCheckDigit: f.dobCd,
      sex: sexOf(l2.slice(20, 21)),
      dateOfExpiry: f.expiry,
      dateOfExpiryCheckDigit: f.expiryCd,
      nationality: l2.slice(10, 13).replace(/</gu, ''),
      optionalData1: opt,
      optionalData2: '',
      ...names(l1.slice(5, 44)),
      bacKeyInfo: `${f.docField}${f.docCd}${f.dob}${f.dobCd}${f.expiry}${f.expiryCd}`,
    },
  };
}
