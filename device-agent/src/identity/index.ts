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
export { SecureMessaging, type SmError, type SmRejection, type ResponseApdu } from './icao/secure-messaging';
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
