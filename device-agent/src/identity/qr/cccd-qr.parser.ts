/**
 * The QR on the front of the 2021 CCCD card, UTF-8, `|`-separated:
 * `ID(12)|old ID(9, may be empty)|full name|DOB ddmmyyyy|sex Nam/Nữ|address|issue date ddmmyyyy`,
 * or a 6-field variant without the old-ID field. Anything else is rejected with a reason;
 * the parser never throws.
 */
import { identitySchema, type Identity } from '@kiosk/protocol';
import { parseDdMmYyyy, toIsoDate } from '../dates';
import { cleanText, payloadText, reject, trimPayload, type ScanParseResult } from './qr-text';

export const CCCD_ID_PATTERN = /^\d{12}$/u;

/** True when the payload looks like a CCCD QR attempt (first field 12 digits, `|`-separated). */
export function looksLikeCccdQr(payload: string): boolean {
  const text = trimPayload(payload);
  const bar = text.indexOf('|');
  return bar === 12 && CCCD_ID_PATTERN.test(text.slice(0, 12));
}

export function parseSex(text: string): Identity['sex'] | undefined {
  const s = text.normalize('NFC').trim().toLocaleLowerCase('vi');
  if (s === 'nam') return 'male';
  if (s === 'nữ' || s === 'nu') return 'female';
  return undefined;
}

export function parseCccdQr(payload: string): ScanParseResult<Identity> {
  const read = payloadText(payload);
  if (!read.ok) return read;
  const text = read.value;

  const fields = text.split('|');
  // Cards without an old ID number leave its field out: six fields, the old ID blank.
  const seven = fields.length === 6 ? [fields[0], '', ...fields.slice(1)] : fields;
  if (seven.length !== 7)
    return reject('wrong-field-count', `CCCD QR has ${fields.length} fields, expected 7 (or 6 without the old ID)`);
  const [idField, oldIdField, nameField, dobField, sexField, addressField, issueField] = seven as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];

  const idNumber = idField.trim();
  if (!CCCD_ID_PATTERN.test(idNumber)) return reject('bad-id-number', 'ID number is not 12 digits');

  const oldId = oldIdField.trim();
  // Old CMND numbers are 9 digits; a 12-digit value (a previous CCCD) is accepted but not kept,
  // since the protocol's oldIdNumber holds CMND numbers only.
  if (oldId !== '' && !/^\d{9}$|^\d{12}$/u.test(oldId)) return reject('bad-id-number', 'old ID is not 9 or 12 digits');

  const fullName = cleanText(nameField);
  if (fullName === '') return reject('missing-name', 'full name is empty');
  if (fullName.length > 200) return reject('too-long', 'full name longer than 200 chars');

  const dob = parseDdMmYyyy(dobField.trim());
  if (!dob) return reject('bad-date', 'date of birth is not a valid ddmmyyyy date');

  const sex = parseSex(sexField);
  if (!sex) return reject('bad-sex', 'sex is neither Nam nor Nữ');

  const address = cleanText(addressField);
  if (address.length > 500) return reject('too-long', 'address longer than 500 chars');

  const issue = parseDdMmYyyy(issueField.trim());
  if (!issue) return reject('bad-date', 'issue date is not a valid ddmmyyyy date');

  const identity: Identity = {
    source: 'cccd-qr',
    idNumber,
    fullName,
    dateOfBirth: toIsoDate(dob),
    sex,
    issueDate: toIsoDate(issue),
  };
  if (/^\d{9}$/u.test(oldId)) identity.oldIdNumber = oldId;
  if (address !== '') identity.address = address;

  const checked = identitySchema.safeParse(identity);
  if (!checked.success) return reject('unknown-format', 'CCCD QR fields do not form a valid identity');
  return { ok: true, value: checked.data };
}
