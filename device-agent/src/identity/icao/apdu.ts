/** ISO 7816-4 command APDUs: encoding (short, or extended when needed) and decoding. */
import type { AppError, Result } from '@kiosk/protocol';
import { concat } from './bytes';

export interface CommandApdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  data?: Uint8Array;
  /** Expected response length, 1..65536; 256 is encoded `00` in short form. */
  le?: number;
}

export function encodeCommandApdu(apdu: CommandApdu): Uint8Array {
  const header = Uint8Array.of(apdu.cla & 0xff, apdu.ins & 0xff, apdu.p1 & 0xff, apdu.p2 & 0xff);
  const data = apdu.data ?? new Uint8Array(0);
  const le = apdu.le;
  const extended = data.length > 255 || (le !== undefined && le > 256);
  if (!extended) {
    const lc = data.length > 0 ? concat(Uint8Array.of(data.length), data) : new Uint8Array(0);
    const leBytes = le === undefined ? new Uint8Array(0) : Uint8Array.of(le === 256 ? 0 : le);
    return concat(header, lc, leBytes);
  }
  const lc = data.length > 0 ? concat(Uint8Array.of(0, data.length >> 8, data.length & 0xff), data) : new Uint8Array(0);
  let leBytes = new Uint8Array(0);
  if (le !== undefined) {
    const v = le === 65536 ? 0 : le;
    leBytes = data.length > 0 ? Uint8Array.of(v >> 8, v & 0xff) : Uint8Array.of(0, v >> 8, v & 0xff);
  }
  return concat(header, lc, leBytes);
}

/** Decodes cases 1–4, short and extended. */
export function decodeCommandApdu(bytes: Uint8Array): Result<CommandApdu, AppError> {
  const bad = (message: string) => ({ ok: false as const, error: { code: 'apdu-malformed', message } });
  if (bytes.length < 4) return bad('shorter than a header');
  const [cla = 0, ins = 0, p1 = 0, p2 = 0] = bytes;
  const base: CommandApdu = { cla, ins, p1, p2 };
  const body = bytes.subarray(4);
  if (body.length === 0) return { ok: true, value: base };
  if (body.length === 1) return { ok: true, value: { ...base, le: body[0] === 0 ? 256 : (body[0] ?? 0) } };
  const b0 = body[0] ?? 0;
  if (b0 !== 0) {
    // Short: Lc data [Le]
    if (body.length === 1 + b0) return { ok: true, value: { ...base, data: body.subarray(1) } };
    if (body.length === 2 + b0) {
      const le = body[1 + b0] ?? 0;
      return { ok: true, value: { ...base, data: body.subarray(1, 1 + b0), le: le === 0 ? 256 : le } };
    }
    return bad('Lc does not match the body');
  }
  // Extended (b0 == 0 and more than one body byte)
  if (body.length === 3) {
    const le = ((body[1] ?? 0) << 8) | (body[2] ?? 0);
    return { ok: true, value: { ...base, le: le === 0 ? 65536 : le } };
  }
  const lc = ((body[1] ?? 0) << 8) | (body[2] ?? 0);
  if (lc === 0) return bad('extended Lc of zero');
  if (body.length === 3 + lc) return { ok: true, value: { ...base, data: body.subarray(3) } };
  if (body.length === 5 + lc) {
    const le = ((body[3 + lc] ?? 0) << 8) | (body[4 + lc] ?? 0);
    return { ok: true, value: { ...base, data: body.subarray(3, 3 + lc), le: le === 0 ? 65536 : le } };
  }
  return bad('extended Lc does not match the body');
}
