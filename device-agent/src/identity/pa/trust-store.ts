/**
 * CSCA trust store for passive authentication. No public Vietnamese CSCA list is known, so the
 * anchors are configuration: an array of PEM texts (each may hold several certificates) or
 * DER bytes. A certificate that does not parse is a configuration error naming its index.
 */
import { X509Certificate } from 'node:crypto';
import { err, ok, type Result } from '@kiosk/protocol';

export interface TrustStore {
  readonly anchors: readonly X509Certificate[];
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/gu;

export function createTrustStore(certificates: ReadonlyArray<string | Uint8Array>): Result<TrustStore> {
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
  return ok({ anchors });
}

export const EMPTY_TRUST_STORE: TrustStore = { anchors: [] };
