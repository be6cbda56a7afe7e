/**
 * Turns a complete frame into the scanned text. Scanners add CR/LF suffixes (and some prefix an
 * AIM id when configured); those are not part of the code. Invalid UTF-8 is decoded with U+FFFD
 * and flagged, so the classifier can reject it as 'not-utf8' instead of guessing. Pure; no Node APIs.
 */
import { parseAimId } from './aim-symbology';

export interface DecodedScan {
  text: string;
  validUtf8: boolean;
  /** AIM id found at the start of a serial frame (the scanner's "transmit AIM id" option). */
  aimId?: string;
}

const fatal = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder('utf-8');

export function decodeScan(bytes: Uint8Array, options: { leadingAimId?: boolean } = {}): DecodedScan {
  let start = 0;
  let end = bytes.length;
  while (start < end && isLineEnd(bytes[start])) start += 1;
  while (end > start && (isLineEnd(bytes[end - 1]) || bytes[end - 1] === 0)) end -= 1;
  let aimId: string | undefined;
  if (options.leadingAimId === true) {
    aimId = parseAimId(bytes.subarray(start, start + 3));
    if (aimId !== undefined) start += 3;
  }
  const body = bytes.subarray(start, end);
  let text: string;
  let validUtf8 = true;
  try {
    text = fatal.decode(body);
  } catch {
    text = lenient.decode(body);
    validUtf8 = false;
  }
  return aimId === undefined ? { text, validUtf8 } : { text, validUtf8, aimId };
}

const isLineEnd = (b: number | undefined) => b === 0x0d || b === 0x0a;
