/**
 * CMS SignedData (RFC 5652) as ICAO uses it: EF.SOD (eContent an LDSSecurityObject) and the CSCA
 * master list (eContent a CscaMasterList). Only the fields a signature check needs are extracted:
 * the encapsulated content, the carried certificates and the signer infos. Pure; never throws.
 */
import { err, type AppError, type Result } from '../result';
import { childrenOf, readTlv, type Tlv } from './ber-tlv';
import { decodeOid, TAG } from './der';

export const CMS_OID = {
  SIGNED_DATA: '1.2.840.113549.1.7.2',
  LDS_SECURITY_OBJECT: '2.23.136.1.1.1',
  CSCA_MASTER_LIST: '2.23.136.1.1.2',
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

export interface SignedData {
  eContentType: string;
  eContent: Uint8Array;
  /** DER certificates carried in SignedData.certificates. */
  certificates: Uint8Array[];
  signerInfos: SignerInfo[];
}

export type CmsError = AppError & { code: 'cms-malformed' };
const bad = (message: string): { ok: false; error: CmsError } =>
  err('cms-malformed', message) as { ok: false; error: CmsError };

function kidsOf(t: Tlv | undefined, what: string): Result<Tlv[], CmsError> {
  if (!t) return bad(`${what} missing`);
  const k = childrenOf(t);
  return k.ok ? k : bad(`${what}: ${k.error.code} at ${k.error.offset}`);
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

function parseSignerInfo(t: Tlv): Result<SignerInfo, CmsError> {
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
      if (type === CMS_OID.MESSAGE_DIGEST && first?.tag === TAG.OCTET_STRING) info.messageDigest = first.value;
      if (type === CMS_OID.CONTENT_TYPE && first?.tag === TAG.OID) {
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

/** ContentInfo { signedData OID, [0] SignedData } with its content encapsulated. */
export function parseSignedData(contentInfo: Uint8Array): Result<SignedData, CmsError> {
  const ci = readTlv(contentInfo, 0);
  if (!ci.ok) return bad(`ContentInfo: ${ci.error.code} at ${ci.error.offset}`);
  if (ci.value.tag !== TAG.SEQUENCE) return bad('ContentInfo is not a SEQUENCE');
  const ciKids = kidsOf(ci.value, 'ContentInfo');
  if (!ciKids.ok) return ciKids;
  const [ctTlv, explicit] = ciKids.value;
  if (ctTlv?.tag !== TAG.OID || decodeOid(ctTlv.value) !== CMS_OID.SIGNED_DATA) return bad('not CMS SignedData');
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
  return { ok: true, value: { eContentType, eContent, certificates, signerInfos } };
}
