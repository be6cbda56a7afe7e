/**
 * X.690 DER value helpers over the BER-TLV reader: OIDs, INTEGERs, strings, and encoders
 * used to build test certificates and SODs. Decoders never throw.
 */
import { encodeTlv } from './ber-tlv';
import { decodeText, encodeUtf8 } from './text-codec';

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Dotted OID text, or undefined when the encoding is malformed. */
export function decodeOid(value: Uint8Array): string | undefined {
  if (value.length === 0 || value.length > 64) return undefined;
  const arcs: number[] = [];
  let acc = 0;
  let started = false;
  for (let i = 0; i < value.length; i++) {
    const b = value[i] ?? 0;
    if (!started && b === 0x80) return undefined;
    started = true;
    acc = acc * 128 + (b & 0x7f);
    if (acc > Number.MAX_SAFE_INTEGER / 256) return undefined;
    if ((b & 0x80) === 0) {
      arcs.push(acc);
      acc = 0;
      started = false;
    }
  }
  if (started) return undefined;
  const first = arcs.shift() ?? 0;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...arcs].join('.');
}

export function encodeOid(oid: string): Uint8Array {
  const arcs = oid.split('.').map(Number);
  const out: number[] = [];
  const push = (n: number) => {
    const bytes = [n & 0x7f];
    let v = Math.floor(n / 128);
    while (v > 0) {
      bytes.unshift((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(...bytes);
  };
  push((arcs[0] ?? 0) * 40 + (arcs[1] ?? 0));
  for (const a of arcs.slice(2)) push(a);
  return encodeTlv(TAG.OID, Uint8Array.from(out));
}

/** Small non-negative INTEGER (≤ 2^31); undefined when negative, empty or larger. */
export function decodeSmallInt(value: Uint8Array): number | undefined {
  if (value.length === 0 || value.length > 5) return undefined;
  if (((value[0] ?? 0) & 0x80) !== 0) return undefined;
  let n = 0;
  for (const b of value) n = n * 256 + b;
  return n <= 0x7fffffff ? n : undefined;
}

export function encodeInt(n: number | bigint | Uint8Array): Uint8Array {
  let bytes: number[];
  if (n instanceof Uint8Array) bytes = [...n];
  else {
    let v = BigInt(n);
    bytes = [];
    do {
      bytes.unshift(Number(v & 0xffn));
      v >>= 8n;
    } while (v > 0n);
  }
  while (bytes.length > 1 && bytes[0] === 0 && ((bytes[1] ?? 0) & 0x80) === 0) bytes.shift();
  if (((bytes[0] ?? 0) & 0x80) !== 0) bytes.unshift(0);
  return encodeTlv(TAG.INTEGER, Uint8Array.from(bytes));
}

const STRING_TAGS = new Set<number>([
  TAG.UTF8_STRING,
  TAG.PRINTABLE_STRING,
  TAG.T61_STRING,
  TAG.IA5_STRING,
  TAG.BMP_STRING,
]);

export function isStringTag(tag: number): boolean {
  return STRING_TAGS.has(tag);
}

/** Decodes a character string value; undefined for invalid UTF-8 / UCS-2. */
export function decodeString(tag: number, value: Uint8Array): string | undefined {
  try {
    if (tag === TAG.BMP_STRING) {
      if (value.length % 2 !== 0) return undefined;
      let s = '';
      for (let i = 0; i < value.length; i += 2) s += String.fromCharCode(((value[i] ?? 0) << 8) | (value[i + 1] ?? 0));
      return s;
    }
    if (tag === TAG.UTF8_STRING) return decodeText('utf-8', value, true);
    return decodeText('latin1', value);
  } catch {
    return undefined;
  }
}

export const seq = (...children: Uint8Array[]): Uint8Array => encodeTlv(TAG.SEQUENCE, ...children);
export const set = (...children: Uint8Array[]): Uint8Array => encodeTlv(TAG.SET, ...children);
export const octets = (value: Uint8Array): Uint8Array => encodeTlv(TAG.OCTET_STRING, value);
export const utf8 = (text: string): Uint8Array => encodeTlv(TAG.UTF8_STRING, encodeUtf8(text));
export const printable = (text: string): Uint8Array => encodeTlv(TAG.PRINTABLE_STRING, encodeUtf8(text));
export const nullValue = (): Uint8Array => Uint8Array.of(TAG.NULL, 0);
