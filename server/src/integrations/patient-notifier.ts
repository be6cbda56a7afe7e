/**
 * Telling a patient's phone that their ticket nears the front or is called: one interface for
 * every channel (Web Push, Zalo ZNS, SMS through the hospital's provider), and the one retry rule
 * they share. A send answers a Result: 'notify-gone' (the subscription or number cannot be
 * reached again: forget it), 'notify-refused' (the provider refused this message: no retry),
 * 'notify-unavailable' (transient: retried with backoff, then given up). A patient who is not
 * told still sees the status page; nothing here blocks the queue.
 */
import { err, type NotifyChannel, type Result, type TicketNotification } from '@kiosk/protocol';

export interface NotifyTarget {
  /** Web Push: the subscription JSON. */
  pushJson: string | null;
  /** ZNS / SMS: the phone number, opened (84xxxxxxxxx). */
  phone: string | null;
  /** The subscription's id and the notification's kind: the provider's idempotency key. */
  requestId: string;
}

export interface SendReport {
  attempts: number;
}

export type NotifyFailureCode = 'notify-gone' | 'notify-refused' | 'notify-unavailable';

export interface PatientNotifier {
  readonly channel: NotifyChannel;
  send(target: NotifyTarget, n: TicketNotification): Promise<Result<SendReport>>;
}

export interface RetryOptions {
  attempts: number;
  baseDelayMs: number;
  /** Waits between attempts (tests pass one that does not sleep). */
  sleep?: (ms: number) => Promise<void>;
}

export const defaultRetry: RetryOptions = { attempts: 3, baseDelayMs: 500 };

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** One attempt's outcome: done, a failure to retry (after `retryAfterMs` if the provider said), or final. */
export type Attempt = { ok: true } | { ok: false; code: NotifyFailureCode; message: string; retryAfterMs?: number };

/** Runs `attempt` until it succeeds, fails for good, or the attempts run out (exponential backoff). */
export async function withRetries(
  o: RetryOptions,
  attempt: (n: number) => Promise<Attempt>,
): Promise<Result<SendReport>> {
  const sleep = o.sleep ?? realSleep;
  let last: Attempt = { ok: false, code: 'notify-unavailable', message: 'not tried' };
  for (let n = 1; n <= o.attempts; n++) {
    last = await attempt(n);
    if (last.ok) return { ok: true, value: { attempts: n } };
    if (last.code !== 'notify-unavailable' || n === o.attempts) break;
    await sleep(Math.min(30_000, last.retryAfterMs ?? o.baseDelayMs * 2 ** (n - 1)));
  }
  return err(last.ok ? 'notify-unavailable' : last.code, last.ok ? '' : last.message);
}

/** A `Retry-After` header in seconds (dates are not worth a parser here). */
export const retryAfterMsOf = (header: string | string[] | undefined): number | undefined => {
  const s = Number(Array.isArray(header) ? header[0] : header);
  return Number.isFinite(s) && s >= 0 ? s * 1000 : undefined;
};

/** The ZNS template's parameters and the SMS text, from one notification (Vietnamese, no accents for SMS). */
export const smsTextOf = (n: TicketNotification, hospital: string): string =>
  stripAccents(`${hospital}: ${n.body.vi}`).slice(0, 300);

export function stripAccents(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/gu, '')
    .replace(/đ/gu, 'd')
    .replace(/Đ/gu, 'D');
}
