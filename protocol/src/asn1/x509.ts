/**
 * X.509 certificates and names, read structurally (RFC 5280): the parts a trust store shows and
 * matches on (serial, issuer and subject, validity, key identifiers, CA flag) and the signed bytes
 * with their signature, for the caller's crypto to check. Pure; never throws.
 */
import { err, type AppError, type Result } from '../result';
import { childrenOf, readTlv, type Tlv } from './ber-tlv';
import { decodeOid, decodeString, isStringTag, TAG } from './der';
import { parseAlgorithmIdentifier, type AlgorithmIdentifier } from './cms';
import { hexOf } from './text-codec';

export type X509Error = AppError & { code: 'x509-malformed' };
export const x509Bad = (message: string): { ok: false; error: X509Error } =>
  err('x509-malformed', message) as { ok: false; error: X509Error };

/** Organisation-level facts of a distinguished name (a CSCA's or signer's; no personal data). */
export interface NameInfo {
  /** DER of the Name, as issuers are matched. */
  der: Uint8Array;
  country?: string;
  organization?: string;
  commonName?: string;
  /** "C=VN, O=…, CN=…" for display. */
  text: string;
}

export interface CertificateInfo {
  der: Uint8Array;
  /** The signed TBSCertificate bytes, its algorithm and signature. */
  tbs: Uint8Array;
  signatureAlgorithm: AlgorithmIdentifier;
  signature: Uint8Array;
  /** Serial number as hex without leading zeros (upper case). */
  serialHex: string;
  issuer: NameInfo;
  subject: NameInfo;
  notBefore: string;
  notAfter: string;
  /** SubjectPublicKeyInfo DER. */
  spki: Uint8Array;
  subjectKeyIdentifier?: string;
  authorityKeyIdentifier?: string;
  isCa: boolean;
}

const NAME_ATTRS: Readonly<Record<string, string>> = {
  '2.5.4.6': 'C',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.3': 'CN',
  '2.5.4.5': 'serialNumber',
};

export function kids(t: Tlv | undefined): Tlv[] | undefined {
  if (!t) return undefined;
  const k = childrenOf(t);
  return k.ok ? k.value : undefined;
}

/** INTEGER content → hex without leading zero bytes ("0" for zero). */
export function serialHexOf(value: Uint8Array): string {
  const h = hexOf(value).replace(/^(00)+/u, '');
  return h === '' ? '0' : h;
}

export function parseName(t: Tlv | undefined): NameInfo | undefined {
  if (t?.tag !== TAG.SEQUENCE) return undefined;
  const rdns = kids(t);
  if (!rdns) return undefined;
  const info: NameInfo = { der: t.raw, text: '' };
  const parts: string[] = [];
  for (const rdn of rdns) {
    if (rdn.tag !== TAG.SET) return undefined;
    for (const atv of kids(rdn) ?? []) {
      const [oidTlv, value] = kids(atv) ?? [];
      if (oidTlv?.tag !== TAG.OID || !value) return undefined;
      const oid = decodeOid(oidTlv.value);
      const label = oid ? NAME_ATTRS[oid] : undefined;
      if (!label || !isStringTag(value.tag)) continue;
      const text = decodeString(value.tag, value.value);
      if (text === undefined) continue;
      const short = text.slice(0, 128);
      parts.push(`${label}=${short}`);
      if (label === 'C') info.country = short.toUpperCase();
      if (label === 'O') info.organization = short;
      if (label === 'CN') info.commonName = short;
    }
  }
  info.text = parts.join(', ');
  return info;
}

/** UTCTime / GeneralizedTime (Z only, as DER requires) → ISO 8601; undefined when malformed. */
export function parseTime(t: Tlv | undefined): string | undefined {
  if (!t || (t.tag !== TAG.UTC_TIME && t.tag !== TAG.GENERALIZED_TIME)) return undefined;
  const s = decodeString(TAG.PRINTABLE_STRING, t.value) ?? '';
  const m =
    t.tag === TAG.UTC_TIME
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/u.exec(s)
      : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/u.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, se] = m as unknown as [string, string, string, string, string, string, string];
  const year = t.tag === TAG.UTC_TIME ? (Number(y) >= 50 ? 1900 : 2000) + Number(y) : Number(y);
  const ms = Date.UTC(year, Number(mo) - 1, Number(d), Number(h), Number(mi), Number(se));
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** BIT STRING content without its unused-bits byte (0 required). */
export function bitStringBytes(t: Tlv | undefined): Uint8Array | undefined {
  if (t?.tag !== TAG.BIT_STRING || t.value[0] !== 0) return undefined;
  return t.value.subarray(1);
}

interface Extensions {
  subjectKeyIdentifier?: string;
  authorityKeyIdentifier?: string;
  isCa: boolean;
}

function parseExtensions(t: Tlv | undefined): Extensions {
  const out: Extensions = { isCa: false };
  const list = kids(kids(t)?.[0]);
  for (const ext of list ?? []) {
    const parts = kids(ext) ?? [];
    const oid = parts[0]?.tag === TAG.OID ? decodeOid(parts[0].value) : undefined;
    const value = parts[parts.length - 1];
    if (!oid || value?.tag !== TAG.OCTET_STRING) continue;
    const inner = readTlv(value.value);
    if (!inner.ok) continue;
    if (oid === '2.5.29.14' && inner.value.tag === TAG.OCTET_STRING)
      out.subjectKeyIdentifier = hexOf(inner.value.value);
    if (oid === '2.5.29.35') {
      const keyId = kids(inner.value)?.find((k) => k.tag === 0x80);
      if (keyId) out.authorityKeyIdentifier = hexOf(keyId.value);
    }
    if (oid === '2.5.29.19') {
      const ca = kids(inner.value)?.[0];
      out.isCa = ca?.tag === TAG.BOOLEAN && ca.value[0] !== 0;
    }
  }
  return out;
}

/** A DER certificate; the whole input must be the one certificate. */
export function parseCertificate(der: Uint8Array): Result<CertificateInfo, X509Error> {
  const cert = readTlv(der);
  if (!cert.ok) return x509Bad(`certificate: ${cert.error.code} at ${cert.error.offset}`);
  if (cert.value.tag !== TAG.SEQUENCE || cert.value.raw.length !== der.length)
    return x509Bad('certificate is not one DER SEQUENCE');
  const [tbsTlv, algTlv, sigTlv] = kids(cert.value) ?? [];
  const signatureAlgorithm = parseAlgorithmIdentifier(algTlv);
  const signature = bitStringBytes(sigTlv);
  if (tbsTlv?.tag !== TAG.SEQUENCE || !signatureAlgorithm || !signature) return x509Bad('certificate structure');
  const t = kids(tbsTlv);
  if (!t) return x509Bad('TBSCertificate structure');
  const items = t[0]?.tag === 0xa0 ? t.slice(1) : t;
  const [serialTlv, , issuerTlv, validityTlv, subjectTlv, spkiTlv] = items;
  if (serialTlv?.tag !== TAG.INTEGER || serialTlv.value.length === 0) return x509Bad('serial number');
  const issuer = parseName(issuerTlv);
  const subject = parseName(subjectTlv);
  if (!issuer || !subject) return x509Bad('issuer or subject name');
  const [nb, na] = validityTlv?.tag === TAG.SEQUENCE ? (kids(validityTlv) ?? []) : [];
  const notBefore = parseTime(nb);
  const notAfter = parseTime(na);
  if (!notBefore || !notAfter) return x509Bad('validity');
  if (spkiTlv?.tag !== TAG.SEQUENCE) return x509Bad('subject public key');
  const exts = parseExtensions(items.find((k) => k.tag === 0xa3));
  return {
    ok: true,
    value: {
      der: cert.value.raw,
      tbs: tbsTlv.raw,
      signatureAlgorithm,
      signature,
      serialHex: serialHexOf(serialTlv.value),
      issuer,
      subject,
      notBefore,
      notAfter,
      spki: spkiTlv.raw,
      ...exts,
    },
  };
}
