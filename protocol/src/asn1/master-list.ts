/**
 * ICAO CSCA master list (Doc 9303-12 §9): a CMS SignedData whose eContent (type 2.23.136.1.1.2)
 * is `CscaMasterList ::= SEQUENCE { version INTEGER, certList SET OF Certificate }`, signed by a
 * master-list signer whose certificate the SignedData carries. Read structurally here; the
 * signature is the caller's crypto's to check. Pure; never throws.
 */
import { err, type AppError, type Result } from '../result';
import { readTlv } from './ber-tlv';
import { TAG } from './der';
import { CMS_OID, parseSignedData, type SignedData } from './cms';
import { kids, parseCertificate, type CertificateInfo } from './x509';

/** CSCAs per master list: the ICAO list holds a few hundred; this bounds a hostile one. */
export const MAX_MASTER_LIST_CERTIFICATES = 5000;

export interface MasterListInfo {
  signedData: SignedData;
  version: number;
  /** The CSCA certificates of certList. */
  certificates: CertificateInfo[];
}

export function parseMasterList(contentInfo: Uint8Array): Result<MasterListInfo, AppError> {
  const sd = parseSignedData(contentInfo);
  if (!sd.ok) return sd;
  if (sd.value.eContentType !== CMS_OID.CSCA_MASTER_LIST)
    return err('master-list-malformed', 'the signed content is not a CSCA master list');
  const top = readTlv(sd.value.eContent);
  if (!top.ok || top.value.tag !== TAG.SEQUENCE) return err('master-list-malformed', 'CscaMasterList structure');
  const [versionTlv, certList] = kids(top.value) ?? [];
  if (versionTlv?.tag !== TAG.INTEGER || versionTlv.value.length !== 1 || certList?.tag !== TAG.SET)
    return err('master-list-malformed', 'CscaMasterList version or certList');
  const items = kids(certList);
  if (!items) return err('master-list-malformed', 'certList structure');
  if (items.length > MAX_MASTER_LIST_CERTIFICATES) return err('master-list-malformed', 'too many certificates');
  const certificates: CertificateInfo[] = [];
  for (const [index, item] of items.entries()) {
    const c = parseCertificate(item.raw);
    if (!c.ok) return err('master-list-malformed', `certificate ${index + 1}: ${c.error.message}`);
    certificates.push(c.value);
  }
  if (certificates.length === 0) return err('master-list-malformed', 'the master list holds no certificate');
  return { ok: true, value: { signedData: sd.value, version: versionTlv.value[0] ?? 0, certificates } };
}
