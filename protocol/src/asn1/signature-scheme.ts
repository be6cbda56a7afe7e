/**
 * Signature algorithm identifiers of certificates, CRLs and CMS signer infos → the hash and
 * scheme a crypto library verifies with (RSA PKCS#1 v1.5, RSASSA-PSS, ECDSA with a DER or a
 * plain r‖s signature per BSI TR-03111). Pure.
 */
import { childrenOf } from './ber-tlv';
import { HASH_OIDS, parseAlgorithmIdentifier, type AlgorithmIdentifier, type HashName } from './cms';
import { decodeSmallInt } from './der';

export interface SignatureScheme {
  hash: HashName;
  scheme: 'rsa-pkcs1' | 'rsa-pss' | 'ecdsa-der' | 'ecdsa-plain';
  /** RSASSA-PSS salt length. */
  saltLength?: number;
}

const RSA: Readonly<Record<string, HashName>> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.14': 'sha224',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
};
const ECDSA: Readonly<Record<string, HashName>> = {
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.10045.4.3.1': 'sha224',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};
const ECDSA_PLAIN: Readonly<Record<string, HashName>> = {
  '0.4.0.127.0.7.1.1.4.1.1': 'sha1',
  '0.4.0.127.0.7.1.1.4.1.2': 'sha224',
  '0.4.0.127.0.7.1.1.4.1.3': 'sha256',
  '0.4.0.127.0.7.1.1.4.1.4': 'sha384',
  '0.4.0.127.0.7.1.1.4.1.5': 'sha512',
};
const RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
const EC_PUBLIC_KEY = '1.2.840.10045.2.1';
const RSA_PSS = '1.2.840.113549.1.1.10';

/**
 * @param digest the signer info's digest algorithm, for the bare key OIDs some SODs carry
 *   (rsaEncryption, ecPublicKey) in place of a signature algorithm.
 */
export function signatureSchemeOf(alg: AlgorithmIdentifier, digest?: AlgorithmIdentifier): SignatureScheme | undefined {
  const oid = alg.oid;
  const r = RSA[oid];
  if (r) return { hash: r, scheme: 'rsa-pkcs1' };
  const e = ECDSA[oid];
  if (e) return { hash: e, scheme: 'ecdsa-der' };
  const p = ECDSA_PLAIN[oid];
  if (p) return { hash: p, scheme: 'ecdsa-plain' };
  const digestHash = digest ? HASH_OIDS[digest.oid] : undefined;
  if (oid === RSA_ENCRYPTION && digestHash) return { hash: digestHash, scheme: 'rsa-pkcs1' };
  if (oid === EC_PUBLIC_KEY && digestHash) return { hash: digestHash, scheme: 'ecdsa-der' };
  if (oid !== RSA_PSS) return undefined;
  // RSASSA-PSS-params { [0] hashAlgorithm DEFAULT sha1, [1] mgf, [2] saltLength DEFAULT 20 }
  let hash: HashName = 'sha1';
  let saltLength = 20;
  const params = alg.parameters;
  if (params && params.tag === 0x30) {
    const kids = childrenOf(params);
    if (!kids.ok) return undefined;
    for (const k of kids.value) {
      const inner = childrenOf(k);
      if (!inner.ok || !inner.value[0]) return undefined;
      if (k.tag === 0xa0) {
        const a = parseAlgorithmIdentifier(inner.value[0]);
        const h = a ? HASH_OIDS[a.oid] : undefined;
        if (!h) return undefined;
        hash = h;
      } else if (k.tag === 0xa2) {
        const n = decodeSmallInt(inner.value[0].value);
        if (n === undefined) return undefined;
        saltLength = n;
      }
    }
  }
  return { hash, scheme: 'rsa-pss', saltLength };
}
