/**
 * PACE cryptography (ICAO 9303-11 §4.4 and §9.7, BSI TR-03110): the protocol table, the password
 * key Kπ, nonce encryption, generic mapping over ECDH, session keys and authentication tokens.
 * Shared by the terminal (chip reader) and the virtual chip; pure functions, never throw.
 */
import { createHash } from 'node:crypto';
import { err, ok, type Result, encodeBerTlv, encodeOid } from '@kiosk/protocol';
import { aesCbcDecrypt, aesCbcEncrypt, aesCmac } from '../icao/aes';
import { concat } from '../icao/bytes';
import { bytesFromBigint, decodePoint, encodePoint, type EcCurve, type EcPoint } from './ec';

export type AesKeyBytes = 16 | 24 | 32;

export interface PaceAlgorithm {
  oid: string;
  mapping: 'generic';
  agreement: 'ecdh';
  /** Session key length: AES-128, -192 or -256. */
  keyBytes: AesKeyBytes;
}

/** id-PACE-ECDH-GM-AES-CBC-CMAC-128/192/256 (0.4.0.127.0.7.2.2.4.2.{2,3,4}). */
export const PACE_ALGORITHMS: Readonly<Record<string, PaceAlgorithm>> = {
  '0.4.0.127.0.7.2.2.4.2.2': { oid: '0.4.0.127.0.7.2.2.4.2.2', mapping: 'generic', agreement: 'ecdh', keyBytes: 16 },
  '0.4.0.127.0.7.2.2.4.2.3': { oid: '0.4.0.127.0.7.2.2.4.2.3', mapping: 'generic', agreement: 'ecdh', keyBytes: 24 },
  '0.4.0.127.0.7.2.2.4.2.4': { oid: '0.4.0.127.0.7.2.2.4.2.4', mapping: 'generic', agreement: 'ecdh', keyBytes: 32 },
};

/** Where a PACE password comes from: the MRZ (BAC key information) or the card access number. */
export type PacePassword = { kind: 'mrz'; mrzInformation: string } | { kind: 'can'; can: string };

/** MSE:Set AT password reference (tag 83): 01 MRZ, 02 CAN. */
export function passwordReference(password: PacePassword): number {
  return password.kind === 'mrz' ? 0x01 : 0x02;
}

/** The password as a key seed: SHA-1 of the MRZ information, or the CAN's digits as ASCII. */
export function passwordSeed(password: PacePassword): Uint8Array {
  if (password.kind === 'can') return new TextEncoder().encode(password.can);
  return new Uint8Array(createHash('sha1').update(password.mrzInformation, 'ascii').digest());
}

/** KDF(K, c) for AES keys: SHA-1 (AES-128) or SHA-256 (AES-192/256) of K ‖ c, first `keyBytes`. */
export function paceKdf(secret: Uint8Array, counter: number, keyBytes: AesKeyBytes): Uint8Array {
  const c = Uint8Array.of((counter >>> 24) & 0xff, (counter >>> 16) & 0xff, (counter >>> 8) & 0xff, counter & 0xff);
  const digest = createHash(keyBytes === 16 ? 'sha1' : 'sha256')
    .update(concat(secret, c))
    .digest();
  return new Uint8Array(digest.subarray(0, keyBytes));
}

export const KDF_PI = 3;

/** Kπ = KDF(password seed, 3). */
export function passwordKey(password: PacePassword, keyBytes: AesKeyBytes): Uint8Array {
  return paceKdf(passwordSeed(password), KDF_PI, keyBytes);
}

/** s = AES-CBC-decrypt(Kπ, IV 0, z); z must be whole blocks. */
export function decryptNonce(kPi: Uint8Array, z: Uint8Array): Result<Uint8Array> {
  if (z.length === 0 || z.length % 16 !== 0) return err('pace-bad-nonce', 'encrypted nonce is not whole AES blocks');
  return ok(aesCbcDecrypt(kPi, z));
}

/** Chip: z = AES-CBC-encrypt(Kπ, IV 0, s). */
export function encryptNonce(kPi: Uint8Array, s: Uint8Array): Uint8Array {
  return aesCbcEncrypt(kPi, s);
}

/** Generic mapping: G' = s·G + SK_map · PK_map(other side). */
export function mapGenerator(curve: EcCurve, nonce: Uint8Array, skMap: bigint, pkMapOther: EcPoint): Result<EcPoint> {
  const s = BigInt(`0x${Buffer.from(nonce).toString('hex')}`) % curve.n;
  const h = pkMapOther.multiply(skMap);
  const g = curve.Point.BASE.multiply(s === 0n ? curve.n : s).add(h);
  if (g.is0()) return err('pace-bad-mapping', 'mapped generator is the point at infinity');
  return ok(g);
}

/** x-coordinate of SK · PK, as many bytes as the field (the ECDH shared secret K). */
export function sharedSecret(curve: EcCurve, sk: bigint, pk: EcPoint): Result<Uint8Array> {
  const k = pk.multiply(sk);
  if (k.is0()) return err('pace-bad-key', 'shared secret is the point at infinity');
  return ok(bytesFromBigint(k.x, curve.fieldBytes));
}

export interface AesSessionKeys {
  ksEnc: Uint8Array;
  ksMac: Uint8Array;
}

export function sessionKeysFrom(secret: Uint8Array, keyBytes: AesKeyBytes): AesSessionKeys {
  return { ksEnc: paceKdf(secret, 1, keyBytes), ksMac: paceKdf(secret, 2, keyBytes) };
}

/** Public key data object `7F49 { 06 protocol OID, 86 uncompressed point }` (TR-03110 D.3.3). */
export function publicKeyObject(oid: string, point: EcPoint): Uint8Array {
  return encodeBerTlv(0x7f49, encodeOid(oid), encodeBerTlv(0x86, encodePoint(point)));
}

/** Authentication token: AES-CMAC(KSmac, public key object of the other side's key), 8 bytes. */
export function authenticationToken(ksMac: Uint8Array, oid: string, otherSidePublicKey: EcPoint): Uint8Array {
  return aesCmac(ksMac, publicKeyObject(oid, otherSidePublicKey)).subarray(0, 8);
}

/** The other side's point from its dynamic-authentication data object, checked on the curve. */
export function pointFrom(curve: EcCurve, bytes: Uint8Array | undefined): Result<EcPoint> {
  if (!bytes) return err('ec-bad-point', 'public key missing');
  return decodePoint(curve, bytes);
}
