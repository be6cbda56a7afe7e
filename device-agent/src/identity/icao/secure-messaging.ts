/**
 * ICAO 9303-11 §9.8 secure messaging, one structure for both cipher suites:
 * - `SecureMessaging`: 3DES session keys (BAC, or CA with 3DES), 8-byte SSC, IV zero,
 *   retail MAC;
 * - `AesSecureMessaging`: AES keys (PACE, CA with AES), 16-byte SSC from zero, the IV of each
 *   message is AES-ECB(KSenc, SSC), MAC = AES-CMAC cut to 8 bytes.
 * The SSC is incremented before every protected command and every response.
 * Command: CLA |= 0x0C; DO'87' = 87 L 01 ‖ E(pad(data)) (DO'85' = 85 L E(pad(data)) for an odd
 * INS, whose data are BER-TLV); DO'97' = Le; DO'8E' = MAC over pad(SSC ‖ pad(header) ‖ DO87 ‖
 * DO97). Response: DO'87'/'85' ‖ DO'99' ‖ DO'8E' with the MAC over pad(SSC ‖ DO87 ‖ DO99).
 * Both sides are implemented (terminal and chip). A command whose body or Le does not fit a short
 * APDU is sent extended (only where the reader supports it: the caller decides the Le).
 */
import type { AppError, Result } from '@kiosk/protocol';
import { encodeBerTlv, readTlvList, type Tlv } from '@kiosk/protocol';
import type { CommandApdu } from './apdu';
import { aesCbcDecrypt, aesCbcEncrypt, aesCmac, aesEcbEncrypt } from './aes';
import type { SessionKeys } from './bac';
import { bytesEqual, concat, statusWord, u16 } from './bytes';
import { retailMac, tdesDecrypt, tdesEncrypt } from './des';

export type SmRejection = 'sm-bad-mac' | 'sm-malformed' | 'sm-unprotected-status';

export interface SmError extends AppError {
  code: SmRejection;
  /** For `sm-unprotected-status`: the plain status word the card answered (any plain data is dropped). */
  sw?: number;
}

export interface ResponseApdu {
  data: Uint8Array;
  sw: number;
  /** A plain status received while secure messaging was on (its MAC proves nothing). */
  unprotected?: true;
}

/** What file reading, chip authentication and the virtual chip need of a secure-messaging session. */
export interface SecureChannel {
  /** `3des` (BAC, CA-3DES) or `aes` (PACE, CA-AES). */
  readonly cipher: '3des' | 'aes';
  /** The current counter value (mutated in place). */
  readonly ssc: Uint8Array;
  /** Chip side: a plain answer still uses up the response's counter value. */
  incrementSsc(): void;
  wrapCommand(apdu: CommandApdu): Uint8Array;
  unwrapResponse(response: Uint8Array): Result<ResponseApdu, SmError>;
  unwrapCommand(raw: Uint8Array): Result<CommandApdu, SmError>;
  wrapResponse(data: Uint8Array, sw: number, options?: { oddIns?: boolean }): Uint8Array;
}

/** Tags a protected response starts with. */
const SM_RESPONSE_TAGS = new Set([0x85, 0x87, 0x99, 0x8e]);

const smErr = (code: SmRejection, message: string, sw?: number): { ok: false; error: SmError } => ({
  ok: false,
  error: sw === undefined ? { code, message } : { code, message, sw },
});

/** ISO 9797-1 padding method 2 to a multiple of `block` bytes. */
export function padTo(data: Uint8Array, block: number): Uint8Array {
  const out = new Uint8Array((Math.floor(data.length / block) + 1) * block);
  out.set(data);
  out[data.length] = 0x80;
  return out;
}

/** Removes method-2 padding of at most one block; undefined when malformed. */
export function unpadFrom(data: Uint8Array, block: number): Uint8Array | undefined {
  let i = data.length - 1;
  while (i >= 0 && data[i] === 0) i--;
  if (i < 0 || data[i] !== 0x80 || data.length - i > block) return undefined;
  return data.subarray(0, i);
}

abstract class SecureMessagingBase implements SecureChannel {
  abstract readonly cipher: '3des' | 'aes';
  readonly ksEnc: Uint8Array;
  readonly ksMac: Uint8Array;
  readonly ssc: Uint8Array;
  protected abstract readonly block: number;

  constructor(keys: SessionKeys) {
    this.ksEnc = Uint8Array.from(keys.ksEnc);
    this.ksMac = Uint8Array.from(keys.ksMac);
    this.ssc = Uint8Array.from(keys.ssc);
  }

  /** Encrypts whole blocks for the message of the current SSC. */
  protected abstract encrypt(padded: Uint8Array): Uint8Array;
  protected abstract decrypt(cryptogram: Uint8Array): Uint8Array;
  /** The 8-byte MAC over pad(message); `message` is SSC ‖ data objects, unpadded. */
  protected abstract macOver(message: Uint8Array): Uint8Array;

  incrementSsc(): void {
    for (let i = this.ssc.length - 1; i >= 0; i--) {
      this.ssc[i] = ((this.ssc[i] ?? 0) + 1) & 0xff;
      if (this.ssc[i] !== 0) break;
    }
  }

  private mac(...parts: Uint8Array[]): Uint8Array {
    return this.macOver(concat(this.ssc, ...parts));
  }

  private pad(data: Uint8Array): Uint8Array {
    return padTo(data, this.block);
  }

  /** DO'87' (even INS: padding-content indicator 01) or DO'85' (odd INS) over the encrypted data. */
  private cryptogramDo(data: Uint8Array, oddIns: boolean): Uint8Array {
    if (data.length === 0) return new Uint8Array(0);
    const c = this.encrypt(this.pad(data));
    return oddIns ? encodeBerTlv(0x85, c) : encodeBerTlv(0x87, Uint8Array.of(0x01), c);
  }

  private openCryptogram(t: Tlv): Result<Uint8Array, SmError> {
    const c = t.tag === 0x87 ? t.value.subarray(1) : t.value;
    if ((t.tag === 0x87 && t.value[0] !== 0x01) || c.length === 0 || c.length % this.block !== 0)
      return smErr('sm-malformed', `DO${t.tag.toString(16).toUpperCase()} is not padded ${this.cipher} data`);
    const data = unpadFrom(this.decrypt(c), this.block);
    if (!data) return smErr('sm-malformed', 'cryptogram padding is malformed');
    return { ok: true, value: Uint8Array.from(data) };
  }

  // ---- terminal side ------------------------------------------------------------------------

  /** Protects a plain command APDU (extended when its body or Le needs it). */
  wrapCommand(apdu: CommandApdu): Uint8Array {
    this.incrementSsc();
    const header = Uint8Array.of((apdu.cla | 0x0c) & 0xff, apdu.ins, apdu.p1, apdu.p2);
    const do87 = this.cryptogramDo(apdu.data ?? new Uint8Array(0), (apdu.ins & 1) === 1);
    const do97 =
      apdu.le === undefined
        ? new Uint8Array(0)
        : encodeBerTlv(0x97, apdu.le > 256 ? u16(apdu.le === 65536 ? 0 : apdu.le) : Uint8Array.of(apdu.le & 0xff));
    const do8e = encodeBerTlv(0x8e, this.mac(this.pad(header), do87, do97));
    const body = concat(do87, do97, do8e);
    if (body.length <= 255 && (apdu.le ?? 0) <= 256)
      return concat(header, Uint8Array.of(body.length), body, Uint8Array.of(0));
    return concat(header, Uint8Array.of(0), u16(body.length), body, Uint8Array.of(0, 0));
  }

  /**
   * Verifies and decrypts a protected response APDU (data objects + SW). A response without
   * DO'8E' and with a status other than 9000 is a plain status (`sm-unprotected-status`): some
   * chips send warnings and errors that way; any data beside it is dropped, never trusted.
   */
  unwrapResponse(response: Uint8Array): Result<ResponseApdu, SmError> {
    this.incrementSsc();
    if (response.length < 2) return smErr('sm-malformed', 'response shorter than a status word');
    const outerSw = statusWord(response);
    const body = response.subarray(0, response.length - 2);
    if (body.length === 0) return smErr('sm-unprotected-status', 'card answered without secure messaging', outerSw);
    // Plain data beside a warning or error (no secure-messaging data object first): a status only.
    const sw1 = outerSw >> 8;
    if (!SM_RESPONSE_TAGS.has(body[0] ?? 0) && sw1 >= 0x62 && sw1 <= 0x6f)
      return smErr('sm-unprotected-status', 'card answered a status without secure messaging', outerSw);
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
    const data = this.openCryptogram(do87);
    return data.ok ? { ok: true, value: { data: data.value, sw } } : data;
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
      if (t.tag === 0x87 || t.tag === 0x85) do87 = t;
      else if (t.tag === 0x97) do97 = t;
      else if (t.tag === 0x8e) do8e = t;
      else return smErr('sm-malformed', 'unexpected data object');
    }
    if (!do8e || do8e.length !== 8) return smErr('sm-malformed', 'command has no DO8E');
    const expected = this.mac(this.pad(header), do87?.raw ?? new Uint8Array(0), do97?.raw ?? new Uint8Array(0));
    if (!bytesEqual(expected, do8e.value)) return smErr('sm-bad-mac', 'command MAC does not verify');
    const apdu: CommandApdu = {
      cla: (header[0] ?? 0) & ~0x0c & 0xff,
      ins: header[1] ?? 0,
      p1: header[2] ?? 0,
      p2: header[3] ?? 0,
    };
    if (do87) {
      const data = this.openCryptogram(do87);
      if (!data.ok) return data;
      apdu.data = data.value;
    }
    if (do97) {
      const v = do97.value;
      const le = v.length === 1 ? (v[0] ?? 0) : v.length === 2 ? ((v[0] ?? 0) << 8) | (v[1] ?? 0) : -1;
      if (le < 0) return smErr('sm-malformed', 'DO97 malformed');
      apdu.le = le === 0 ? (v.length === 1 ? 256 : 65536) : le;
    }
    return { ok: true, value: apdu };
  }

  /** Chip: protects a response (DO'85' for the answer to an odd INS). */
  wrapResponse(data: Uint8Array, sw: number, options: { oddIns?: boolean } = {}): Uint8Array {
    this.incrementSsc();
    const do87 = this.cryptogramDo(data, options.oddIns ?? false);
    const do99 = encodeBerTlv(0x99, u16(sw));
    const do8e = encodeBerTlv(0x8e, this.mac(do87, do99));
    return concat(do87, do99, do8e, u16(sw));
  }
}

/** 3DES secure messaging (BAC, CA with 3DES): IV zero, retail MAC, 8-byte SSC. */
export class SecureMessaging extends SecureMessagingBase {
  readonly cipher = '3des' as const;
  protected readonly block = 8;
  protected encrypt(padded: Uint8Array): Uint8Array {
    return tdesEncrypt(this.ksEnc, padded);
  }
  protected decrypt(cryptogram: Uint8Array): Uint8Array {
    return tdesDecrypt(this.ksEnc, cryptogram);
  }
  protected macOver(message: Uint8Array): Uint8Array {
    return retailMac(this.ksMac, message);
  }
}

/** AES secure messaging (PACE, CA with AES): IV = AES-ECB(KSenc, SSC), AES-CMAC/8, 16-byte SSC. */
export class AesSecureMessaging extends SecureMessagingBase {
  readonly cipher = 'aes' as const;
  protected readonly block = 16;
  /** `ssc` defaults to 16 zero bytes, as after PACE or chip authentication. */
  constructor(keys: { ksEnc: Uint8Array; ksMac: Uint8Array; ssc?: Uint8Array }) {
    super({ ksEnc: keys.ksEnc, ksMac: keys.ksMac, ssc: keys.ssc ?? new Uint8Array(16) });
  }
  private iv(): Uint8Array {
    return aesEcbEncrypt(this.ksEnc, this.ssc);
  }
  protected encrypt(padded: Uint8Array): Uint8Array {
    return aesCbcEncrypt(this.ksEnc, padded, this.iv());
  }
  protected decrypt(cryptogram: Uint8Array): Uint8Array {
    return aesCbcDecrypt(this.ksEnc, cryptogram, this.iv());
  }
  protected macOver(message: Uint8Array): Uint8Array {
    // ICAO 9303-11 §9.8.6.1 pads the MAC input for AES as for 3DES, although CMAC would not need it.
    return aesCmac(this.ksMac, padTo(message, 16)).subarray(0, 8);
  }
}
