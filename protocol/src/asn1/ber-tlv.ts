/**
 * BER-TLV reading for ICAO LDS files and secure-messaging data objects (ISO 7816-4 /
 * X.690 DER subset): multi-byte tags up to 4 bytes, definite lengths up to 4 length bytes.
 * Indefinite lengths are refused (DER and the LDS never use them). Never throws: every
 * structural fault is a typed rejection with its offset. Values are views, not copies.
 */
import type { AppError, Result } from '../result';

export type TlvRejection = 'tlv-truncated' | 'tlv-bad-tag' | 'tlv-bad-length' | 'tlv-too-deep' | 'tlv-unexpected-tag';

export interface TlvError extends AppError {
  code: TlvRejection;
  offset: number;
}

export interface Tlv {
  /** Tag bytes as a number, e.g. 0x5F1F, 0x7F61, 0x30. */
  tag: number;
  constructed: boolean;
  /** Offset of the tag within the parsed buffer. */
  offset: number;
  headerLength: number;
  length: number;
  value: Uint8Array;
  /** Tag + length + value. */
  raw: Uint8Array;
}

export const MAX_TLV_DEPTH = 16;

export function tlvError(code: TlvRejection, message: string, offset: number): { ok: false; error: TlvError } {
  return { ok: false, error: { code, message, offset } };
}

/** Reads one TLV at `offset` of `buf`. */
export function readTlv(buf: Uint8Array, offset = 0): Result<Tlv, TlvError> {
  let p = offset;
  if (p >= buf.length) return tlvError('tlv-truncated', 'no tag', p);
  const first = buf[p++] ?? 0;
  let tag = first;
  if ((first & 0x1f) === 0x1f) {
    let n = 0;
    for (;;) {
      if (p >= buf.length) return tlvError('tlv-truncated', 'multi-byte tag cut short', offset);
      const b = buf[p++] ?? 0;
      tag = tag * 256 + b;
      if (++n > 3) return tlvError('tlv-bad-tag', 'tag longer than 4 bytes', offset);
      if ((b & 0x80) === 0) break;
    }
  }
  if (p >= buf.length) return tlvError('tlv-truncated', 'no length', p);
  const l0 = buf[p++] ?? 0;
  let length: number;
  if (l0 < 0x80) length = l0;
  else if (l0 === 0x80) return tlvError('tlv-bad-length', 'indefinite length', p - 1);
  else {
    const n = l0 & 0x7f;
    if (n > 4) return tlvError('tlv-bad-length', 'length field longer than 4 bytes', p - 1);
    if (p + n > buf.length) return tlvError('tlv-truncated', 'length bytes cut short', p);
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + (buf[p++] ?? 0);
  }
  if (length > buf.length - p) return tlvError('tlv-truncated', `value needs ${length} bytes`, p);
  return {
    ok: true,
    value: {
      tag,
      constructed: (first & 0x20) !== 0,
      offset,
      headerLength: p - offset,
      length,
      value: buf.subarray(p, p + length),
      raw: buf.subarray(offset, p + length),
    },
  };
}

/** All TLVs laid end to end in `buf`. Trailing 00/FF filler is tolerated when `allowPadding`. */
export function readTlvList(buf: Uint8Array, options: { allowPadding?: boolean } = {}): Result<Tlv[], TlvError> {
  const out: Tlv[] = [];
  let p = 0;
  while (p < buf.length) {
    if (options.allowPadding && (buf[p] === 0x00 || buf[p] === 0xff)) {
      let q = p;
      while (q < buf.length && (buf[q] === 0x00 || buf[q] === 0xff)) q++;
      if (q === buf.length) break;
    }
    const r = readTlv(buf, p);
    if (!r.ok) return r;
    out.push(r.value);
    p += r.value.raw.length;
  }
  return { ok: true, value: out };
}

/** The children of a constructed TLV. */
export function childrenOf(tlv: Tlv): Result<Tlv[], TlvError> {
  if (!tlv.constructed) return tlvError('tlv-unexpected-tag', `tag ${tagHex(tlv.tag)} is primitive`, tlv.offset);
  const r = readTlvList(tlv.value);
  if (!r.ok) return tlvError(r.error.code, r.error.message, tlv.offset + tlv.headerLength + r.error.offset);
  return r;
}

/** Reads one TLV that must carry `tag` and must fill the buffer (trailing bytes allowed if `allowTrailing`). */
export function expectTlv(
  buf: Uint8Array,
  tag: number,
  options: { allowTrailing?: boolean } = {},
): Result<Tlv, TlvError> {
  const r = readTlv(buf, 0);
  if (!r.ok) return r;
  if (r.value.tag !== tag)
    return tlvError('tlv-unexpected-tag', `expected tag ${tagHex(tag)}, found ${tagHex(r.value.tag)}`, 0);
  if (!options.allowTrailing && r.value.raw.length !== buf.length) {
    const rest = buf.subarray(r.value.raw.length);
    if (!rest.every((b) => b === 0x00 || b === 0xff))
      return tlvError('tlv-bad-length', 'bytes after the outer TLV', r.value.raw.length);
  }
  return r;
}

export function findTlv(list: readonly Tlv[], tag: number): Tlv | undefined {
  return list.find((t) => t.tag === tag);
}

export function tagHex(tag: number): string {
  return tag.toString(16).toUpperCase().padStart(2, '0');
}

/** Encodes a BER length. */
export function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  if (length < 0x100) return Uint8Array.of(0x81, length);
  if (length < 0x10000) return Uint8Array.of(0x82, length >> 8, length & 0xff);
  if (length < 0x1000000) return Uint8Array.of(0x83, length >> 16, (length >> 8) & 0xff, length & 0xff);
  return Uint8Array.of(0x84, (length >>> 24) & 0xff, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff);
}

function tagBytes(tag: number): Uint8Array {
  const out: number[] = [];
  let t = tag;
  do {
    out.unshift(t & 0xff);
    t = Math.floor(t / 256);
  } while (t > 0);
  return Uint8Array.from(out);
}

/** Encodes one TLV; `value` may be the concatenation of already-encoded children. */
export function encodeTlv(tag: number, ...value: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const v of value) n += v.length;
  const t = tagBytes(tag);
  const l = encodeLength(n);
  const out = new Uint8Array(t.length + l.length + n);
  out.set(t, 0);
  out.set(l, t.length);
  let o = t.length + l.length;
  for (const v of value) {
    out.set(v, o);
    o += v.length;
  }
  return out;
}
