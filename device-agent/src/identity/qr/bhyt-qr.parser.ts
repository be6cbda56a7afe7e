/**
 * The QR on the BHYT (health-insurance) card: 15 `|`-separated fields, the last one `$`.
 * Name and address are hex-encoded UTF-8. Fields 8–12 are of unconfirmed meaning and are
 * returned raw; field 13 (checksum/signature, algorithm unconfirmed) is kept, not verified.
 * The parser never throws.
 */
import { identitySchema, type Identity } from '@kiosk/protocol';
import { parseSlashDate, parseYear, toIsoDate } from '../dates';
import { cleanText, looksNotUtf8, payloadText, reject, trimPayload, type ScanParseResult } from './qr-text';

export const BHYT_FIELD_COUNT = 15;

export interface BhytQrData {
  identity: Identity;
  /** Field 8, probably the issue date (unconfirmed), ISO when it parses as dd/mm/yyyy. */
  issueDate?: string;
  /** Fields 9–12 as printed, meaning unconfirmed. */
  unconfirmed: string[];
  /** Field 13, kept verbatim; not verified. */
  checksum: string;
}

/** True when the payload claims to be a BHYT QR (ends with the `$` terminator). */
export function looksLikeBhytQr(payload: string): boolean {
  return trimPayload(payload).endsWith('$');
}

/** 15 chars = 2 letters (group) + benefit digit + 2 province digits + 10-digit SI number; newer cards 10 chars. */
export function normalizeBhytCardNumber(text: string): string | undefined {
  const s = text.trim().toUpperCase();
  if (/^[A-Z]{2}\d{13}$/u.test(s) || /^[A-Z0-9]{10}$/u.test(s)) return s;
  return undefined;
}

/** Hex-encoded UTF-8 → text. `bad-hex` for odd length or non-hex; `not-utf8` for invalid sequences. */
export function decodeHexUtf8(
  hex: string,
): { ok: true; value: string } | { ok: false; error: { code: 'bad-hex' | 'not-utf8' } } {
  const h = hex.trim();
  if (h.length % 2 !== 0 || !/^[0-9a-fA-F]*$/u.test(h)) return { ok: false, error: { code: 'bad-hex' } };
  const bytes = new Uint8Array(h.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(h.slice(i * 2, i * 2 + 2), 16);
  try {
    return { ok: true, value: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { ok: false, error: { code: 'not-utf8' } };
  }
}

/** `"92 - 012"` → `"92012"`; a plain digit code is kept; anything else is unknown. */
export function normalizeFacilityCode(text: string): string | undefined {
  const s = text.trim();
  const m = /^(\d{2})\s*-\s*(\d{3})$/u.exec(s);
  if (m) return `${m[1]}${m[2]}`;
  if (/^\d{5}$/u.test(s)) return s;
  return undefined;
}

function parseBhytDate(text: string, allowYearOnly: boolean): string | undefined | null {
  const s = text.trim();
  if (s === '') return undefined;
  const d = parseSlashDate(s);
  if (d) return toIsoDate(d);
  if (allowYearOnly) {
    const y = parseYear(s);
    if (y !== undefined) return String(y);
  }
  return null;
}

export function parseBhytQr(payload: string): ScanParseResult<BhytQrData> {
  const read = payloadText(payload);
  if (!read.ok) return read;
  const text = read.value;

  const fields = text.split('|');
  if (fields.length !== BHYT_FIELD_COUNT || fields[BHYT_FIELD_COUNT - 1]?.trim() !== '$') {
    return reject(
      'wrong-field-count',
      `BHYT QR has ${fields.length} fields, expected ${BHYT_FIELD_COUNT} ending with $`,
    );
  }
  const f = (i: number): string => fields[i] ?? '';

  const insuranceNumber = normalizeBhytCardNumber(f(0));
  if (!insuranceNumber) return reject('bad-card-number', 'card number is neither 15 nor 10 characters');

  const name = decodeHexUtf8(f(1));
  if (!name.ok) return reject(name.error.code, `name field: ${name.error.code}`);
  const fullName = cleanText(name.value);
  if (fullName === '') return reject('missing-name', 'full name is empty');
  if (fullName.length > 200 || looksNotUtf8(fullName)) return reject('too-long', 'full name longer than 200 chars');

  const dob = parseBhytDate(f(2), true);
  if (!dob) return reject('bad-date', 'date of birth is neither dd/mm/yyyy nor a year');

  const sexCode = f(3).trim();
  const sex = sexCode === '1' ? 'male' : sexCode === '2' ? 'female' : undefined;
  if (!sex) return reject('bad-sex', 'sex code is neither 1 nor 2');

  const addr = decodeHexUtf8(f(4));
  if (!addr.ok) return reject(addr.error.code, `address field: ${addr.error.code}`);
  const address = cleanText(addr.value);
  if (address.length > 500) return reject('too-long', 'address longer than 500 chars');

  const validFrom = parseBhytDate(f(6), false);
  if (validFrom === null) return reject('bad-date', 'valid-from is not dd/mm/yyyy');
  const validTo = parseBhytDate(f(7), false);
  if (validTo === null) return reject('bad-date', 'valid-to is not dd/mm/yyyy');

  const identity: Identity = { source: 'bhyt-qr', insuranceNumber, fullName, dateOfBirth: dob, sex };
  if (address !== '') identity.address = address;
  const facility = normalizeFacilityCode(f(5));
  if (facility) identity.primaryCareFacility = facility;
  if (validFrom) identity.insuranceValidFrom = validFrom;
  if (validTo) identity.insuranceValidTo = validTo;

  const checked = identitySchema.safeParse(identity);
  if (!checked.success) return reject('unknown-format', 'BHYT QR fields do not form a valid identity');

  const data: BhytQrData = { identity: checked.data, unconfirmed: fields.slice(9, 13), checksum: f(13) };
  const issued = parseBhytDate(f(8), false);
  if (issued) data.issueDate = issued;
  return { ok: true, value: data };
}
