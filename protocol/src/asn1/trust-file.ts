/**
 * A file an administrator gives the CSCA trust store: an ICAO master list (`.ml`, CMS), one or
 * more certificates (DER or PEM) or a CRL (DER or PEM). Its kind is read from its content, not
 * its name. Structural only; signatures are the caller's crypto's to check. Never throws.
 */
import { err, ok, type AppError, type Result } from '../result';
import { readTlv } from './ber-tlv';
import { TAG } from './der';
import { parseCrl, type CrlInfo } from './crl';
import { parseMasterList, type MasterListInfo } from './master-list';
import { decodeText, fromBase64 } from './text-codec';
import { kids, parseCertificate, type CertificateInfo } from './x509';

export type TrustFileContent =
  | { kind: 'master-list'; masterList: MasterListInfo }
  | { kind: 'certificate'; certificates: CertificateInfo[] }
  | { kind: 'crl'; crl: CrlInfo };

/** Certificates in one PEM file (a CA bundle): bounded like a master list. */
const MAX_PEM_BLOCKS = 5000;
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]{1,40})-----([A-Za-z0-9+/=\s]*?)-----END \1-----/gu;

function fromDer(der: Uint8Array): Result<TrustFileContent, AppError> {
  const top = readTlv(der);
  if (!top.ok || top.value.tag !== TAG.SEQUENCE)
    return err('trust-file-unknown', 'not a DER certificate, CRL or master list');
  const first = kids(top.value)?.[0];
  if (first?.tag === TAG.OID) {
    const ml = parseMasterList(der);
    return ml.ok ? ok({ kind: 'master-list', masterList: ml.value }) : ml;
  }
  // TBSCertificate opens with [0] version or the serial INTEGER then an AlgorithmIdentifier;
  // TBSCertList with an optional version INTEGER then the AlgorithmIdentifier and the issuer Name.
  const cert = parseCertificate(der);
  if (cert.ok) return ok({ kind: 'certificate', certificates: [cert.value] });
  const crl = parseCrl(der);
  if (crl.ok) return ok({ kind: 'crl', crl: crl.value });
  return err('trust-file-unknown', `not a certificate, CRL or master list (${cert.error.message})`);
}

export function parseTrustFile(bytes: Uint8Array): Result<TrustFileContent, AppError> {
  if (bytes.length === 0) return err('trust-file-unknown', 'the file is empty');
  if (bytes[0] === TAG.SEQUENCE) return fromDer(bytes);
  let text: string;
  try {
    text = decodeText('utf-8', bytes.subarray(0, Math.min(bytes.length, 16 * 1024 * 1024)), true);
  } catch {
    return err('trust-file-unknown', 'neither DER nor PEM');
  }
  const blocks = [...text.matchAll(PEM_BLOCK)].slice(0, MAX_PEM_BLOCKS + 1);
  if (blocks.length === 0) return err('trust-file-unknown', 'neither DER nor PEM');
  if (blocks.length > MAX_PEM_BLOCKS) return err('trust-file-unknown', 'too many PEM blocks');
  const certificates: CertificateInfo[] = [];
  for (const [index, [, label, body]] of blocks.entries()) {
    const der = fromBase64(body ?? '');
    if (!der || der.length === 0) return err('trust-file-unknown', `PEM block ${index + 1} is not base64`);
    if (label === 'CERTIFICATE') {
      const c = parseCertificate(der);
      if (!c.ok) return err(c.error.code, `PEM block ${index + 1}: ${c.error.message}`);
      certificates.push(c.value);
    } else if (blocks.length === 1 && (label === 'X509 CRL' || label === 'CMS' || label === 'PKCS7')) {
      return fromDer(der);
    } else return err('trust-file-unknown', `PEM block ${index + 1}: ${label ?? ''} is not a certificate`);
  }
  return ok({ kind: 'certificate', certificates });
}
