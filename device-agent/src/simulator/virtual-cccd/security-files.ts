/**
 * The virtual card's security files and keys: EF.CardAccess (PACEInfo), DG14 (the chip
 * authentication key, its ChipAuthenticationInfo, the PACEInfo again and, for ECDSA, the
 * ActiveAuthenticationInfo) and DG15 (the active authentication key), with real private keys the
 * chip answers with. A "cloned" card keeps the files (and so a valid EF.SOD) but holds other keys.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { DG_TAGS } from '../../identity/lds/lds-files';
import { ID_AA, ID_CA, ID_EC_PUBLIC_KEY, ID_PK_ECDH } from '../../identity/lds/security-infos.parser';
import { CURVE_OIDS, encodePoint, randomScalar, type EcCurve } from '../../identity/pace/ec';
import { encodeBerTlv, encodeInt, encodeOid, seq, set, TAG } from '@kiosk/protocol';

export const PACE_OID_BY_KEY_BYTES = {
  16: '0.4.0.127.0.7.2.2.4.2.2',
  24: '0.4.0.127.0.7.2.2.4.2.3',
  32: '0.4.0.127.0.7.2.2.4.2.4',
} as const;

export function paceInfo(oid: string, parameterId: number): Uint8Array {
  return seq(encodeOid(oid), encodeInt(2), encodeInt(parameterId));
}

/** EF.CardAccess: SecurityInfos holding one PACEInfo. */
export function buildCardAccess(oid: string, parameterId: number): Uint8Array {
  return set(paceInfo(oid, parameterId));
}

/** SubjectPublicKeyInfo of an EC point with a named curve. */
export function ecSubjectPublicKeyInfo(curve: EcCurve, point: Uint8Array): Uint8Array {
  const named = Object.entries(CURVE_OIDS).find(([, n]) => n === curve.name)?.[0];
  if (!named) throw new Error(`no OID for ${curve.name}`);
  return seq(seq(encodeOid(ID_EC_PUBLIC_KEY), encodeOid(named)), encodeBerTlv(TAG.BIT_STRING, Uint8Array.of(0), point));
}

export interface ChipAuthenticationKey {
  curve: EcCurve;
  /** The private scalar the chip answers with. */
  privateKey: bigint;
  /** The public key DG14 advertises (a clone's differs from its private key). */
  publicPoint: Uint8Array;
  /** id-CA-ECDH-3DES-CBC-CBC (v1, MSE:Set KAT) or id-CA-ECDH-AES-CBC-CMAC-128 (v2). */
  protocol: string;
}

export function makeChipAuthenticationKey(
  curve: EcCurve,
  cipher: 'aes' | '3des',
  random: (n: number) => Uint8Array,
): ChipAuthenticationKey {
  const privateKey = randomScalar(curve, random);
  return {
    curve,
    privateKey,
    publicPoint: encodePoint(curve.Point.BASE.multiply(privateKey)),
    protocol: cipher === 'aes' ? `${ID_CA}.2.2` : `${ID_CA}.2.1`,
  };
}

export interface ActiveAuthenticationKey {
  kind: 'rsa' | 'ecdsa';
  privateKey: KeyObject;
  /** SubjectPublicKeyInfo DER as DG15 stores it. */
  spki: Uint8Array;
  /** For ECDSA: the signature algorithm DG14 names (ecdsa-plain-SHA256). */
  signatureAlgorithm?: string;
  modulusBytes?: number;
}

export function makeActiveAuthenticationKey(kind: 'rsa' | 'ecdsa'): ActiveAuthenticationKey {
  if (kind === 'rsa') {
    const k = generateKeyPairSync('rsa', { modulusLength: 1024 });
    return {
      kind,
      privateKey: k.privateKey,
      spki: new Uint8Array(k.publicKey.export({ type: 'spki', format: 'der' })),
      modulusBytes: 128,
    };
  }
  const k = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    kind,
    privateKey: k.privateKey,
    spki: new Uint8Array(k.publicKey.export({ type: 'spki', format: 'der' })),
    signatureAlgorithm: '0.4.0.127.0.7.1.1.4.1.3',
  };
}

export function buildDg14(o: {
  ca?: ChipAuthenticationKey;
  pace?: { oid: string; parameterId: number };
  aa?: ActiveAuthenticationKey;
}): Uint8Array {
  const infos: Uint8Array[] = [];
  if (o.ca) {
    infos.push(seq(encodeOid(ID_PK_ECDH), ecSubjectPublicKeyInfo(o.ca.curve, o.ca.publicPoint)));
    infos.push(seq(encodeOid(o.ca.protocol), encodeInt(o.ca.protocol.endsWith('.2.1') ? 1 : 2)));
  }
  if (o.pace) infos.push(paceInfo(o.pace.oid, o.pace.parameterId));
  if (o.aa?.signatureAlgorithm) infos.push(seq(encodeOid(ID_AA), encodeInt(1), encodeOid(o.aa.signatureAlgorithm)));
  return encodeBerTlv(DG_TAGS[14] ?? 0x6e, set(...infos));
}

export function buildDg15(aa: ActiveAuthenticationKey): Uint8Array {
  return encodeBerTlv(DG_TAGS[15] ?? 0x6f, aa.spki);
}
