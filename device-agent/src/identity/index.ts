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
