/**
 * ICAO 9303-11 §9.8 secure messaging with 3DES session keys and an 8-byte send sequence
 * counter (SSC), incremented before every protected command and every response.
 * Command: CLA |= 0x0C; DO'87' = 87 L 01 ‖ 3DES(pad(data)); DO'97' = 97 01 Le;
 * DO'8E' = MAC over pad(SSC ‖ pad(header) ‖ DO87 ‖ DO97). Response: DO'87' ‖ DO'99' ‖ DO'8E'
 * with the MAC over pad(SSC ‖ DO87 ‖ DO99). Both sides are implemented (terminal and chip).
 */
import type { AppError, Result } from '@kiosk/protocol';
import { encodeTlv, readTlvList, type Tlv } from '../tlv/ber-tlv';
import type { CommandApdu } from './apdu';
import { bytesEqual, concat, statusWord, u16 } from './bytes';
import { pad, retailMac, tdesDecrypt, tdesEncrypt, unpad } from './des';
import type { SessionKeys } from './bac';

export type SmRejection = 'sm-bad-mac' | 'sm-malformed' | 'sm-unprotected-status';

export interface SmError extends AppError {
  code: SmRejection;
  /** For `sm-unprotected-status`: the plain status word the card answered. */
  sw?: number;
}

export interface ResponseApdu {
  data: Uint8Array;
  sw: number;
}

const smErr = (code: SmRejection, message: string, sw?: number): { ok: false; error: SmError } => ({
  ok: false,
  error: sw === undefined ? { code, message } : { code, message, sw },
});

export class SecureMessaging {
  readonly ksEnc: Uint8Array;
  readonly ksMac: Uint8Array;
  /** The current counter value (mutated in place). */
  readonly ssc: Uint8Array;

  constructor(keys: SessionKeys) {
    this.ksEnc = Uint8Array.from(keys.ksEnc);
    this.ksMac = Uint8Array.from(keys.ksMac);
    this.ssc = Uint8Array.from(keys.ssc);
  }

  incrementSsc(): void {
    for (let i = this.ssc.length - 1; i >= 0; i--) {
      this.ssc[i] = ((this.ssc[i] ?? 0) + 1) & 0xff;
      if (this.ssc[i] !== 0) break;
    }
  }

  private mac(...parts: Uint8Array[]): Uint8Array {
    return retailMac(this.ksMac, concat(this.ssc, ...parts));
  }

  // ---- terminal side ------------------------------------------------------------------------

  /** Protects a plain command APDU. */
  wrapCommand(apdu: CommandApdu): Uint8Array {
    this.incrementSsc();
    const header = Uint8Array.of((apdu.cla | 0x0c) & 0xff, apdu.ins, apdu.p1, apdu.p2);
    const do87 =
      apdu.data && apdu.data.length > 0
        ? encodeTlv(0x87, Uint8Array.of(0x01), tdesEncrypt(this.ksEnc, pad(apdu.data)))
        : new Uint8Array(0);
    const do97 =
      apdu.le === undefined
        ? new Uint8Array(0)
        : encodeTlv(0x97, apdu.le > 256 ? u16(apdu.le === 65536 ? 0 : apdu.le) : Uint8Array.of(apdu.le & 0xff));
    const do8e = encodeTlv(0x8e, this.mac(pad(header), do87, do97));
    const body = concat(do87, do97, do8e);
    if (body.length <= 255) return concat(header, Uint8Array.of(body.length), body, Uint8Array.of(0));
    return concat(header, Uint8Array.of(0), u16(body.length), body, Uint8Array.of(0, 0));
  }

  /** Verifies and decrypts a protected response APDU (data objects + SW). */
  unwrapResponse(response: Uint8Array): Result<ResponseApdu, SmError> {
    this.incrementSsc();
    if (response.length < 2) return smErr('sm-malformed', 'response shorter than a status word');
    const outerSw = statusWord(response);
    const body = response.subarray(0, response.length - 2);
    if (body.length === 0) return smErr('sm-unprotected-status', 'card answered without secure messaging', outerSw);
    const parsed = readTlvList(body);
    if (!parsed.ok) return smErr('sm-malformed', `response data objects: ${parsed.error.code}`);
    let do87: Tlv | undefined;
    let do99: Tlv | undefined;
    let do8e: Tlv | undefined;
    for (const t of parsed.value) {
      if (t.tag === 0x87 || t.tag === 0x85) do87 = t;
      else if (t.tag === 0x99) do99 = t;
      else if (t.tag === 0x8e) do8e = t;
    }
    if (!do8e || do8e.length !== 8) return smErr('sm-malformed', 'response has no DO8E');
    const macInput = concat(do87?.raw ?? new Uint8Array(0), do99?.raw ?? new Uint8Array(0));
    if (!bytesEqual(this.mac(macInput), do8e.value)) return smErr('sm-bad-mac', 'response MAC does not verify');
    const sw = do99 && do99.length === 2 ? ((do99.value[0] ?? 0) << 8) | (do99.value[1] ?? 0) : outerSw;
    if (!do87) return { ok: true, value: { data: new Uint8Array(0), sw } };
    const crypto = do87.tag === 0x87 ? do87.value.subarray(1) : do87.value;
    if ((do87.tag === 0x87 && do87.value[0] !== 0x01) || crypto.length === 0 || crypto.length % 8 !== 0)
      return smErr('sm-malformed', 'DO87 is not padded 3DES data');
    const data = unpad(tdesDecrypt(this.ksEnc, crypto));
    if (!data) return smErr('sm-malformed', 'DO87 padding is malformed');
    return { ok: true, value: { data: Uint8Array.from(data), sw } };
  }

  // ---- chip side ----------------------------------------------------------------------------

  /** Chip: verifies and decrypts a protected command APDU. */
  unwrapCommand(raw: Uint8Array): Result<CommandApdu, SmError> {
    this.incrementSsc();
    if (raw.length < 5) return smErr('sm-malformed', 'protected command too short');
    const header = raw.subarray(0, 4);
    if (((header[0] ?? 0) & 0x0c) !== 0x0c) return smErr('sm-malformed', 'CLA does not announce secure messaging');
    let body: Uint8Array;
    if (raw[4] === 0 && raw.length > 7) {
      const lc = ((raw[5] ?? 0) << 8) | (raw[6] ?? 0);
      body = raw.subarray(7, 7 + lc);
      if (body.length !== lc) return smErr('sm-malformed', 'extended Lc does not match');
    } else {
      const lc = raw[4] ?? 0;
      body = raw.subarray(5, 5 + lc);
      if (body.length !== lc) return smErr('sm-malformed', 'Lc does not match');
    }
    const parsed = readTlvList(body);
    if (!parsed.ok) return smErr('sm-malformed', `command data objects: ${parsed.error.code}`);
    let do87: Tlv | undefined;
    let do97: Tlv | undefined;
    let do8e: Tlv | undefined;
    for (const t of parsed.value) {
      if (t.tag === 0x87) do87 = t;
      else if (t.tag === 0x97) do97 = t;
      else if (t.tag === 0x8e) do8e = t;
      else return smErr('sm-malformed', 'unexpected data object');
    }
    if (!do8e || do8e.length !== 8) return smErr('sm-malformed', 'command has no DO8E');
    const expected = this.mac(pad(header), do87?.raw ?? new Uint8Array(0), do97?.raw ?? new Uint8Array(0));
    if (!bytesEqual(expected, do8e.value)) return smErr('sm-bad-mac', 'command MAC does not verify');
    const apdu: CommandApdu = {
      cla: (header[0] ?? 0) & ~0x0c & 0xff,
      ins: header[1] ?? 0,
      p1: header[2] ?? 0,
      p2: header[3] ?? 0,
    };
    if (do87) {
      const c = do87.value.subarray(1);
      if (do87.value[0] !== 0x01 || c.length === 0 || c.length % 8 !== 0)
        return smErr('sm-malformed', 'DO87 malformed');
      const data = unpad(tdesDecrypt(this.ksEnc, c));
      if (!data) return smErr('sm-malformed', 'DO87 padding is malformed');
      apdu.data = Uint8Array.from(data);
    }
    if (do97) {
      const v = do97.value;
      const le = v.length === 1 ? (v[0] ?? 0) : v.length === 2 ? ((v[0] ?? 0) << 8) | (v[1] ?? 0) : -1;
      if (le < 0) return smErr('sm-malformed', 'DO97 malformed');
      apdu.le = le === 0 ? (v.length === 1 ? 256 : 65536) : le;
    }
    return { ok: true, value: apdu };
  }

  /** Chip: protects a response. */
  wrapResponse(data: Uint8Array, sw: number): Uint8Array {
    this.incrementSsc();
    const do87 =
      data.length > 0 ? encodeTlv(0x87, Uint8Array.of(0x01), tdesEncrypt(this.ksEnc, pad(data))) : new Uint8Array(0);
    const do99 = encodeTlv(0x99, u16(sw));
    const do8e = encodeTlv(0x8e, this.mac(do87, do99));
    return concat(do87, do99, do8e, u16(sw));
  }
}
