/**
 * Chip Authentication (ICAO 9303-11 §6.2, BSI TR-03110): an ephemeral ECDH with the chip's static
 * key from DG14, then new session keys. Only a chip holding the private key of DG14 can derive
 * them, so a chip that cannot go on with secure messaging under the new keys is a clone (its
 * DG14 and EF.SOD copied, its key not). Two ways in, chosen by the DG14 ChipAuthenticationInfo:
 * - 3DES (id-CA-ECDH-3DES-CBC-CBC): MSE:Set KAT `00 22 41 A6` { 91 PK.PCD [84 key id] } (CA v1);
 * - AES (id-CA-ECDH-AES-CBC-CMAC-128/192/256): MSE:Set AT `00 22 41 A4` { 80 OID [84 key id] },
 *   then GENERAL AUTHENTICATE { 7C { 80 PK.PCD } } (CA v2).
 * Both commands go under the current session; the new keys (SSC zero) apply from the next one.
 */
import type { AppError, Result } from '@kiosk/protocol';
import type { ApduChannel } from '../chip/apdu-channel';
import { swHex } from '../icao/bytes';
import { kdf, KDF_ENC, KDF_MAC } from '../icao/des';
import { AesSecureMessaging, SecureMessaging, type SecureChannel } from '../icao/secure-messaging';
import type { ChipAuthenticationInfo, ChipAuthenticationPublicKey } from '../lds/security-infos.parser';
import { ID_CA } from '../lds/security-infos.parser';
import { encodeBerTlv, readTlv, encodeOid } from '@kiosk/protocol';
import { decodePoint, encodePoint, randomScalar, type EcCurve } from '../pace/ec';
import { paceKdf, sharedSecret, type AesKeyBytes } from '../pace/pace-crypto';

export type CaCipher = { kind: '3des' } | { kind: 'aes'; keyBytes: AesKeyBytes };

/** id-CA-ECDH-* → cipher; DH variants are not supported. */
export const CA_ECDH_PROTOCOLS: Readonly<Record<string, CaCipher>> = {
  [`${ID_CA}.2.1`]: { kind: '3des' },
  [`${ID_CA}.2.2`]: { kind: 'aes', keyBytes: 16 },
  [`${ID_CA}.2.3`]: { kind: 'aes', keyBytes: 24 },
  [`${ID_CA}.2.4`]: { kind: 'aes', keyBytes: 32 },
};

export interface CaOutcome {
  status: 'verified' | 'not-supported' | 'failed';
  /** Staff-facing reason (no personal data). */
  reason?: string;
  /** Protocol OID used. */
  protocol?: string;
}

export interface CaError extends AppError {
  code: 'card-removed' | 'reader-error';
}

/** Session keys from the CA shared secret K, as secure messaging of the given cipher. */
export function caSecureMessaging(cipher: CaCipher, k: Uint8Array): SecureChannel {
  if (cipher.kind === '3des')
    return new SecureMessaging({ ksEnc: kdf(k, KDF_ENC), ksMac: kdf(k, KDF_MAC), ssc: new Uint8Array(8) });
  return new AesSecureMessaging({ ksEnc: paceKdf(k, 1, cipher.keyBytes), ksMac: paceKdf(k, 2, cipher.keyBytes) });
}

export interface ChipAuthenticationInput {
  /** ChipAuthenticationInfo of DG14 (absent: 3DES, as CA v1 chips may omit it). */
  info?: ChipAuthenticationInfo;
  publicKey: ChipAuthenticationPublicKey;
  random: (n: number) => Uint8Array;
  /** File to SELECT under the new keys to prove them (one the chip is known to hold: DG14). */
  probeFileId: number;
}

/**
 * Runs CA and swaps the channel to the new keys. `failed` means the chip refused CA or could not
 * continue secure messaging with the new keys: it does not hold the key of DG14.
 */
export async function runChipAuthentication(
  channel: ApduChannel,
  input: ChipAuthenticationInput,
): Promise<Result<CaOutcome, CaError>> {
  const protocol = input.info?.protocol ?? `${ID_CA}.2.1`;
  const cipher = CA_ECDH_PROTOCOLS[protocol];
  if (!cipher) return { ok: true, value: { status: 'not-supported', reason: `protocol ${protocol}`, protocol } };
  const curve: EcCurve | undefined = input.publicKey.curve;
  if (!curve)
    return { ok: true, value: { status: 'not-supported', reason: 'chip key curve not understood', protocol } };
  const chipKey = decodePoint(curve, input.publicKey.publicPoint);
  if (!chipKey.ok)
    return { ok: true, value: { status: 'failed', reason: `DG14 key: ${chipKey.error.message}`, protocol } };
  const sk = randomScalar(curve, input.random);
  const pk = curve.Point.BASE.multiply(sk);
  const keyId = input.info?.keyId ?? input.publicKey.keyId;
  const keyRef = keyId === undefined ? new Uint8Array(0) : encodeBerTlv(0x84, Uint8Array.of(keyId & 0xff));
  const failed = (reason: string) => ({ ok: true as const, value: { status: 'failed' as const, reason, protocol } });

  if (cipher.kind === '3des') {
    const r = await channel.send({
      cla: 0x00,
      ins: 0x22,
      p1: 0x41,
      p2: 0xa6,
      data: Uint8Array.from([...encodeBerTlv(0x91, encodePoint(pk)), ...keyRef]),
    });
    if (!r.ok)
      return r.error.code === 'card-removed' || r.error.code === 'reader-error'
        ? { ok: false, error: { code: r.error.code, message: r.error.message } }
        : failed(`MSE:Set KAT: ${r.error.code}`);
    if (r.value.sw !== 0x9000 || r.value.unprotected) return failed(`MSE:Set KAT refused (${swHex(r.value.sw)})`);
  } else {
    const oid = readTlv(encodeOid(protocol));
    const set = await channel.send({
      cla: 0x00,
      ins: 0x22,
      p1: 0x41,
      p2: 0xa4,
      data: Uint8Array.from([...encodeBerTlv(0x80, oid.ok ? oid.value.value : new Uint8Array(0)), ...keyRef]),
    });
    if (!set.ok)
      return set.error.code === 'card-removed' || set.error.code === 'reader-error'
        ? { ok: false, error: { code: set.error.code, message: set.error.message } }
        : failed(`MSE:Set AT: ${set.error.code}`);
    if (set.value.sw !== 0x9000 || set.value.unprotected) return failed(`MSE:Set AT refused (${swHex(set.value.sw)})`);
    const ga = await channel.send({
      cla: 0x00,
      ins: 0x86,
      p1: 0x00,
      p2: 0x00,
      data: encodeBerTlv(0x7c, encodeBerTlv(0x80, encodePoint(pk))),
      le: 256,
    });
    if (!ga.ok)
      return ga.error.code === 'card-removed' || ga.error.code === 'reader-error'
        ? { ok: false, error: { code: ga.error.code, message: ga.error.message } }
        : failed(`GENERAL AUTHENTICATE: ${ga.error.code}`);
    if (ga.value.sw !== 0x9000 || ga.value.unprotected)
      return failed(`GENERAL AUTHENTICATE refused (${swHex(ga.value.sw)})`);
  }

  const k = sharedSecret(curve, sk, chipKey.value);
  if (!k.ok) return failed(k.error.message);
  channel.sm = caSecureMessaging(cipher, k.value);
  // Proof: a protected answer under the new keys. A chip without the DG14 key cannot verify our
  // MAC (it answers 6988 in plain, or drops the session) nor MAC its answer.
  const probe = await channel.send({
    cla: 0x00,
    ins: 0xa4,
    p1: 0x02,
    p2: 0x0c,
    data: Uint8Array.of((input.probeFileId >> 8) & 0xff, input.probeFileId & 0xff),
  });
  if (!probe.ok) {
    if (probe.error.code === 'card-removed' || probe.error.code === 'reader-error')
      return { ok: false, error: { code: probe.error.code, message: probe.error.message } };
    return failed(`no secure messaging under the new keys (${probe.error.code})`);
  }
  if (probe.value.unprotected)
    return failed(`chip answered ${swHex(probe.value.sw)} without secure messaging under the new keys`);
  return { ok: true, value: { status: 'verified', protocol } };
}
