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
