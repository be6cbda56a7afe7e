/**
 * Classifies one scanned payload (barcode scanner or camera) into what the kiosk UI receives:
 * a CCCD identity, a BHYT identity, a ticket lookup code, a booking code, a VNeID or 2024-card QR
 * (recognised, nothing read: document-qr.recognizer.ts), or a typed rejection. Never throws and
 * never returns the raw payload.
 */
import { bookingCodeFromQr, TICKET_QR_PREFIX, type ClassifiedScan } from '@kiosk/protocol';
import { looksLikeBhytQr, parseBhytQr } from './qr/bhyt-qr.parser';
import { looksLikeCccdQr, parseCccdQr } from './qr/cccd-qr.parser';
import { looksNotUtf8, MAX_PAYLOAD_CHARS, trimPayload } from './qr/qr-text';
import { looksLikeCccd2024Qr, looksLikeVneidQr } from './qr/document-qr.recognizer';

export { TICKET_QR_PREFIX };
const TICKET_CODE = /^[A-Z0-9]{6,32}$/u;
/**
 * A ticket's status-page URL, `http(s)://<host>[:port]/t/<code>` (scheme and host in any case, as
 * a QR in alphanumeric mode may carry them). Any host: the scan yields only the lookup code, which
 * the kiosk looks up on its own server (the URL is never opened), and tickets printed under an
 * earlier or another public URL of the hospital must still read; an unknown code is simply not found.
 */
const TICKET_STATUS_URL = /^https?:\/\/(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::\d{1,5})?\/t\/([^/?#]*)$/iu;

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
  const statusUrl = TICKET_STATUS_URL.exec(text);
  if (statusUrl) {
    const code = statusUrl[1] ?? '';
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
