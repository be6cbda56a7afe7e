/**
 * SMS through the hospital's brandname provider, over the HTTP contract most Vietnamese
 * providers offer in some spelling: `POST <url>` with a bearer API key and
 * `{ to, from: <brandname>, text, requestId }`; the provider sends each requestId once (a retry
 * after a lost answer does not send twice). 200/202: accepted. 400 with `invalid-number`:
 * 'notify-gone'. 401/403: refused (the key is wrong: no retry). 429 and 5xx, or no answer:
 * retried with backoff (429's Retry-After honoured).
 */
import type { TicketNotification } from '@kiosk/protocol';
import type { HttpClient } from './http.client';
import {
  withRetries,
  retryAfterMsOf,
  smsTextOf,
  type NotifyTarget,
  type PatientNotifier,
  type RetryOptions,
} from './patient-notifier';

export interface SmsOptions {
  url: string;
  apiKey: string;
  brandname: string;
  hospitalName: string;
  timeoutMs: number;
}

export class SmsNotifier implements PatientNotifier {
  readonly channel = 'sms' as const;

  constructor(
    private readonly http: HttpClient,
    private readonly o: SmsOptions,
    private readonly retry: RetryOptions,
  ) {}

  send(target: NotifyTarget, n: TicketNotification) {
    return withRetries(this.retry, async () => {
      if (!target.phone) return { ok: false, code: 'notify-gone', message: 'no phone number' };
      const r = await this.http.request({
        method: 'POST',
        url: this.o.url,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.o.apiKey}` },
        body: JSON.stringify({
          to: target.phone,
          from: this.o.brandname,
          text: smsTextOf(n, this.o.hospitalName),
          requestId: target.requestId,
        }),
        timeoutMs: this.o.timeoutMs,
      });
      if (!r.ok) return { ok: false, code: 'notify-unavailable', message: `sms: ${r.error.code}` };
      const { status, body, headers } = r.value;
      if (status === 200 || status === 202) return { ok: true };
      if (status === 429 || status >= 500)
        return {
          ok: false,
          code: 'notify-unavailable',
          message: `sms provider answered ${status}`,
          ...(status === 429 ? { retryAfterMs: retryAfterMsOf(headers['retry-after']) ?? 1000 } : {}),
        };
      const code =
        (typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['code'] : undefined) ?? '';
      if (status === 400 && code === 'invalid-number')
        return { ok: false, code: 'notify-gone', message: 'invalid number' };
      return { ok: false, code: 'notify-refused', message: `sms provider answered ${status}` };
    });
  }
}
