/**
 * X.509 v2 certificate revocation lists (RFC 5280 §5), read structurally: issuer, this/next
 * update, the revoked serial numbers, the issuer's key identifier, and the signed bytes with their
 * signature for the caller's crypto to check against the issuing CSCA. Pure; never throws.
 */
import type { Result } from '../result';
import { readTlv } from './ber-tlv';
import { decodeOid, TAG } from './der';
import { parseAlgorithmIdentifier, type AlgorithmIdentifier } from './cms';
import { hexOf } from './text-codec';
import {
  bitStringBytes,
  kids,
  parseName,
  parseTime,
  serialHexOf,
  x509Bad,
  type NameInfo,
  type X509Error,
} from './x509';

/** Revoked entries kept per CRL: a national CSCA's lists are short; this bounds a hostile one. */
export const MAX_REVOKED_PER_CRL = 100_000;

export interface CrlInfo {
  der: Uint8Array;
  tbs: Uint8Array;
  signatureAlgorithm: AlgorithmIdentifier;
  signature: Uint8Array;
  issuer: NameInfo;
  thisUpdate: string;
  nextUpdate?: string;
  /** Revoked serial numbers, hex without leading zeros (upper case). */
  revokedSerials: string[];
  authorityKeyIdentifier?: string;
}

export function parseCrl(der: Uint8Array): Result<CrlInfo, X509Error> {
  const top = readTlv(der);
  if (!top.ok) return x509Bad(`CRL: ${top.error.code} at ${top.error.offset}`);
  if (top.value.tag !== TAG.SEQUENCE || top.value.raw.length !== der.length)
    return x509Bad('CRL is not one DER SEQUENCE');
  const [tbsTlv, algTlv, sigTlv] = kids(top.value) ?? [];
  const signatureAlgorithm = parseAlgorithmIdentifier(algTlv);
  const signature = bitStringBytes(sigTlv);
  if (tbsTlv?.tag !== TAG.SEQUENCE || !signatureAlgorithm || !signature) return x509Bad('CRL structure');
  const t = kids(tbsTlv);
  if (!t) return x509Bad('TBSCertList structure');
  const items = t[0]?.tag === TAG.INTEGER ? t.slice(1) : t;
  const [innerAlg, issuerTlv, thisTlv, ...rest] = items;
  if (!parseAlgorithmIdentifier(innerAlg)) return x509Bad('CRL signature algorithm');
  const issuer = parseName(issuerTlv);
  if (!issuer) return x509Bad('CRL issuer');
  const thisUpdate = parseTime(thisTlv);
  if (!thisUpdate) return x509Bad('CRL thisUpdate');
  let i = 0;
  const nextUpdate = parseTime(rest[i]);
  if (nextUpdate) i++;
  const revokedSerials: string[] = [];
  if (rest[i]?.tag === TAG.SEQUENCE) {
    const entries = kids(rest[i]);
    if (!entries) return x509Bad('revokedCertificates');
    if (entries.length > MAX_REVOKED_PER_CRL) return x509Bad('too many revoked certificates');
    for (const e of entries) {
      const serial = kids(e)?.[0];
      if (serial?.tag !== TAG.INTEGER || serial.value.length === 0) return x509Bad('revoked entry');
      revokedSerials.push(serialHexOf(serial.value));
    }
    i++;
  }
  let authorityKeyIdentifier: string | undefined;
  const extsTlv = rest[i]?.tag === 0xa0 ? rest[i] : undefined;
  for (const ext of kids(kids(extsTlv)?.[0]) ?? []) {
    const parts = kids(ext) ?? [];
    const oid = parts[0]?.tag === TAG.OID ? decodeOid(parts[0].value) : undefined;
    const value = parts[parts.length - 1];
    if (oid !== '2.5.29.35' || value?.tag !== TAG.OCTET_STRING) continue;
    const inner = readTlv(value.value);
    const keyId = inner.ok ? kids(inner.value)?.find((k) => k.tag === 0x80) : undefined;
    if (keyId) authorityKeyIdentifier = hexOf(keyId.value);
  }
  return {
    ok: true,
    value: {
      der: top.value.raw,
      tbs: tbsTlv.raw,
      signatureAlgorithm,
      signature,
      issuer,
      thisUpdate,
      ...(nextUpdate ? { nextUpdate } : {}),
      revokedSerials,
      ...(authorityKeyIdentifier ? { authorityKeyIdentifier } : {}),
    },
  };
}
