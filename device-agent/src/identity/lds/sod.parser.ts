/**
 * EF.SOD: `77` { ContentInfo { signedData OID, [0] SignedData } } (RFC 5652) whose
 * encapsulated content is an LDSSecurityObject (eContentType 2.23.136.1.1.1):
 * SEQUENCE { version, hashAlgorithm, SEQUENCE OF { dataGroupNumber, dataGroupHashValue } }.
 * Only the fields passive authentication needs are extracted; never throws.
 */
import type { Result } from '@kiosk/protocol';
import { childrenOf, expectTlv, readTlv, type Tlv } from '../tlv/ber-tlv';
import { decodeOid, decodeSmallInt, TAG } from '../tlv/der';
import { EF_SOD_TAG } from './lds-files';
import { fromTlv, ldsErr, type LdsError } from './lds-error';

export const OID = {
  SIGNED_DATA: '1.2.840.113549.1.7.2',
  LDS_SECURITY_OBJECT: '2.23.136.1.1.1',
  CONTENT_TYPE: '1.2.840.113549.1.9.3',
  MESSAGE_DIGEST: '1.2.840.113549.1.9.4',
  SIGNING_TIME: '1.2.840.113549.1.9.5',
} as const;

export type HashName = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

export const HASH_OIDS: Readonly<Record<string, HashName>> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

export interface AlgorithmIdentifier {
  oid: string;
  /** The parameters element, if any (raw TLV). */
  parameters?: Tlv;
}

export interface LdsSecurityObject {
  version: number;
  hashAlgorithm: AlgorithmIdentifier;
  /** Node hash name when the OID is known. */
  hashName?: HashName;
  dataGroupHashes: Map<number, Uint8Array>;
}

export interface SignerInfo {
  /** IssuerAndSerialNumber (raw issuer Name DER, serial INTEGER content) or SubjectKeyIdentifier. */
  sid: { issuer: Uint8Array; serialNumber: Uint8Array } | { subjectKeyIdentifier: Uint8Array };
  digestAlgorithm: AlgorithmIdentifier;
  /** DER of the signed attributes with the SET tag (0x31), as signed; absent when none. */
  signedAttributes?: Uint8Array;
  contentTypeAttribute?: string;
  messageDigest?: Uint8Array;
  signatureAlgorithm: AlgorithmIdentifier;
  signature: Uint8Array;
}

export interface Sod {
  eContentType: string;
  eContent: Uint8Array;
  lds: LdsSecurityObject;
  /** DER certificates carried in SignedData.certificates (the document signer). */
  certificates: Uint8Array[];
  signerInfos: SignerInfo[];
}

const FILE = 'EF.SOD';
const bad = (message: string) => ldsErr('lds-unexpected-content', FILE, message);

function kidsOf(t: Tlv | undefined, what: string): Result<Tlv[], LdsError> {
  if (!t) return bad(`${what} missing`);
  const k = childrenOf(t);
  return k.ok ? k : fromTlv(FILE, k.error);
}

export function parseAlgorithmIdentifier(t: Tlv | undefined): AlgorithmIdentifier | undefined {
  if (!t || t.tag !== TAG.SEQUENCE) return undefined;
  const k = childrenOf(t);
  if (!k.ok) return undefined;
  const [oidTlv, params] = k.value;
  if (!oidTlv || oidTlv.tag !== TAG.OID) return undefined;
  const oid = decodeOid(oidTlv.value);
  if (!oid) return undefined;
  return params ? { oid, parameters: params } : { oid };
}

export function parseLdsSecurityObject(bytes: Uint8Array): Result<LdsSecurityObject, LdsError> {
  const outer = expectTlv(bytes, TAG.SEQUENCE);
  if (!outer.ok) return fromTlv(FILE, outer.error);
  const k = kidsOf(outer.value, 'LDSSecurityObject');
  if (!k.ok) return k;
  const [versionTlv, algTlv, hashesTlv] = k.value;
  const version = versionTlv?.tag === TAG.INTEGER ? decodeSmallInt(versionTlv.value) : undefined;
  if (version === undefined) return bad('LDSSecurityObject version missing');
  const hashAlgorithm = parseAlgorithmIdentifier(algTlv);
  if (!hashAlgorithm) return bad('LDSSecurityObject hash algorithm missing');
  if (hashesTlv?.tag !== TAG.SEQUENCE) return bad('dataGroupHashValues missing');
  const list = kidsOf(hashesTlv, 'dataGroupHashValues');
  if (!list.ok) return list;
  const dataGroupHashes = new Map<number, Uint8Array>();
  for (const item of list.value) {
    const f = kidsOf(item, 'DataGroupHash');
    if (!f.ok) return f;
    const [nTlv, hTlv] = f.value;
    const n = nTlv?.tag === TAG.INTEGER ? decodeSmallInt(nTlv.value) : undefined;
    if (n === undefined || n < 1 || n > 16 || hTlv?.tag !== TAG.OCTET_STRING) return bad('DataGroupHash malformed');
    if (dataGroupHashes.has(n)) return bad(`DG${n} hashed twice`);
    dataGroupHashes.set(n, hTlv.value);
  }
  const lds: LdsSecurityObject = { version, hashAlgorithm, dataGroupHashes };
  const hashName = HASH_OIDS[hashAlgorithm.oid];
  if (hashName) lds.hashName = hashName;
  return { ok: true, value: lds };
}

function parseSignerInfo(t: Tlv): Result<SignerInfo, LdsError> {
  const k = kidsOf(t, 'SignerInfo');
  if (!k.ok) return k;
  const items = k.value;
  let i = 1; // skip version
  const sidTlv = items[i++];
  let sid: SignerInfo['sid'];
  if (sidTlv?.tag === TAG.SEQUENCE) {
    const s = kidsOf(sidTlv, 'IssuerAndSerialNumber');
    if (!s.ok) return s;
    const [issuer, serial] = s.value;
    if (issuer?.tag !== TAG.SEQUENCE || serial?.tag !== TAG.INTEGER) return bad('IssuerAndSerialNumber malformed');
    sid = { issuer: issuer.raw, serialNumber: serial.value };
  } else if (sidTlv?.tag === 0x80) {
    sid = { subjectKeyIdentifier: sidTlv.value };
  } else return bad('SignerInfo sid missing');
  const digestAlgorithm = parseAlgorithmIdentifier(items[i++]);
  if (!digestAlgorithm) return bad('SignerInfo digest algorithm missing');
  const info: Partial<SignerInfo> = { sid, digestAlgorithm };
  if (items[i]?.tag === 0xa0) {
    const attrs = items[i++] as Tlv;
    const der = Uint8Array.from(attrs.raw);
    der[0] = TAG.SET;
    info.signedAttributes = der;
    const list = kidsOf(attrs, 'signedAttrs');
    if (!list.ok) return list;
    for (const a of list.value) {
      const ak = kidsOf(a, 'Attribute');
      if (!ak.ok) return ak;
      const [typeTlv, valuesTlv] = ak.value;
      const type = typeTlv?.tag === TAG.OID ? decodeOid(typeTlv.value) : undefined;
      if (!type || valuesTlv?.tag !== TAG.SET) return bad('signed attribute malformed');
      const v = kidsOf(valuesTlv, 'attribute values');
      if (!v.ok) return v;
      const first = v.value[0];
      if (type === OID.MESSAGE_DIGEST && first?.tag === TAG.OCTET_STRING) info.messageDigest = first.value;
      if (type === OID.CONTENT_TYPE && first?.tag === TAG.OID) {
        const ct = decodeOid(first.value);
        if (ct) info.contentTypeAttribute = ct;
      }
    }
  }
  const signatureAlgorithm = parseAlgorithmIdentifier(items[i++]);
  if (!signatureAlgorithm) return bad('SignerInfo signature algorithm missing');
  const sig = items[i++];
  if (sig?.tag !== TAG.OCTET_STRING) return bad('SignerInfo signature missing');
  return { ok: true, value: { ...info, signatureAlgorithm, signature: sig.value } as SignerInfo };
}

/** eContent [0] { OCTET STRING } — DER gives one primitive string; BER may chunk it. */
function eContentBytes(t: Tlv): Uint8Array | undefined {
  const k = childrenOf(t);
  if (!k.ok) return undefined;
  const os = k.value[0];
  if (!os) return undefined;
  if (os.tag === TAG.OCTET_STRING) return os.value;
  if (os.tag === 0x24) {
    const parts = childrenOf(os);
    if (!parts.ok || parts.value.some((p) => p.tag !== TAG.OCTET_STRING)) return undefined;
    return Uint8Array.from(parts.value.flatMap((p) => [...p.value]));
  }
  return undefined;
}

export function parseSod(bytes: Uint8Array): Result<Sod, LdsError> {
  const outer = expectTlv(bytes, EF_SOD_TAG);
  // Some chips store the bare ContentInfo without the 77 wrapper.
  const contentInfoBytes = outer.ok ? outer.value.value : bytes;
  const ci = readTlv(contentInfoBytes, 0);
  if (!ci.ok) return fromTlv(FILE, ci.error);
  if (ci.value.tag !== TAG.SEQUENCE) return bad('ContentInfo is not a SEQUENCE');
  const ciKids = kidsOf(ci.value, 'ContentInfo');
  if (!ciKids.ok) return ciKids;
  const [ctTlv, explicit] = ciKids.value;
  if (ctTlv?.tag !== TAG.OID || decodeOid(ctTlv.value) !== OID.SIGNED_DATA) return bad('not CMS SignedData');
  if (explicit?.tag !== 0xa0) return bad('SignedData content missing');
  const sdWrap = kidsOf(explicit, 'SignedData');
  if (!sdWrap.ok) return sdWrap;
  const sdTlv = sdWrap.value[0];
  if (sdTlv?.tag !== TAG.SEQUENCE) return bad('SignedData is not a SEQUENCE');
  const sd = kidsOf(sdTlv, 'SignedData');
  if (!sd.ok) return sd;
  const [, , encap, ...rest] = sd.value;
  if (encap?.tag !== TAG.SEQUENCE) return bad('encapContentInfo missing');
  const encapKids = kidsOf(encap, 'encapContentInfo');
  if (!encapKids.ok) return encapKids;
  const [eTypeTlv, eContentTlv] = encapKids.value;
  const eContentType = eTypeTlv?.tag === TAG.OID ? decodeOid(eTypeTlv.value) : undefined;
  if (!eContentType) return bad('eContentType missing');
  const eContent = eContentTlv?.tag === 0xa0 ? eContentBytes(eContentTlv) : undefined;
  if (!eContent) return bad('eContent missing (detached signature)');
  const lds = parseLdsSecurityObject(eContent);
  if (!lds.ok) return lds;

  const certificates: Uint8Array[] = [];
  const signerInfos: SignerInfo[] = [];
  for (const t of rest) {
    if (t.tag === 0xa0) {
      const certs = kidsOf(t, 'certificates');
      if (!certs.ok) return certs;
      for (const c of certs.value) if (c.tag === TAG.SEQUENCE) certificates.push(c.raw);
    } else if (t.tag === TAG.SET) {
      const infos = kidsOf(t, 'signerInfos');
      if (!infos.ok) return infos;
      for (const si of infos.value) {
        const r = parseSignerInfo(si);
        if (!r.ok) return r;
        signerInfos.push(r.value);
      }
    }
  }
  if (signerInfos.length === 0) return bad('no SignerInfo');
  return { ok: true, value: { eContentType, eContent, lds: lds.value, certificates, signerInfos } };
}
