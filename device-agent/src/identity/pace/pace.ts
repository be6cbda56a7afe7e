/**
 * PACE, terminal side (ICAO 9303-11 §4.4.4): MSE:Set AT, then four chained GENERAL AUTHENTICATE
 * (CLA 10 except the last): encrypted nonce → generic mapping → ephemeral key agreement on the
 * mapped generator → mutual authentication tokens. On success the channel gets AES secure
 * messaging (SSC from zero). Failures say whether BAC may still be tried:
 * - `pace-not-supported`: the chip refused the protocol or its parameters (BAC may work);
 * - `pace-refused`: the chip refused our token, i.e. the password (try another one);
 * - `pace-failed`: a protocol fault (malformed answer, a point off the curve) — BAC may work;
 * - `pace-bad-token`: the chip's token is wrong (it does not know the password: not trusted).
 */
import type { AppError, Result } from '@kiosk/protocol';
import type { ApduChannel, ChannelFault } from '../chip/apdu-channel';
import { bytesEqual, concat, swHex } from '../icao/bytes';
import { AesSecureMessaging } from '../icao/secure-messaging';
import { encodeBerTlv, readTlv, readTlvList, type Tlv, encodeOid } from '@kiosk/protocol';
import { encodePoint, randomScalar, type EcCurve } from './ec';
import {
  authenticationToken,
  decryptNonce,
  mapGenerator,
  passwordKey,
  passwordReference,
  pointFrom,
  sessionKeysFrom,
  sharedSecret,
  type PaceAlgorithm,
  type PacePassword,
} from './pace-crypto';

export type PaceRejection = 'pace-not-supported' | 'pace-refused' | 'pace-failed' | 'pace-bad-token';

export interface PaceError extends AppError {
  code: PaceRejection | ChannelFault['code'];
  /** The PACE step that failed (1 MSE:Set AT, 2 nonce, 3 mapping, 4 key agreement, 5 tokens). */
  step: number;
  sw?: string;
}

export interface PaceParameters {
  algorithm: PaceAlgorithm;
  curve: EcCurve;
  /** Standardized domain parameter id; sent (DO'84') only when `sendParameterId`. */
  parameterId: number;
  /** EF.CardAccess lists several parameter sets: name the one meant (TR-03110 B.1). */
  sendParameterId?: boolean;
  password: PacePassword;
  random: (n: number) => Uint8Array;
}

export interface PaceSession {
  sm: AesSecureMessaging;
  /** The chip's ephemeral public key (its x-coordinate identifies the session for CA). */
  chipPublicKey: Uint8Array;
}

/** MSE:Set AT refusals that mean "not this protocol or these parameters". */
const NOT_SUPPORTED_SW = new Set([0x6a80, 0x6a86, 0x6a88, 0x6d00, 0x6e00, 0x6a81, 0x6985, 0x6b00]);

const fail = (code: PaceError['code'], step: number, message: string, sw?: number) => ({
  ok: false as const,
  error: sw === undefined ? { code, step, message } : { code, step, message, sw: swHex(sw) },
});

/** The dynamic authentication data `7C { … }` of a GENERAL AUTHENTICATE answer, by tag. */
function dynamicData(data: Uint8Array): Map<number, Uint8Array> | undefined {
  const outer = readTlv(data);
  if (!outer.ok || outer.value.tag !== 0x7c) return undefined;
  const inner = readTlvList(outer.value.value);
  if (!inner.ok) return undefined;
  return new Map(inner.value.map((t: Tlv) => [t.tag, t.value]));
}

export async function runPace(channel: ApduChannel, p: PaceParameters): Promise<Result<PaceSession, PaceError>> {
  const { algorithm, curve } = p;
  // MSE:Set AT names the protocol with tag 80 (the OID's content octets) and the password with 83.
  const oid = readTlv(encodeOid(algorithm.oid));
  const mseData = concat(
    encodeBerTlv(0x80, oid.ok ? oid.value.value : new Uint8Array(0)),
    encodeBerTlv(0x83, Uint8Array.of(passwordReference(p.password))),
    p.sendParameterId ? encodeBerTlv(0x84, Uint8Array.of(p.parameterId)) : new Uint8Array(0),
  );
  const set = await channel.send({ cla: 0x00, ins: 0x22, p1: 0xc1, p2: 0xa4, data: mseData });
  if (!set.ok) return fail(set.error.code, 1, set.error.message);
  // 63Cx: password retry counter (a warning, PACE goes on).
  if (set.value.sw !== 0x9000 && (set.value.sw & 0xfff0) !== 0x63c0) {
    const code = NOT_SUPPORTED_SW.has(set.value.sw) ? 'pace-not-supported' : 'pace-failed';
    return fail(code, 1, 'MSE:Set AT refused', set.value.sw);
  }

  const ga = async (last: boolean, tag: number, value: Uint8Array) => {
    const data = value.length > 0 ? encodeBerTlv(0x7c, encodeBerTlv(tag, value)) : Uint8Array.of(0x7c, 0x00);
    return channel.send({ cla: last ? 0x00 : 0x10, ins: 0x86, p1: 0x00, p2: 0x00, data, le: 256 });
  };

  // 1. Encrypted nonce.
  const r1 = await ga(false, 0, new Uint8Array(0));
  if (!r1.ok) return fail(r1.error.code, 2, r1.error.message);
  if (r1.value.sw !== 0x9000) return fail('pace-failed', 2, 'GENERAL AUTHENTICATE (nonce) refused', r1.value.sw);
  const z = dynamicData(r1.value.data)?.get(0x80);
  if (!z) return fail('pace-failed', 2, 'no encrypted nonce (80)');
  const kPi = passwordKey(p.password, algorithm.keyBytes);
  const s = decryptNonce(kPi, z);
  if (!s.ok) return fail('pace-failed', 2, s.error.message);

  // 2. Generic mapping.
  const skMap = randomScalar(curve, p.random);
  const pkMap = curve.Point.BASE.multiply(skMap);
  const r2 = await ga(false, 0x81, encodePoint(pkMap));
  if (!r2.ok) return fail(r2.error.code, 3, r2.error.message);
  if (r2.value.sw !== 0x9000) return fail('pace-failed', 3, 'GENERAL AUTHENTICATE (mapping) refused', r2.value.sw);
  const chipMap = pointFrom(curve, dynamicData(r2.value.data)?.get(0x82));
  if (!chipMap.ok) return fail('pace-failed', 3, `chip mapping key: ${chipMap.error.message}`);
  if (chipMap.value.equals(pkMap)) return fail('pace-failed', 3, 'chip echoed the terminal mapping key');
  const mapped = mapGenerator(curve, s.value, skMap, chipMap.value);
  if (!mapped.ok) return fail('pace-failed', 3, mapped.error.message);

  // 3. Key agreement on the mapped generator.
  const sk = randomScalar(curve, p.random);
  const pk = mapped.value.multiply(sk);
  const r3 = await ga(false, 0x83, encodePoint(pk));
  if (!r3.ok) return fail(r3.error.code, 4, r3.error.message);
  if (r3.value.sw !== 0x9000)
    return fail('pace-failed', 4, 'GENERAL AUTHENTICATE (key agreement) refused', r3.value.sw);
  const chipKey = pointFrom(curve, dynamicData(r3.value.data)?.get(0x84));
  if (!chipKey.ok) return fail('pace-failed', 4, `chip ephemeral key: ${chipKey.error.message}`);
  if (chipKey.value.equals(pk)) return fail('pace-failed', 4, 'chip echoed the terminal ephemeral key');
  const k = sharedSecret(curve, sk, chipKey.value);
  if (!k.ok) return fail('pace-failed', 4, k.error.message);
  const keys = sessionKeysFrom(k.value, algorithm.keyBytes);

  // 4. Mutual authentication.
  const tPcd = authenticationToken(keys.ksMac, algorithm.oid, chipKey.value);
  const r4 = await ga(true, 0x85, tPcd);
  if (!r4.ok) return fail(r4.error.code, 5, r4.error.message);
  if (r4.value.sw !== 0x9000) return fail('pace-refused', 5, 'chip refused the terminal token (password)', r4.value.sw);
  const tPicc = dynamicData(r4.value.data)?.get(0x86);
  if (!tPicc) return fail('pace-failed', 5, 'no chip token (86)');
  if (!bytesEqual(tPicc, authenticationToken(keys.ksMac, algorithm.oid, pk)))
    return fail('pace-bad-token', 5, 'chip token does not verify');
  return {
    ok: true,
    value: {
      sm: new AesSecureMessaging({ ksEnc: keys.ksEnc, ksMac: keys.ksMac }),
      chipPublicKey: encodePoint(chipKey.value),
    },
  };
}
