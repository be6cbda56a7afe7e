/**
 * BAC "MRZ information" (ICAO 9303-11 §4.3): document number (`<`-padded to 9) + check digit
 * + DOB YYMMDD + cd + expiry YYMMDD + cd. For a CCCD the document number is the last 9
 * digits of the 12-digit ID; only the 12-digit shape is validated (the prefix scheme expired).
 */
import { err, ok, type Result } from '@kiosk/protocol';
import { makeDate, type CalendarDate } from '../dates';
import { mrzCheckDigit } from './check-digit';

/** `YYYY-MM-DD` → YYMMDD; a CalendarDate likewise; a 6-char MRZ date field is passed through. */
export function toMrzDate(value: string | CalendarDate): string | undefined {
  if (typeof value !== 'string') {
    if (!makeDate(value.year, value.month, value.day)) return undefined;
    return `${String(value.year % 100).padStart(2, '0')}${String(value.month).padStart(2, '0')}${String(value.day).padStart(2, '0')}`;
  }
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/u.exec(value);
  if (iso) {
    const d = makeDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));
    return d ? toMrzDate(d) : undefined;
  }
  return /^[\d<]{6}$/u.test(value) ? value : undefined;
}

/** BAC key seed text from the three MRZ fields. */
export function bacKeyInfo(documentNumber: string, dateOfBirth: string, dateOfExpiry: string): Result<string> {
  const doc = documentNumber.trim().toUpperCase();
  if (!/^[0-9A-Z<]{1,22}$/u.test(doc)) return err('bad-document-number', 'document number has invalid characters');
  const docField = doc.length < 9 ? doc.padEnd(9, '<') : doc;
  const dob = toMrzDate(dateOfBirth);
  const exp = toMrzDate(dateOfExpiry);
  if (!dob) return err('bad-date', 'date of birth is not a full date');
  if (!exp) return err('bad-date', 'date of expiry is not a full date');
  return ok(`${docField}${mrzCheckDigit(docField)}${dob}${mrzCheckDigit(dob)}${exp}${mrzCheckDigit(exp)}`);
}

export interface CccdKeyInput {
  /** 12-digit CCCD number. */
  idNumber: string;
  /** `YYYY-MM-DD` (a year-only DOB cannot open the chip). */
  dateOfBirth: string | CalendarDate;
  /** `YYYY-MM-DD`, a CalendarDate, or a raw 6-char MRZ expiry field. */
  dateOfExpiry: string | CalendarDate;
}

export function cccdBacKeyInfo(input: CccdKeyInput): Result<string> {
  if (!/^\d{12}$/u.test(input.idNumber)) return err('bad-id-number', 'ID number is not 12 digits');
  const dob = toMrzDate(input.dateOfBirth);
  const exp = toMrzDate(input.dateOfExpiry);
  if (!dob) return err('bad-date', 'date of birth is not a full date');
  if (!exp) return err('bad-date', 'date of expiry is not a full date');
  return bacKeyInfo(input.idNumber.slice(3), dob, exp);
}
