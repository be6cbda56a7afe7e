/**
 * VietQR (NAPAS 247 transfer by QR): EMVCo merchant-presented payloads, `ID(2) LEN(2) VALUE`
 * fields, closed by a CRC-16/CCITT-FALSE over everything up to and including `6304`.
 *
 * Lengths count characters of the value. The builder only writes printable ASCII (what every
 * bank app reads back alike); the parser accepts what it is given and never throws.
 */
import { err, ok, type Result } from './result';

/** NAPAS's application identifier in field 38/00. */
export const VIETQR_GUID = 'A000000727';
export type VietQrService = 'QRIBFTTA' | 'QRIBFTTC';

export interface TlvField {
  id: string;
  value: string;
}

export interface VietQrPayment {
  /** `12` dynamic (one amount, one use) when an amount is set; `11` static otherwise. */
  dynamic: boolean;
  /** The beneficiary's bank BIN (6 digits, e.g. 970436). */
  bankBin: string;
  /** Account number (to an account) or card number (to a card). */
  accountNumber: string;
  service: VietQrService;
  /** Integer VND. */
  amountVnd?: number;
  /** Field 62/08: the purpose the payer's bank echoes back in the transfer content. */
  reference?: string;
}

/** UTF-8 bytes of a string (protocol runs without DOM or Node typings). */
function* utf8(text: string): Generator<number> {
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x80) yield cp;
    else if (cp < 0x800) yield* [0xc0 | (cp >> 6), 0x80 | (cp & 63)];
    else if (cp < 0x10000) yield* [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)];
    else yield* [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)];
  }
}

/** CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final xor) over UTF-8 bytes. */
export function crc16CcittFalse(text: string): number {
  let crc = 0xffff;
  for (const byte of utf8(text)) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

const crcHex = (text: string): string => crc16CcittFalse(text).toString(16).toUpperCase().padStart(4, '0');

/** Split one level of `ID LEN VALUE` fields; a short or non-numeric header is `vietqr-malformed`. */
export function parseTlv(text: string): Result<TlvField[]> {
  const fields: TlvField[] = [];
  let at = 0;
  while (at < text.length) {
    const id = text.slice(at, at + 2);
    const len = text.slice(at + 2, at + 4);
    if (!/^\d{2}$/u.test(id) || !/^\d{2}$/u.test(len)) {
      return err('vietqr-malformed', `field header at ${at} is not two digits and a two-digit length`);
    }
    const length = Number(len);
    const value = text.slice(at + 4, at + 4 + length);
    if (value.length !== length) return err('vietqr-malformed', `field ${id} is cut short`);
    fields.push({ id, value });
    at += 4 + length;
  }
  return ok(fields);
}

/** Join fields; each value must fit in 99 characters. */
export function encodeTlv(fields: readonly TlvField[]): Result<string> {
  let out = '';
  for (const { id, value } of fields) {
    if (!/^\d{2}$/u.test(id)) return err('vietqr-invalid-field', `field id ${id} is not two digits`);
    if (value.length > 99) return err('vietqr-invalid-field', `field ${id} is longer than 99 characters`);
    out += `${id}${String(value.length).padStart(2, '0')}${value}`;
  }
  return ok(out);
}

const BIN = /^\d{6}$/u;
const ACCOUNT = /^[0-9A-Za-z]{1,19}$/u;
/** Printable ASCII without the characters bank apps are known to strip or mangle. */
const REFERENCE = /^[0-9A-Za-z .\-/]{1,25}$/u;
const MAX_AMOUNT_VND = 9_999_999_999_999;

/** Build the payload of a VietQR; invalid input is a Result, never a half-built string. */
export function buildVietQr(payment: VietQrPayment): Result<string> {
  if (!BIN.test(payment.bankBin)) return err('vietqr-invalid-field', 'bank BIN must be 6 digits');
  if (!ACCOUNT.test(payment.accountNumber))
    return err('vietqr-invalid-field', 'account number must be 1–19 letters or digits');
  if (
    payment.amountVnd !== undefined &&
    !(Number.isSafeInteger(payment.amountVnd) && payment.amountVnd > 0 && payment.amountVnd <= MAX_AMOUNT_VND)
  ) {
    return err('vietqr-invalid-field', 'amount must be a positive whole number of VND (at most 13 digits)');
  }
  if (payment.reference !== undefined && !REFERENCE.test(payment.reference)) {
    return err('vietqr-invalid-field', 'reference must be 1–25 letters, digits, spaces or . - /');
  }
  if (payment.dynamic && payment.amountVnd === undefined)
    return err('vietqr-invalid-field', 'a dynamic VietQR carries an amount');
  const beneficiary = encodeTlv([
    { id: '00', value: payment.bankBin },
    { id: '01', value: payment.accountNumber },
  ]);
  if (!beneficiary.ok) return beneficiary;
  const merchant = encodeTlv([
    { id: '00', value: VIETQR_GUID },
    { id: '01', value: beneficiary.value },
    { id: '02', value: payment.service },
  ]);
  if (!merchant.ok) return merchant;
  const fields: TlvField[] = [
    { id: '00', value: '01' },
    { id: '01', value: payment.dynamic ? '12' : '11' },
    { id: '38', value: merchant.value },
    { id: '53', value: '704' },
  ];
  if (payment.amountVnd !== undefined) fields.push({ id: '54', value: String(payment.amountVnd) });
  fields.push({ id: '58', value: 'VN' });
  if (payment.reference !== undefined) {
    const additional = encodeTlv([{ id: '08', value: payment.reference }]);
    if (!additional.ok) return additional;
    fields.push({ id: '62', value: additional.value });
  }
  const body = encodeTlv(fields);
  if (!body.ok) return body;
  const signed = `${body.value}6304`;
  return ok(`${signed}${crcHex(signed)}`);
}

/** True when the payload ends in a `63 04 XXXX` field matching the CRC of what precedes it. */
export function hasValidVietQrCrc(text: string): boolean {
  if (text.length < 8 || text.slice(-8, -4) !== '6304') return false;
  return crcHex(text.slice(0, -4)) === text.slice(-4).toUpperCase();
}

/**
 * Read a VietQR back: the CRC, the NAPAS GUID, the beneficiary, currency VND and country VN are
 * required; anything else is a `vietqr-*` error. Fields this reader does not use are skipped.
 */
export function parseVietQr(text: string): Result<VietQrPayment> {
  if (text.length > 512) return err('vietqr-malformed', 'payload longer than a QR of this kind carries');
  const top = parseTlv(text);
  if (!top.ok) return top;
  const last = top.value.at(-1);
  if (last?.id !== '63' || last.value.length !== 4) return err('vietqr-malformed', 'no CRC field at the end');
  if (!hasValidVietQrCrc(text)) return err('vietqr-bad-crc', 'the CRC does not match the payload');
  const get = (fields: TlvField[], id: string): string | undefined => fields.find((f) => f.id === id)?.value;
  if (get(top.value, '00') !== '01') return err('vietqr-malformed', 'payload format indicator is not 01');
  const initiation = get(top.value, '01');
  if (initiation !== undefined && initiation !== '11' && initiation !== '12') {
    return err('vietqr-invalid-field', 'point of initiation is neither 11 nor 12');
  }
  const merchantText = get(top.value, '38');
  if (merchantText === undefined) return err('vietqr-not-vietqr', 'no merchant account field 38');
  const merchant = parseTlv(merchantText);
  if (!merchant.ok) return merchant;
  if (get(merchant.value, '00') !== VIETQR_GUID)
    return err('vietqr-not-vietqr', 'field 38 does not carry the NAPAS GUID');
  const service = get(merchant.value, '02') ?? 'QRIBFTTA';
  if (service !== 'QRIBFTTA' && service !== 'QRIBFTTC') return err('vietqr-invalid-field', 'unknown service code');
  const beneficiaryText = get(merchant.value, '01');
  if (beneficiaryText === undefined) return err('vietqr-invalid-field', 'no beneficiary in field 38');
  const beneficiary = parseTlv(beneficiaryText);
  if (!beneficiary.ok) return beneficiary;
  const bankBin = get(beneficiary.value, '00');
  const accountNumber = get(beneficiary.value, '01');
  if (bankBin === undefined || !BIN.test(bankBin)) return err('vietqr-invalid-field', 'bank BIN is not 6 digits');
  if (accountNumber === undefined || !ACCOUNT.test(accountNumber))
    return err('vietqr-invalid-field', 'bad account number');
  if (get(top.value, '53') !== '704') return err('vietqr-invalid-field', 'currency is not VND (704)');
  if (get(top.value, '58') !== 'VN') return err('vietqr-invalid-field', 'country is not VN');
  const payment: VietQrPayment = { dynamic: initiation === '12', bankBin, accountNumber, service };
  const amount = get(top.value, '54');
  if (amount !== undefined) {
    if (!/^\d{1,13}$/u.test(amount) || Number(amount) === 0)
      return err('vietqr-invalid-field', 'amount is not a whole number of VND');
    payment.amountVnd = Number(amount);
  }
  const additionalText = get(top.value, '62');
  if (additionalText !== undefined) {
    const additional = parseTlv(additionalText);
    if (!additional.ok) return additional;
    const reference = get(additional.value, '08');
    if (reference !== undefined) payment.reference = reference;
  }
  return ok(payment);
}
