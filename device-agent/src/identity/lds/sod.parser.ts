/**
 * EF.SOD: `77` { ContentInfo { signedData OID, [0] SignedData } } (RFC 5652) whose
 * encapsulated content is an LDSSecurityObject (eContentType 2.23.136.1.1.1):
 * SEQUENCE { version, hashAlgorithm, SEQUENCE OF { dataGroupNumber, dataGroupHashValue } }.
 * Only the fields passive authentication needs are extracted; never throws.
 */
import {
  CMS_OID,
  HASH_OIDS,
  parseAlgorithmIdentifier,
  parseSignedData,
  type AlgorithmIdentifier,
  type HashName,
  type Result,
  type SignedData,
  childrenOf,
  expectTlv,
  type Tlv,
  decodeSmallInt,
  TAG,
} from '@kiosk/protocol';
import { EF_SOD_TAG } from './lds-files';
import { fromTlv, ldsErr, type LdsError } from './lds-error';

export {
  HASH_OIDS,
  parseAlgorithmIdentifier,
  type AlgorithmIdentifier,
  type HashName,
  type SignerInfo,
} from '@kiosk/protocol';

export const OID = CMS_OID;

export interface LdsSecurityObject {
  version: number;
  hashAlgorithm: AlgorithmIdentifier;
  /** Node hash name when the OID is known. */
  hashName?: HashName;
  dataGroupHashes: Map<number, Uint8Array>;
}

/** The SignedData of EF.SOD with its LDSSecurityObject; `certificates` holds the document signer. */
export interface Sod extends SignedData {
  lds: LdsSecurityObject;
}

const FILE = 'EF.SOD';
const bad = (message: string) => ldsErr('lds-unexpected-content', FILE, message);

function kidsOf(t: Tlv | undefined, what: string): Result<Tlv[], LdsError> {
  if (!t) return bad(`${what} missing`);
  const k = childrenOf(t);
  return k.ok ? k : fromTlv(FILE, k.error);
}

export function parseLdsSecurityObject(bytes: Uint8Array): Result<LdsSecurityObject, LdsError> {
  const outer = expectTlv(bytes, TAG.SEQUENCE);
  if (!outer.ok) return fromTlv(FILE, outer.error);
  const k = kidsOf(outer.value, 'LDSSecurityObject');
  if (!k.ok) return k;
  const [versionTlv, algTlv, hashesTlv] = k.value;
  const version = versionTlv?.tag === TAG.INTEGER ? decodeSmallInt(versionTlv.value) : undefined;
  if (version === undefined) return bad('LDSSecurityObject version missing');
  const hashAlgorithm = parseAlgorithmIdentifier(algTlv);
  if (!hashAlgorithm) return bad('LDSSecurityObject hash algorithm missing');
  if (hashesTlv?.tag !== TAG.SEQUENCE) return bad('dataGroupHashValues missing');
  const list = kidsOf(hashesTlv, 'dataGroupHashValues');
  if (!list.ok) return list;
  const dataGroupHashes = new Map<number, Uint8Array>();
  for (const item of list.value) {
    const f = kidsOf(item, 'DataGroupHash');
    if (!f.ok) return f;
    const [nTlv, hTlv] = f.value;
    const n = nTlv?.tag === TAG.INTEGER ? decodeSmallInt(nTlv.value) : undefined;
    if (n === undefined || n < 1 || n > 16 || hTlv?.tag !== TAG.OCTET_STRING) return bad('DataGroupHash malformed');
    if (dataGroupHashes.has(n)) return bad(`DG${n} hashed twice`);
    dataGroupHashes.set(n, hTlv.value);
  }
  const lds: LdsSecurityObject = { version, hashAlgorithm, dataGroupHashes };
  const hashName = HASH_OIDS[hashAlgorithm.oid];
  if (hashName) lds.hashName = hashName;
  return { ok: true, value: lds };
}

export function parseSod(bytes: Uint8Array): Result<Sod, LdsError> {
  const outer = expectTlv(bytes, EF_SOD_TAG);
  // Some chips store the bare ContentInfo without the 77 wrapper.
  const sd = parseSignedData(outer.ok ? outer.value.value : bytes);
  if (!sd.ok) return bad(sd.error.message);
  const lds = parseLdsSecurityObject(sd.value.eContent);
  if (!lds.ok) return lds;
  return { ok: true, value: { ...sd.value, lds: lds.value } };
}
