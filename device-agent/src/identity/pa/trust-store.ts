/**
 * CSCA trust store for passive authentication: CSCA certificates (anchors) and the CRLs of
 * those CSCAs. No public Vietnamese CSCA list is known, so the anchors are configuration (a
 * folder of certificates) and what the server pushes (master lists, certificates and CRLs an
 * administrator imported). A certificate that does not parse is a configuration error naming its
 * index; a CRL counts only when its issuer is an anchor whose key verifies its signature.
 */
import { X509Certificate } from 'node:crypto';
import { verifySignature } from '@kiosk/protocol/node';
import { err, ok, parseCertificate, parseCrl, signatureSchemeOf, type CrlInfo, type Result } from '@kiosk/protocol';
import { bytesEqual } from '../icao/bytes';

export interface TrustStore {
  readonly anchors: readonly X509Certificate[];
  /** CRLs as given; each is honoured only for the anchor that signed it (revokedBy). */
  readonly crls?: readonly CrlInfo[];
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/gu;

export function createTrustStore(
  certificates: ReadonlyArray<string | Uint8Array>,
  crls: ReadonlyArray<Uint8Array> = [],
): Result<TrustStore> {
  const anchors: X509Certificate[] = [];
  for (const [index, entry] of certificates.entries()) {
    const blocks = typeof entry === 'string' ? (entry.match(PEM_BLOCK) ?? []) : [entry];
    if (blocks.length === 0)
      return err('trust-store-bad-certificate', `trust store entry ${index}: no PEM certificate`);
    for (const block of blocks) {
      try {
        anchors.push(new X509Certificate(typeof block === 'string' ? block : Buffer.from(block)));
      } catch {
        return err('trust-store-bad-certificate', `trust store entry ${index}: certificate does not parse`);
      }
    }
  }
  const lists: CrlInfo[] = [];
  for (const [index, der] of crls.entries()) {
    const crl = parseCrl(der);
    if (!crl.ok) return err('trust-store-bad-crl', `trust store CRL ${index}: ${crl.error.message}`);
    lists.push(crl.value);
  }
  return ok({ anchors, crls: lists });
}

export const EMPTY_TRUST_STORE: TrustStore = { anchors: [], crls: [] };

/** One store of several (the folder's and the server's): anchors and CRLs side by side. */
export function mergeTrustStores(...stores: TrustStore[]): TrustStore {
  return { anchors: stores.flatMap((s) => s.anchors), crls: stores.flatMap((s) => s.crls ?? []) };
}

/** node:crypto's check of a signature under a scheme from @kiosk/protocol; false on any fault. */
export { verifySignature };

const normalSerial = (hex: string) => hex.replace(/^0+/u, '').toUpperCase() || '0';

/**
 * Whether a CRL issued and signed by `csca` lists `serialNumber` (hex, as X509Certificate gives
 * it). A CRL past its nextUpdate still counts: a revocation is not undone by age.
 */
export function revokedBy(store: TrustStore, csca: X509Certificate, serialNumber: string): boolean {
  const crls = store.crls ?? [];
  if (crls.length === 0) return false;
  const parsed = parseCertificate(new Uint8Array(csca.raw));
  if (!parsed.ok) return false;
  const serial = normalSerial(serialNumber);
  return crls.some((crl) => {
    if (!bytesEqual(crl.issuer.der, parsed.value.subject.der) || !crl.revokedSerials.includes(serial)) return false;
    const scheme = signatureSchemeOf(crl.signatureAlgorithm);
    return scheme !== undefined && verifySignature(scheme, crl.tbs, csca.publicKey, crl.signature);
  });
}
