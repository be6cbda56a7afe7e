/**
 * Classifies one scanned payload (barcode scanner or camera) into what the kiosk UI receives:
 * a CCCD identity, a BHYT identity, a ticket lookup code, a booking code, a VNeID or 2024-card QR
 * (recognised, nothing read: document-qr.recognizer.ts), or a typed rejection. Never throws and
 * never returns the raw payload.
 */
import { bookingCodeFromQr, type ClassifiedScan } from '@kiosk/protocol';
import { looksLikeBhytQr, parseBhytQr } from './qr/bhyt-qr.parser';
import { looksLikeCccdQr, parseCccdQr } from './qr/cccd-qr.parser';
import { looksNotUtf8, MAX_PAYLOAD_CHARS, trimPayload } from './qr/qr-text';
import { looksLikeCccd2024Qr, looksLikeVneidQr } from './qr/document-qr.recognizer';

export const TICKET_QR_PREFIX = 'TK:';
const TICKET_CODE = /^[A-Z0-9]{6,32}$/u;

export function classifyScan(payload: string): ClassifiedScan {
  try {
    return classify(payload);
  } catch {
    // Defensive net only: the parsers are fuzzed not to throw.
    return { kind: 'rejected', claimed: 'unknown', reason: 'unknown-format' };
  }
}

function classify(payload: string): ClassifiedScan {
  if (typeof payload !== 'string') return { kind: 'rejected', claimed: 'unknown', reason: 'unknown-format' };
  const text = trimPayload(payload);
  if (text.length === 0) return { kind: 'rejected', claimed: 'unknown', reason: 'empty' };
  if (text.length > MAX_PAYLOAD_CHARS) return { kind: 'rejected', claimed: 'unknown', reason: 'too-long' };

  if (text.startsWith(TICKET_QR_PREFIX)) {
    const code = text.slice(TICKET_QR_PREFIX.length);
    if (TICKET_CODE.test(code)) return { kind: 'ticket-qr', lookupCode: code };
    return { kind: 'rejected', claimed: 'ticket-qr', reason: 'unknown-format' };
  }
  if (looksLikeBhytQr(text)) {
    const r = parseBhytQr(text);
    return r.ok
      ? { kind: 'bhyt-qr', identity: r.value.identity }
      : { kind: 'rejected', claimed: 'bhyt-qr', reason: r.error.code };
  }
  if (looksLikeVneidQr(text)) return { kind: 'vneid-qr', hint: 'go-to-counter' };
  // Before the 2021 parser, which would refuse its field count.
  if (looksLikeCccd2024Qr(text)) return { kind: 'cccd-2024-qr', hint: 'place-card' };
  if (looksLikeCccdQr(text)) {
    const r = parseCccdQr(text);
    return r.ok
      ? { kind: 'cccd-qr', identity: r.value }
      : { kind: 'rejected', claimed: 'cccd-qr', reason: r.error.code };
  }
  if (looksNotUtf8(text)) return { kind: 'rejected', claimed: 'unknown', reason: 'not-utf8' };
  const bookingCode = bookingCodeFromQr(text);
  if (bookingCode !== undefined) return { kind: 'booking-qr', bookingCode };
  return { kind: 'rejected', claimed: 'unknown', reason: 'unknown-format' };
}
