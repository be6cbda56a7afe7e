/**
 * The chip side of PACE for the virtual CCCD (ICAO 9303-11 §4.4.4): MSE:Set AT chooses the
 * protocol and password (MRZ or CAN), then the four GENERAL AUTHENTICATE steps; the last one
 * checks the terminal's token (6300 when it does not verify: a wrong password) and answers the
 * chip's. Commands and answers are plain APDU fields; the virtual chip wraps them.
 */
import { bytesEqual } from '../../identity/icao/bytes';
import { AesSecureMessaging } from '../../identity/icao/secure-messaging';
import { encodeBerTlv, readTlv, readTlvList, decodeOid } from '@kiosk/protocol';
import { encodePoint, randomScalar, type EcCurve, type EcPoint } from '../../identity/pace/ec';
import {
  authenticationToken,
  encryptNonce,
  mapGenerator,
  passwordKey,
  PACE_ALGORITHMS,
  pointFrom,
  sessionKeysFrom,
  sharedSecret,
  type PaceAlgorithm,
  type PacePassword,
} from '../../identity/pace/pace-crypto';

export interface PaceChipConfig {
  algorithm: PaceAlgorithm;
  curve: EcCurve;
  parameterId: number;
  /** Passwords the chip accepts, by MSE:Set AT reference (01 MRZ, 02 CAN). */
  passwords: Partial<Record<1 | 2, PacePassword>>;
  random: (n: number) => Uint8Array;
}

export interface PaceChipAnswer {
  data: Uint8Array;
  sw: number;
  /** Set on the answer that completes PACE: the secure-messaging session to use from now on. */
  sm?: AesSecureMessaging;
}

type Step = 'idle' | 'set' | 'nonce' | 'mapped' | 'agreed';

export class PaceChipSession {
  private step: Step = 'idle';
  private password: PacePassword | undefined;
  private nonce: Uint8Array | undefined;
  private skMap = 0n;
  private generator: EcPoint | undefined;
  private sk = 0n;
  private pk: EcPoint | undefined;
  private terminalKey: EcPoint | undefined;
  private keys: { ksEnc: Uint8Array; ksMac: Uint8Array } | undefined;

  constructor(private readonly config: PaceChipConfig) {}

  reset(): void {
    this.step = 'idle';
    this.password = undefined;
  }

  /** MSE:Set AT (P1P2 C1A4): 80 protocol, 83 password reference, optional 84 parameter id. */
  setAt(data: Uint8Array): PaceChipAnswer {
    this.reset();
    const list = readTlvList(data);
    if (!list.ok) return { data: new Uint8Array(0), sw: 0x6a80 };
    const get = (tag: number) => list.value.find((t) => t.tag === tag)?.value;
    const oid = get(0x80);
    const ref = get(0x83);
    const param = get(0x84);
    const protocol = oid ? decodeOid(oid) : undefined;
    if (!protocol || !PACE_ALGORITHMS[protocol] || protocol !== this.config.algorithm.oid)
      return { data: new Uint8Array(0), sw: 0x6a80 };
    if (param && (param.length !== 1 || param[0] !== this.config.parameterId))
      return { data: new Uint8Array(0), sw: 0x6a88 };
    const password = ref?.length === 1 ? this.config.passwords[ref[0] as 1 | 2] : undefined;
    if (!password) return { data: new Uint8Array(0), sw: 0x6a88 };
    this.password = password;
    this.step = 'set';
    return { data: new Uint8Array(0), sw: 0x9000 };
  }

  /** GENERAL AUTHENTICATE; `chained` is CLA bit 10 (every step but the last). */
  generalAuthenticate(data: Uint8Array, chained: boolean): PaceChipAnswer {
    const fail = (sw: number): PaceChipAnswer => {
      this.reset();
      return { data: new Uint8Array(0), sw };
    };
    const outer = readTlv(data);
    if (!outer.ok || outer.value.tag !== 0x7c) return fail(0x6a80);
    const inner = readTlvList(outer.value.value);
    if (!inner.ok) return fail(0x6a80);
    const value = (tag: number) => inner.value.find((t) => t.tag === tag)?.value;
    const { curve, algorithm } = this.config;
    const answer = (tag: number, v: Uint8Array): PaceChipAnswer => ({
      data: encodeBerTlv(0x7c, encodeBerTlv(tag, v)),
      sw: 0x9000,
    });
    if (this.step === 'set' && chained && inner.value.length === 0 && this.password) {
      this.nonce = this.config.random(16);
      this.step = 'nonce';
      return answer(0x80, encryptNonce(passwordKey(this.password, algorithm.keyBytes), this.nonce));
    }
    if (this.step === 'nonce' && chained && this.nonce) {
      const terminalMap = pointFrom(curve, value(0x81));
      if (!terminalMap.ok) return fail(0x6a80);
      this.skMap = randomScalar(curve, this.config.random);
      const mapped = mapGenerator(curve, this.nonce, this.skMap, terminalMap.value);
      if (!mapped.ok) return fail(0x6a80);
      this.generator = mapped.value;
      this.step = 'mapped';
      return answer(0x82, encodePoint(curve.Point.BASE.multiply(this.skMap)));
    }
    if (this.step === 'mapped' && chained && this.generator) {
      const terminal = pointFrom(curve, value(0x83));
      if (!terminal.ok) return fail(0x6a80);
      this.sk = randomScalar(curve, this.config.random);
      this.pk = this.generator.multiply(this.sk);
      const k = sharedSecret(curve, this.sk, terminal.value);
      if (!k.ok) return fail(0x6a80);
      this.terminalKey = terminal.value;
      this.keys = sessionKeysFrom(k.value, algorithm.keyBytes);
      this.step = 'agreed';
      return answer(0x84, encodePoint(this.pk));
    }
    if (this.step === 'agreed' && !chained && this.keys && this.pk && this.terminalKey) {
      const token = value(0x85);
      const expected = authenticationToken(this.keys.ksMac, algorithm.oid, this.pk);
      if (!token || !bytesEqual(token, expected)) return fail(0x6300);
      const keys = this.keys;
      const mine = authenticationToken(keys.ksMac, algorithm.oid, this.terminalKey);
      this.reset();
      return { ...answer(0x86, mine), sm: new AesSecureMessaging(keys) };
    }
    return fail(0x6985);
  }
}
