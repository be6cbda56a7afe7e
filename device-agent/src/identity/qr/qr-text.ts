/**
 * Text hygiene shared by the QR parsers: scanners append CR/LF or a BOM, some phones emit
 * decomposed (NFD) Vietnamese; a U+FFFD or a lone surrogate means the bytes were not UTF-8.
 */
import type { AppError, ScanRejection } from '@kiosk/protocol';

/** A parser's typed rejection: `code` is one of the protocol's scan rejection reasons. */
export interface ScanParseError extends AppError {
  code: ScanRejection;
}

export type ScanParseResult<T> = { ok: true; value: T } | { ok: false; error: ScanParseError };

export const MAX_PAYLOAD_CHARS = 4096;

export function reject(code: ScanRejection, message: string): { ok: false; error: ScanParseError } {
  return { ok: false, error: { code, message } };
}

// eslint-disable-next-line no-control-regex
const EDGE_NOISE = /^[\uFEFF\u0000-\u0020]+|[\u0000-\u0020]+$/gu;

/** Strips scanner framing (BOM, CR/LF, NUL, spaces) from both ends. */
export function trimPayload(payload: string): string {
  return payload.replace(EDGE_NOISE, '');
}

/** True when the decoded text shows it was not valid UTF-8 (replacement char or lone surrogate). */
export function looksNotUtf8(text: string): boolean {
  if (text.includes('\uFFFD')) return true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
}

/**
 * A QR payload as text a parser can split: not text, empty after the scanner's framing, longer
 * than MAX_PAYLOAD_CHARS or not UTF-8 is a typed rejection.
 */
export function payloadText(payload: unknown): ScanParseResult<string> {
  if (typeof payload !== 'string') return reject('unknown-format', 'payload is not text');
  const text = trimPayload(payload);
  if (text.length === 0) return reject('empty', 'empty payload');
  if (text.length > MAX_PAYLOAD_CHARS) return reject('too-long', `payload longer than ${MAX_PAYLOAD_CHARS} chars`);
  if (looksNotUtf8(text)) return reject('not-utf8', 'payload was not valid UTF-8');
  return { ok: true, value: text };
}

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000E-\u001F\u007F]/gu;

/** NFC, control characters dropped, inner whitespace collapsed, trimmed. */
export function cleanText(text: string): string {
  return text.normalize('NFC').replace(CONTROL_CHARS, '').replace(/\s+/gu, ' ').trim();
}
