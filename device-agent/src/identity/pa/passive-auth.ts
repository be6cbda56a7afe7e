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
import { createHash, X509Certificate } from 'node:crypto';
import { signatureSchemeOf, childrenOf, readTlv } from '@kiosk/protocol';
import { bytesEqual } from '../icao/bytes';
import { HASH_OIDS, OID, parseSod, type HashName, type SignerInfo, type Sod } from '../lds/sod.parser';
import { revokedBy, verifySignature, type TrustStore } from './trust-store';

export type PassiveAuthStep =
  | 'sod-parse'
  | 'content-type'
  | 'unsupported-algorithm'
  | 'dg-hash'
  | 'message-digest'
  | 'signer-certificate'
  | 'signature'
  | 'certificate-chain'
  | 'certificate-validity'
  /** A CRL of the document signer's CSCA, signed by that CSCA, lists the signer's serial. */
  | 'dsc-revoked';

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

  const scheme = signatureSchemeOf(si.signatureAlgorithm, si.digestAlgorithm);
  if (!scheme) return fail('unsupported-algorithm', `signature algorithm ${si.signatureAlgorithm.oid}`);
  const signedBytes = si.signedAttributes ?? sod.eContent;
  if (!verifySignature(scheme, signedBytes, signer.x509.publicKey, si.signature))
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
  if (revokedBy(options.trustStore, csca, signer.x509.serialNumber))
    return fail('dsc-revoked', 'a CRL of the CSCA revokes the document-signer certificate');
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
