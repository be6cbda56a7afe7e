import { constants, verify, type KeyObject } from 'node:crypto';

/** The signature scheme of an X.509/CMS algorithm identifier (protocol's `SignatureScheme` fits). */
export interface VerifiableScheme {
  scheme: string;
  hash: string;
  saltLength?: number;
}

/**
 * node:crypto's check of a signature (certificate, CRL, master list, document security object)
 * under a scheme read by protocol's ASN.1 toolkit: RSA-PSS with its salt, plain (P1363) ECDSA as in
 * BSI TR-03111, else the key's own scheme. False on any fault, never a throw.
 */
export function verifySignature(
  scheme: VerifiableScheme,
  data: Uint8Array,
  key: KeyObject,
  signature: Uint8Array,
): boolean {
  try {
    if (scheme.scheme === 'rsa-pss')
      return verify(
        scheme.hash,
        data,
        { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.saltLength ?? 20 },
        signature,
      );
    if (scheme.scheme === 'ecdsa-plain')
      return verify(scheme.hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature);
    return verify(scheme.hash, data, key, signature);
  } catch {
    return false;
  }
}
