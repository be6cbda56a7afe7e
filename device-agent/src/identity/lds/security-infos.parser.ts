/**
 * SecurityInfos (ICAO 9303-11 §9.2, BSI TR-03110 A.1): `SET OF SecurityInfo { protocol OID,
 * requiredData, optionalData OPTIONAL }`, as found in EF.CardAccess (read before PACE, unprotected)
 * and DG14 (`6E` { SecurityInfos }, covered by EF.SOD). What is understood:
 * - PACEInfo (id-PACE-*): version, standardized domain parameter id;
 * - ChipAuthenticationInfo (id-CA-*): version, key id;
 * - ChipAuthenticationPublicKeyInfo (id-PK-ECDH): the chip's static EC key and its curve;
 * - ActiveAuthenticationInfo (2.23.136.1.1.5): the ECDSA signature algorithm for AA.
 * Anything else is kept as `other` with its OID. Never throws: malformed input is a Result error.
 */
import type { Result } from '@kiosk/protocol';
import { childrenOf, expectTlv, readTlv, type Tlv, decodeOid, decodeSmallInt, TAG } from '@kiosk/protocol';
import { bigintFromBytes, curveByOid, curveByParameterId, curveFromParams, type EcCurve } from '../pace/ec';
import { DG_TAGS } from './lds-files';
import { fromTlv, ldsErr, type LdsError } from './lds-error';

export const ID_PACE = '0.4.0.127.0.7.2.2.4';
export const ID_CA = '0.4.0.127.0.7.2.2.3';
export const ID_PK_ECDH = '0.4.0.127.0.7.2.2.1.2';
export const ID_PK_DH = '0.4.0.127.0.7.2.2.1.1';
export const ID_AA = '2.23.136.1.1.5';
export const ID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';

export interface PaceInfo {
  kind: 'pace';
  protocol: string;
  version: number;
  parameterId?: number;
}

export interface ChipAuthenticationInfo {
  kind: 'ca';
  protocol: string;
  version: number;
  keyId?: number;
}

export interface ChipAuthenticationPublicKey {
  kind: 'ca-public-key';
  protocol: string;
  /** The curve of the key, when its parameters are understood (named, explicit or standardized). */
  curve?: EcCurve;
  /** Uncompressed public point as stored (04 ‖ X ‖ Y). */
  publicPoint: Uint8Array;
  keyId?: number;
}

export interface ActiveAuthenticationInfo {
  kind: 'aa';
  version: number;
  signatureAlgorithm: string;
}

export interface OtherSecurityInfo {
  kind: 'other';
  protocol: string;
}

export type SecurityInfo =
  PaceInfo | ChipAuthenticationInfo | ChipAuthenticationPublicKey | ActiveAuthenticationInfo | OtherSecurityInfo;

const MAX_INFOS = 64;

const bad = (file: string, message: string) => ldsErr('lds-unexpected-content', file, message);

function smallInt(t: Tlv | undefined): number | undefined {
  return t?.tag === TAG.INTEGER ? decodeSmallInt(t.value) : undefined;
}

/** ECParameters (explicit, X9.62): { version, fieldID { prime-field, p }, curve { a, b, seed? }, base, order, cofactor? }. */
function explicitCurve(t: Tlv): EcCurve | undefined {
  const k = childrenOf(t);
  if (!k.ok) return undefined;
  const [, fieldId, curveTlv, base, order, cofactor] = k.value;
  if (!fieldId || !curveTlv || base?.tag !== TAG.OCTET_STRING || order?.tag !== TAG.INTEGER) return undefined;
  const f = childrenOf(fieldId);
  const c = childrenOf(curveTlv);
  if (!f.ok || !c.ok) return undefined;
  const [fieldType, prime] = f.value;
  if (fieldType?.tag !== TAG.OID || decodeOid(fieldType.value) !== '1.2.840.10045.1.1') return undefined;
  const [a, b] = c.value;
  if (prime?.tag !== TAG.INTEGER || a?.tag !== TAG.OCTET_STRING || b?.tag !== TAG.OCTET_STRING) return undefined;
  const g = base.value;
  if (g[0] !== 0x04 || g.length % 2 !== 1 || g.length < 3) return undefined;
  const half = (g.length - 1) / 2;
  const p = bigintFromBytes(prime.value);
  if (p < 3n || p.toString(2).length > 521) return undefined;
  return curveFromParams({
    p,
    a: bigintFromBytes(a.value),
    b: bigintFromBytes(b.value),
    Gx: bigintFromBytes(g.subarray(1, 1 + half)),
    Gy: bigintFromBytes(g.subarray(1 + half)),
    n: bigintFromBytes(order.value),
    h: cofactor?.tag === TAG.INTEGER ? bigintFromBytes(cofactor.value) : 1n,
  });
}

/** SubjectPublicKeyInfo of an EC key: { { id-ecPublicKey | id-PK-ECDH, parameters }, BIT STRING point }. */
export function parseEcSubjectPublicKeyInfo(t: Tlv): { curve?: EcCurve; publicPoint: Uint8Array } | undefined {
  if (t.tag !== TAG.SEQUENCE) return undefined;
  const k = childrenOf(t);
  if (!k.ok) return undefined;
  const [alg, bits] = k.value;
  if (alg?.tag !== TAG.SEQUENCE || bits?.tag !== TAG.BIT_STRING || bits.value[0] !== 0) return undefined;
  const a = childrenOf(alg);
  if (!a.ok) return undefined;
  const [oidTlv, params] = a.value;
  const oid = oidTlv?.tag === TAG.OID ? decodeOid(oidTlv.value) : undefined;
  if (oid !== ID_EC_PUBLIC_KEY && oid !== ID_PK_ECDH) return undefined;
  let curve: EcCurve | undefined;
  if (params?.tag === TAG.OID) {
    const named = decodeOid(params.value);
    curve = named ? curveByOid(named) : undefined;
  } else if (params?.tag === TAG.INTEGER) {
    const id = decodeSmallInt(params.value);
    curve = id === undefined ? undefined : curveByParameterId(id);
  } else if (params?.tag === TAG.SEQUENCE) curve = explicitCurve(params);
  const publicPoint = bits.value.subarray(1);
  return curve ? { curve, publicPoint } : { publicPoint };
}

function parseInfo(t: Tlv, file: string): Result<SecurityInfo, LdsError> {
  if (t.tag !== TAG.SEQUENCE) return bad(file, 'SecurityInfo is not a SEQUENCE');
  const k = childrenOf(t);
  if (!k.ok) return fromTlv(file, k.error);
  const [oidTlv, required, optional] = k.value;
  const protocol = oidTlv?.tag === TAG.OID ? decodeOid(oidTlv.value) : undefined;
  if (!protocol) return bad(file, 'SecurityInfo without a protocol OID');
  if (!required) return bad(file, `SecurityInfo ${protocol} without its required data`);
  if (protocol.startsWith(`${ID_PACE}.`)) {
    const version = smallInt(required);
    if (version === undefined) return bad(file, 'PACEInfo version is not an INTEGER');
    const parameterId = smallInt(optional);
    // A SEQUENCE here is a PACEDomainParameterInfo (proprietary parameters): kept, not used.
    if (optional && optional.tag !== TAG.INTEGER) return { ok: true, value: { kind: 'other', protocol } };
    return {
      ok: true,
      value:
        parameterId === undefined
          ? { kind: 'pace', protocol, version }
          : { kind: 'pace', protocol, version, parameterId },
    };
  }
  if (protocol.startsWith(`${ID_CA}.`)) {
    const version = smallInt(required);
    if (version === undefined) return bad(file, 'ChipAuthenticationInfo version is not an INTEGER');
    const keyId = smallInt(optional);
    return {
      ok: true,
      value: keyId === undefined ? { kind: 'ca', protocol, version } : { kind: 'ca', protocol, version, keyId },
    };
  }
  if (protocol === ID_PK_ECDH) {
    const spki = parseEcSubjectPublicKeyInfo(required);
    if (!spki) return bad(file, 'ChipAuthenticationPublicKeyInfo key is not an EC SubjectPublicKeyInfo');
    const keyId = smallInt(optional);
    const info: ChipAuthenticationPublicKey = { kind: 'ca-public-key', protocol, publicPoint: spki.publicPoint };
    if (spki.curve) info.curve = spki.curve;
    if (keyId !== undefined) info.keyId = keyId;
    return { ok: true, value: info };
  }
  if (protocol === ID_AA) {
    const version = smallInt(required);
    const sig = optional?.tag === TAG.OID ? decodeOid(optional.value) : undefined;
    if (version === undefined || !sig) return bad(file, 'ActiveAuthenticationInfo malformed');
    return { ok: true, value: { kind: 'aa', version, signatureAlgorithm: sig } };
  }
  return { ok: true, value: { kind: 'other', protocol } };
}

/** SecurityInfos: a DER SET OF SecurityInfo (EF.CardAccess holds exactly this). */
export function parseSecurityInfos(bytes: Uint8Array, file = 'EF.CardAccess'): Result<SecurityInfo[], LdsError> {
  const set = expectTlv(bytes, TAG.SET);
  if (!set.ok) return fromTlv(file, set.error);
  const k = childrenOf(set.value);
  if (!k.ok) return fromTlv(file, k.error);
  if (k.value.length > MAX_INFOS) return bad(file, 'too many SecurityInfos');
  const out: SecurityInfo[] = [];
  for (const t of k.value) {
    const r = parseInfo(t, file);
    if (!r.ok) return r;
    out.push(r.value);
  }
  return { ok: true, value: out };
}

/** EF.CardAccess → SecurityInfos. */
export function parseCardAccess(bytes: Uint8Array): Result<SecurityInfo[], LdsError> {
  return parseSecurityInfos(bytes, 'EF.CardAccess');
}

/** DG14: `6E` { SecurityInfos }. */
export function parseDg14(bytes: Uint8Array): Result<SecurityInfo[], LdsError> {
  const outer = expectTlv(bytes, DG_TAGS[14] ?? 0x6e);
  if (!outer.ok) return fromTlv('DG14', outer.error);
  return parseSecurityInfos(outer.value.value, 'DG14');
}

export interface Dg15 {
  /** SubjectPublicKeyInfo DER (RSA or EC), as node:crypto imports it. */
  spki: Uint8Array;
  /** Algorithm OID of the key (rsaEncryption or id-ecPublicKey). */
  algorithm: string;
}

/** DG15: `6F` { SubjectPublicKeyInfo } — the chip's Active Authentication key. */
export function parseDg15(bytes: Uint8Array): Result<Dg15, LdsError> {
  const outer = expectTlv(bytes, DG_TAGS[15] ?? 0x6f);
  if (!outer.ok) return fromTlv('DG15', outer.error);
  const spki = readTlv(outer.value.value);
  if (!spki.ok) return fromTlv('DG15', spki.error);
  if (spki.value.tag !== TAG.SEQUENCE) return bad('DG15', 'no SubjectPublicKeyInfo');
  const k = childrenOf(spki.value);
  if (!k.ok) return fromTlv('DG15', k.error);
  const [alg, bits] = k.value;
  const a = alg?.tag === TAG.SEQUENCE ? childrenOf(alg) : undefined;
  const oidTlv = a?.ok ? a.value[0] : undefined;
  const algorithm = oidTlv?.tag === TAG.OID ? decodeOid(oidTlv.value) : undefined;
  if (!algorithm || bits?.tag !== TAG.BIT_STRING) return bad('DG15', 'SubjectPublicKeyInfo malformed');
  return { ok: true, value: { spki: spki.value.raw, algorithm } };
}
