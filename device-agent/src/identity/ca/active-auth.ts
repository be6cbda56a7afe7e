/**
 * Active Authentication (ICAO 9303-11 §6.1): INTERNAL AUTHENTICATE `00 88 00 00 08 RND.IFD 00`
 * under secure messaging; the chip signs the challenge with the private key of DG15.
 * - RSA: ISO/IEC 9796-2 digital signature scheme 1, partial message recovery: the recovered
 *   representative is 6A ‖ M1 ‖ H ‖ trailer, where H = hash(M1 ‖ RND.IFD) and the trailer BC means
 *   SHA-1, or `xx CC` names the hash (33 SHA-1, 34 SHA-256, 35 SHA-512, 36 SHA-384, 38 SHA-224).
 * - ECDSA: a plain r ‖ s signature (BSI TR-03111) over the challenge with the hash DG14's
 *   ActiveAuthenticationInfo names (SHA-256 when it names none).
 * A chip that refuses or signs wrongly does not hold the key of DG15.
 */
import { constants, createPublicKey, publicDecrypt, verify, type KeyObject } from 'node:crypto';
import { createHash } from 'node:crypto';
import type { AppError, Result } from '@kiosk/protocol';
import type { ApduChannel } from '../chip/apdu-channel';
import { bytesEqual, concat, swHex } from '../icao/bytes';
import type { Dg15 } from '../lds/security-infos.parser';
import { bigintFromBytes, bytesFromBigint } from '../pace/ec';

export interface AaOutcome {
  status: 'verified' | 'not-supported' | 'failed';
  reason?: string;
}

export interface AaError extends AppError {
  code: 'card-removed' | 'reader-error';
}

type Hash = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

const TRAILER_HASH: Readonly<Record<number, Hash>> = {
  0x33: 'sha1',
  0x34: 'sha256',
  0x35: 'sha512',
  0x36: 'sha384',
  0x38: 'sha224',
};
export const ISO9796_HASH_ID: Readonly<Record<Hash, number>> = {
  sha1: 0x33,
  sha256: 0x34,
  sha512: 0x35,
  sha384: 0x36,
  sha224: 0x38,
};
const HASH_BYTES: Readonly<Record<Hash, number>> = { sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64 };

/** ecdsa-plain-SHA* (TR-03111) and ecdsa-with-SHA* (X9.62) signature algorithm OIDs → hash. */
const AA_ECDSA_HASH: Readonly<Record<string, Hash>> = {
  '0.4.0.127.0.7.1.1.4.1.1': 'sha1',
  '0.4.0.127.0.7.1.1.4.1.2': 'sha224',
  '0.4.0.127.0.7.1.1.4.1.3': 'sha256',
  '0.4.0.127.0.7.1.1.4.1.4': 'sha384',
  '0.4.0.127.0.7.1.1.4.1.5': 'sha512',
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.10045.4.3.1': 'sha224',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};

const digest = (hash: Hash, data: Uint8Array) => new Uint8Array(createHash(hash).update(data).digest());

/** Checks an ISO 9796-2 scheme 1 recovered representative against the challenge. */
function checkRepresentative(m: Uint8Array, challenge: Uint8Array): boolean {
  if (m.length < 24 || m[0] !== 0x6a) return false;
  let hash: Hash | undefined;
  let trailer = 1;
  if (m[m.length - 1] === 0xbc) hash = 'sha1';
  else if (m[m.length - 1] === 0xcc) {
    hash = TRAILER_HASH[m[m.length - 2] ?? 0];
    trailer = 2;
  }
  if (!hash) return false;
  const hLen = HASH_BYTES[hash];
  const hEnd = m.length - trailer;
  if (hEnd - hLen < 1) return false;
  const m1 = m.subarray(1, hEnd - hLen);
  return bytesEqual(m.subarray(hEnd - hLen, hEnd), digest(hash, concat(m1, challenge)));
}

/** Verifies an AA signature of `challenge` with the DG15 key. */
export function verifyActiveAuthSignature(
  dg15: Dg15,
  challenge: Uint8Array,
  signature: Uint8Array,
  ecdsaAlgorithm?: string,
): AaOutcome {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(dg15.spki), format: 'der', type: 'spki' });
  } catch {
    return { status: 'not-supported', reason: 'DG15 key does not load' };
  }
  try {
    if (key.asymmetricKeyType === 'rsa') {
      const modulusBits = key.asymmetricKeyDetails?.modulusLength ?? 0;
      const k = Math.ceil(modulusBits / 8);
      if (signature.length !== k) return { status: 'failed', reason: 'signature length differs from the modulus' };
      const m = new Uint8Array(publicDecrypt({ key, padding: constants.RSA_NO_PADDING }, signature));
      if (checkRepresentative(m, challenge)) return { status: 'verified' };
      // ISO 9796-2 allows the signer to send n − s; recover from that form too.
      const nHex = key.export({ format: 'jwk' }).n;
      if (nHex) {
        const n = bigintFromBytes(new Uint8Array(Buffer.from(nHex, 'base64url')));
        const alt = bytesFromBigint(n - bigintFromBytes(m), k);
        if (checkRepresentative(alt, challenge)) return { status: 'verified' };
      }
      return { status: 'failed', reason: 'RSA signature does not recover the challenge' };
    }
    if (key.asymmetricKeyType === 'ec') {
      const hash = ecdsaAlgorithm ? AA_ECDSA_HASH[ecdsaAlgorithm] : 'sha256';
      if (!hash) return { status: 'not-supported', reason: `signature algorithm ${ecdsaAlgorithm ?? ''}` };
      const ok = verify(hash, challenge, { key, dsaEncoding: 'ieee-p1363' }, signature);
      return ok ? { status: 'verified' } : { status: 'failed', reason: 'ECDSA signature does not verify' };
    }
    return { status: 'not-supported', reason: `key type ${key.asymmetricKeyType ?? 'unknown'}` };
  } catch (e) {
    return { status: 'failed', reason: `signature check: ${e instanceof Error ? e.message.slice(0, 80) : 'error'}` };
  }
}

export async function runActiveAuthentication(
  channel: ApduChannel,
  input: { dg15: Dg15; ecdsaAlgorithm?: string; random: (n: number) => Uint8Array },
): Promise<Result<AaOutcome, AaError>> {
  const challenge = input.random(8);
  const r = await channel.send({ cla: 0x00, ins: 0x88, p1: 0x00, p2: 0x00, data: challenge, le: 256 });
  if (!r.ok) {
    if (r.error.code === 'card-removed' || r.error.code === 'reader-error')
      return { ok: false, error: { code: r.error.code, message: r.error.message } };
    return { ok: true, value: { status: 'failed', reason: `INTERNAL AUTHENTICATE: ${r.error.code}` } };
  }
  if (r.value.sw !== 0x9000 || r.value.unprotected || r.value.data.length === 0)
    return { ok: true, value: { status: 'failed', reason: `INTERNAL AUTHENTICATE refused (${swHex(r.value.sw)})` } };
  return { ok: true, value: verifyActiveAuthSignature(input.dg15, challenge, r.value.data, input.ecdsaAlgorithm) };
}

/** Chip side (virtual card): an ISO 9796-2 scheme 1 representative to sign with the RSA key. */
export function iso9796Representative(
  modulusBytes: number,
  challenge: Uint8Array,
  m1: Uint8Array,
  hash: Hash = 'sha1',
): Uint8Array {
  const trailer = hash === 'sha1' ? Uint8Array.of(0xbc) : Uint8Array.of(ISO9796_HASH_ID[hash], 0xcc);
  const h = digest(hash, concat(m1, challenge));
  const out = concat(Uint8Array.of(0x6a), m1, h, trailer);
  if (out.length !== modulusBytes) throw new Error('ISO 9796-2: M1 length does not fill the modulus');
  return out;
}

export const iso9796HashBytes = (hash: Hash): number => HASH_BYTES[hash];
