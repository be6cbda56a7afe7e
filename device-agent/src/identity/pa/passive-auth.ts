/**
 * Passive authentication (ICAO 9303-11 §5.1): every read DG's hash equals the one in the
 * SOD → the SignedData signature verifies with the document-signer certificate inside →
 * that certificate chains to a CSCA of the configured trust store. Result: `verified`,
 * `no-trust-anchor` (the data is consistent and signed but no configured CSCA issued the
 * signer) or `failed` naming the step (and DG). Never throws.
 *
 * DER walking is our own (tlv/), signature and chain checks are node:crypto (verify,
 * X509Certificate.checkIssued/verify): no dependency, and faulty SODs can be crafted in tests.
 */
import { createHash, constants, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { bytesEqual } from '../icao/bytes';
import {
  HASH_OIDS,
  OID,
  parseAlgorithmIdentifier,
  parseSod,
  type HashName,
  type SignerInfo,
  type Sod,
} from '../lds/sod.parser';
import { childrenOf, readTlv } from '../tlv/ber-tlv';
import { decodeSmallInt } from '../tlv/der';
import type { TrustStore } from './trust-store';

export type PassiveAuthStep =
  | 'sod-parse'
  | 'content-type'
  | 'unsupported-algorithm'
  | 'dg-hash'
  | 'message-digest'
  | 'signer-certificate'
  | 'signature'
  | 'certificate-chain'
  | 'certificate-validity';

/** Organisation-level certificate facts; safe to log (no personal data). */
export interface CertificateSummary {
  subject: string;
  issuer: string;
  serialNumber: string;
  validTo: string;
}

export type PassiveAuthResult =
  | {
      status: 'verified';
      hashAlgorithm: HashName;
      /** DGs whose hash matched, ascending. */
      dataGroups: number[];
      documentSigner: CertificateSummary;
      csca: CertificateSummary;
    }
  | {
      status: 'no-trust-anchor';
      hashAlgorithm: HashName;
      dataGroups: number[];
      documentSigner: CertificateSummary;
      reason: string;
    }
  | { status: 'failed'; step: PassiveAuthStep; dataGroup?: number; reason: string }
  /** No EF.SOD to check (missing or unreadable): the data is unverified, not refuted. */
  | { status: 'unavailable'; reason: string };

export interface PassiveAuthOptions {
  trustStore: TrustStore;
  /** Instant at which certificate validity is checked; `false` skips the check. Default: now. */
  validityAt?: Date | false;
}

const fail = (step: PassiveAuthStep, reason: string, dataGroup?: number): PassiveAuthResult =>
  dataGroup === undefined ? { status: 'failed', step, reason } : { status: 'failed', step, dataGroup, reason };

function summary(c: X509Certificate): CertificateSummary {
  const flat = (s: string) => s.split('\n').filter(Boolean).join(', ');
  return { subject: flat(c.subject), issuer: flat(c.issuer), serialNumber: c.serialNumber, validTo: c.validTo };
}

const digest = (hash: HashName, data: Uint8Array) => new Uint8Array(createHash(hash).update(data).digest());

const stripZeros = (hex: string) => hex.replace(/^0+/u, '').toUpperCase();

/** Issuer Name DER and serial of a certificate, read from its TBSCertificate. */
function issuerAndSerial(der: Uint8Array): { issuer: Uint8Array; serial: Uint8Array } | undefined {
  const cert = readTlv(der);
  if (!cert.ok) return undefined;
  const certKids = childrenOf(cert.value);
  const tbs = certKids.ok ? certKids.value[0] : undefined;
  if (!tbs) return undefined;
  const t = childrenOf(tbs);
  if (!t.ok) return undefined;
  const items = t.value[0]?.tag === 0xa0 ? t.value.slice(1) : t.value;
  const [serial, , issuer] = items;
  return serial && issuer ? { issuer: issuer.raw, serial: serial.value } : undefined;
}

function matchesSid(der: Uint8Array, sid: SignerInfo['sid']): boolean {
  if ('subjectKeyIdentifier' in sid)
    return subjectKeyIdentifierOf(der) === Buffer.from(sid.subjectKeyIdentifier).toString('hex');
  const ias = issuerAndSerial(der);
  return (
    ias !== undefined &&
    bytesEqual(ias.issuer, sid.issuer) &&
    stripZeros(Buffer.from(ias.serial).toString('hex')) === stripZeros(Buffer.from(sid.serialNumber).toString('hex'))
  );
}

/** node:crypto verify parameters for a CMS signature algorithm. */
function signatureParams(
  si: SignerInfo,
  key: KeyObject,
):
  | {
      hash: HashName;
      key: KeyObject | { key: KeyObject; padding?: number; saltLength?: number; dsaEncoding?: 'der' | 'ieee-p1363' };
    }
  | undefined {
  const oid = si.signatureAlgorithm.oid;
  const digestHash = HASH_OIDS[si.digestAlgorithm.oid];
  const rsa: Record<string, HashName> = {
    '1.2.840.113549.1.1.5': 'sha1',
    '1.2.840.113549.1.1.14': 'sha224',
    '1.2.840.113549.1.1.11': 'sha256',
    '1.2.840.113549.1.1.12': 'sha384',
    '1.2.840.113549.1.1.13': 'sha512',
  };
  const ecdsa: Record<string, HashName> = {
    '1.2.840.10045.4.1': 'sha1',
    '1.2.840.10045.4.3.1': 'sha224',
    '1.2.840.10045.4.3.2': 'sha256',
    '1.2.840.10045.4.3.3': 'sha384',
    '1.2.840.10045.4.3.4': 'sha512',
  };
  // BSI TR-03111 ecdsa-plain-SHA*: r ‖ s instead of a DER SEQUENCE.
  const ecdsaPlain: Record<string, HashName> = {
    '0.4.0.127.0.7.1.1.4.1.1': 'sha1',
    '0.4.0.127.0.7.1.1.4.1.2': 'sha224',
    '0.4.0.127.0.7.1.1.4.1.3': 'sha256',
    '0.4.0.127.0.7.1.1.4.1.4': 'sha384',
    '0.4.0.127.0.7.1.1.4.1.5': 'sha512',
  };
  const r = rsa[oid];
  if (r) return { hash: r, key };
  const e = ecdsa[oid];
  if (e) return { hash: e, key: { key, dsaEncoding: 'der' } };
  const p = ecdsaPlain[oid];
  if (p) return { hash: p, key: { key, dsaEncoding: 'ieee-p1363' } };
  if ((oid === '1.2.840.113549.1.1.1' || oid === '1.2.840.10045.2.1') && digestHash) return { hash: digestHash, key };
  if (oid === '1.2.840.113549.1.1.10') {
    // RSASSA-PSS-params { [0] hashAlgorithm DEFAULT sha1, [1] mgf, [2] saltLength DEFAULT 20 }
    let hash: HashName = 'sha1';
    let saltLength = 20;
    const params = si.signatureAlgorithm.parameters;
    if (params && params.tag === 0x30) {
      const kids = childrenOf(params);
      if (!kids.ok) return undefined;
      for (const k of kids.value) {
        const inner = childrenOf(k);
        if (!inner.ok || !inner.value[0]) return undefined;
        if (k.tag === 0xa0) {
          const alg = parseAlgorithmIdentifier(inner.value[0]);
          const h = alg ? HASH_OIDS[alg.oid] : undefined;
          if (!h) return undefined;
          hash = h;
        } else if (k.tag === 0xa2) {
          const n = decodeSmallInt(inner.value[0].value);
          if (n === undefined) return undefined;
          saltLength = n;
        }
      }
    }
    return { hash, key: { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength } };
  }
  return undefined;
}

function checkValidity(cert: X509Certificate, at: Date): boolean {
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  const t = at.getTime();
  return Number.isFinite(from) && Number.isFinite(to) && t >= from && t <= to;
}

/**
 * @param sodBytes EF.SOD as read from the chip.
 * @param dataGroups raw DG files as read, by DG number; each must be listed in the SOD.
 */
export function verifyPassiveAuth(
  sodBytes: Uint8Array,
  dataGroups: ReadonlyMap<number, Uint8Array>,
  options: PassiveAuthOptions,
): PassiveAuthResult {
  try {
    return verifyInner(sodBytes, dataGroups, options);
  } catch (e) {
    // node:crypto may throw on exotic keys; a fault here is a failed check, never a crash.
    return fail('signature', `verification error: ${e instanceof Error ? e.message.slice(0, 120) : 'unknown'}`);
  }
}

function verifyInner(
  sodBytes: Uint8Array,
  dataGroups: ReadonlyMap<number, Uint8Array>,
  options: PassiveAuthOptions,
): PassiveAuthResult {
  const parsed = parseSod(sodBytes);
  if (!parsed.ok) return fail('sod-parse', parsed.error.message);
  const sod: Sod = parsed.value;
  if (sod.eContentType !== OID.LDS_SECURITY_OBJECT)
    return fail('content-type', 'eContentType is not an LDSSecurityObject');
  const hashName = sod.lds.hashName;
  if (!hashName) return fail('unsupported-algorithm', `LDS hash algorithm ${sod.lds.hashAlgorithm.oid}`);

  const checked: number[] = [];
  for (const n of [...dataGroups.keys()].sort((a, b) => a - b)) {
    const expected = sod.lds.dataGroupHashes.get(n);
    if (!expected) return fail('dg-hash', `DG${n} is not listed in the SOD`, n);
    if (!bytesEqual(digest(hashName, dataGroups.get(n) ?? new Uint8Array(0)), expected))
      return fail('dg-hash', `DG${n} hash does not match the SOD`, n);
    checked.push(n);
  }

  const si = sod.signerInfos[0];
  if (!si) return fail('sod-parse', 'no SignerInfo');
  const signerHash = HASH_OIDS[si.digestAlgorithm.oid];
  if (!signerHash) return fail('unsupported-algorithm', `signer digest algorithm ${si.digestAlgorithm.oid}`);
  if (si.signedAttributes) {
    if (si.contentTypeAttribute !== undefined && si.contentTypeAttribute !== OID.LDS_SECURITY_OBJECT)
      return fail('content-type', 'signed contentType attribute is not an LDSSecurityObject');
    if (!si.messageDigest) return fail('message-digest', 'signed attributes carry no messageDigest');
    if (!bytesEqual(digest(signerHash, sod.eContent), si.messageDigest))
      return fail('message-digest', 'messageDigest does not match the LDSSecurityObject');
  }

  // Document signer: the certificate in the SOD matching the signer identifier.
  const candidates: { der: Uint8Array; x509: X509Certificate }[] = [];
  for (const der of sod.certificates) {
    try {
      candidates.push({ der, x509: new X509Certificate(Buffer.from(der)) });
    } catch {
      return fail('signer-certificate', 'a certificate in the SOD does not parse');
    }
  }
  const signer =
    candidates.find((c) => matchesSid(c.der, si.sid)) ?? (candidates.length === 1 ? candidates[0] : undefined);
  if (!signer) return fail('signer-certificate', 'no document-signer certificate in the SOD matches the signer');

  const params = signatureParams(si, signer.x509.publicKey);
  if (!params) return fail('unsupported-algorithm', `signature algorithm ${si.signatureAlgorithm.oid}`);
  const signedBytes = si.signedAttributes ?? sod.eContent;
  if (!verify(params.hash, signedBytes, params.key, si.signature))
    return fail('signature', 'SignedData signature does not verify with the document signer');

  const at = options.validityAt === undefined ? new Date() : options.validityAt;
  if (at && !checkValidity(signer.x509, at))
    return fail('certificate-validity', 'document-signer certificate is outside its validity period');

  const issuers = options.trustStore.anchors.filter((a) => a.ca && signer.x509.checkIssued(a));
  const ds = summary(signer.x509);
  if (issuers.length === 0)
    return {
      status: 'no-trust-anchor',
      hashAlgorithm: hashName,
      dataGroups: checked,
      documentSigner: ds,
      reason:
        options.trustStore.anchors.length === 0
          ? 'trust store is empty'
          : 'no CSCA in the trust store issued the document signer',
    };
  const csca = issuers.find((a) => signer.x509.verify(a.publicKey));
  if (!csca) return fail('certificate-chain', 'document-signer certificate signature does not verify with the CSCA');
  if (at && !checkValidity(csca, at))
    return fail('certificate-validity', 'CSCA certificate is outside its validity period');
  return { status: 'verified', hashAlgorithm: hashName, dataGroups: checked, documentSigner: ds, csca: summary(csca) };
}

/** SubjectKeyIdentifier extension (2.5.29.14) of a certificate, hex; undefined when absent. */
function subjectKeyIdentifierOf(der: Uint8Array): string | undefined {
  const cert = readTlv(der);
  if (!cert.ok) return undefined;
  const certKids = childrenOf(cert.value);
  const tbs = certKids.ok ? certKids.value[0] : undefined;
  const t = tbs ? childrenOf(tbs) : undefined;
  const exts = t?.ok ? t.value.find((k) => k.tag === 0xa3) : undefined;
  const seq = exts ? childrenOf(exts) : undefined;
  const list = seq?.ok && seq.value[0] ? childrenOf(seq.value[0]) : undefined;
  if (!list?.ok) return undefined;
  for (const ext of list.value) {
    const parts = childrenOf(ext);
    if (!parts.ok) continue;
    const [oid, ...rest] = parts.value;
    // 06 03 55 1D 0E = 2.5.29.14
    if (oid && Buffer.from(oid.raw).toString('hex') === '0603551d0e') {
      const value = rest[rest.length - 1];
      const inner = value ? readTlv(value.value) : undefined;
      return inner?.ok ? Buffer.from(inner.value.value).toString('hex') : undefined;
    }
  }
  return undefined;
}
