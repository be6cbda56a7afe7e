/** Public API of the identity layer: scan classification, QR parsers, MRZ/BAC, chip reading. */
export { classifyScan, TICKET_QR_PREFIX } from './scan-classifier';
export { parseCccdQr, looksLikeCccdQr } from './qr/cccd-qr.parser';
export {
  parseBhytQr,
  looksLikeBhytQr,
  decodeHexUtf8,
  normalizeFacilityCode,
  type BhytQrData,
} from './qr/bhyt-qr.parser';
export type { ScanParseError, ScanParseResult } from './qr/qr-text';
export { parseMrz, splitMrzLines, type Mrz, type MrzError, type MrzRejection, type MrzField } from './mrz/mrz.parser';
export { mrzCheckDigit, checkDigitMatches } from './mrz/check-digit';
export { bacKeyInfo, cccdBacKeyInfo, toMrzDate, type CccdKeyInput } from './mrz/bac-key';
export {
  deriveCccdExpiry,
  cccdExpiryCandidates,
  CCCD_MILESTONE_AGES,
  DEFAULT_LIFETIME_MRZ_GUESSES,
  type CccdExpiry,
  type ExpiryCandidate,
  type ExpiryCandidateOptions,
} from './mrz/cccd-expiry';
export type { CalendarDate } from './dates';
export { deriveBacKeys, buildMutualAuthData, completeMutualAuth, answerMutualAuth } from './icao/bac';
export type { BacKeys, SessionKeys, BacError, BacRejection } from './icao/bac';
export {
  SecureMessaging,
  AesSecureMessaging,
  type SecureChannel,
  type SmError,
  type SmRejection,
  type ResponseApdu,
} from './icao/secure-messaging';
export { aesCmac, aesCbcEncrypt, aesCbcDecrypt, aesEcbEncrypt } from './icao/aes';
export { encodeCommandApdu, decodeCommandApdu, type CommandApdu } from './icao/apdu';
export {
  kdf,
  retailMac,
  tdesEncrypt,
  tdesDecrypt,
  adjustParity,
  pad as iso9797Pad,
  unpad as iso9797Unpad,
} from './icao/des';
export { parseEfCom, type EfCom } from './lds/ef-com.parser';
export { parseDg1 } from './lds/dg1.parser';
export { parseDg13, dg13ToIdentity, dg13DateToIso, type Dg13 } from './lds/dg13.parser';
export { parseDg2, extractFaceFromBdb, type FaceImage } from './lds/dg2.parser';
export { parseSod, parseLdsSecurityObject, type Sod, type SignerInfo, type LdsSecurityObject } from './lds/sod.parser';
export type { LdsError } from './lds/lds-error';
export { MRTD_AID, FILE_ID, DG_TAGS, dataGroupFileId } from './lds/lds-files';
export {
  verifyPassiveAuth,
  type PassiveAuthResult,
  type PassiveAuthStep,
  type PassiveAuthOptions,
  type CertificateSummary,
} from './pa/passive-auth';
export { createTrustStore, EMPTY_TRUST_STORE, mergeTrustStores, type TrustStore } from './pa/trust-store';
export {
  readChip,
  type ChipReadOptions,
  type ChipReadListeners,
  type ChipReadProgress,
  type ChipReadResult,
  type ChipReadStats,
  type ChipIdentityEvent,
  type ChipFileName,
} from './chip-reader';
export {
  CHIP_HINTS,
  type ChipReadError,
  type ChipReadErrorCode,
  type ChipHint,
  type ChipReadStage,
} from './chip/chip-errors';
export {
  bacKeyCandidates,
  accessCandidates,
  accessKeyFromIdentity,
  MAX_BAC_ATTEMPTS,
  type ChipAccessKey,
  type AccessCandidates,
  type KeySource,
  type SessionKey,
} from './chip/access-key';
export {
  IdentificationSession,
  toAccessKey,
  type IdentificationSessionOptions,
  type SessionCardEvent,
  type QrOutcome,
  type CardOutcome,
} from './identification-session';
export { cardAuthenticityOf, cardFailureCodeOf, type ChipVerification } from './chip/card-events';
export {
  parseSecurityInfos,
  parseCardAccess,
  parseDg14,
  parseDg15,
  type SecurityInfo,
  type PaceInfo,
  type ChipAuthenticationInfo,
  type ChipAuthenticationPublicKey,
  type ActiveAuthenticationInfo,
  type Dg15,
} from './lds/security-infos.parser';
export { runPace, type PaceError, type PaceParameters, type PaceSession } from './pace/pace';
export {
  PACE_ALGORITHMS,
  paceKdf,
  passwordKey,
  authenticationToken,
  type PaceAlgorithm,
  type PacePassword,
} from './pace/pace-crypto';
export { curveByName, curveByParameterId, STANDARD_DOMAIN_PARAMETERS, type EcCurve } from './pace/ec';
export { runChipAuthentication, type CaOutcome } from './ca/chip-auth';
export { runActiveAuthentication, verifyActiveAuthSignature, type AaOutcome } from './ca/active-auth';
export { jpeg2000ToPng, jpeg2000Codestream, type DecodedFace } from './face/jpeg2000';
