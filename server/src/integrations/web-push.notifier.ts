/**
 * Web Push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payload encryption (RFC 8291), through
 * the `web-push` package. 404 or 410 from the push service: the subscription is gone. 429 and
 * 5xx: retried. Anything else: refused.
 */
import https from 'node:https';
import webpush from 'web-push';
import { pushSubscriptionSchema, type TicketNotification } from '@kiosk/protocol';
import {
  withRetries,
  retryAfterMsOf,
  type PatientNotifier,
  type NotifyTarget,
  type RetryOptions,
} from './patient-notifier';

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
  /** `mailto:` or `https:` contact of the hospital, sent to push services. */
  subject: string;
}

/** A new VAPID key pair (base64url), for `kiosk-server` set-up and tests. */
export const generateVapidKeys = (): { publicKey: string; privateKey: string } => webpush.generateVAPIDKeys();

export class WebPushNotifier implements PatientNotifier {
  readonly channel = 'web-push' as const;

  constructor(
    private readonly vapid: VapidKeys,
    private readonly retry: RetryOptions,
    private readonly o: {
      timeoutMs: number;
      ttlSeconds: number;
      /** Extra CA (PEM) to trust. */ ca?: string | undefined;
    },
  ) {
    this.agent = new https.Agent({ keepAlive: true, maxSockets: 16, ...(o.ca ? { ca: o.ca } : {}) });
  }

  private readonly agent: https.Agent;

  close(): void {
    this.agent.destroy();
  }

  send(target: NotifyTarget, n: TicketNotification) {
    let subscription: unknown;
    try {
      subscription = JSON.parse(target.pushJson ?? 'null');
    } catch {
      subscription = null;
    }
    const parsed = pushSubscriptionSchema.safeParse(subscription);
    return withRetries(this.retry, async () => {
      if (!parsed.success) return { ok: false, code: 'notify-gone', message: 'no usable push subscription' };
      try {
        await webpush.sendNotification(parsed.data, JSON.stringify(n), {
          vapidDetails: this.vapid,
          TTL: this.o.ttlSeconds,
          contentEncoding: 'aes128gcm',
          timeout: this.o.timeoutMs,
          urgency: 'high',
          agent: this.agent,
          topic: `t${n.kind}`,
        });
        return { ok: true };
      } catch (e) {
        const status = (e as { statusCode?: number }).statusCode;
        const headers = (e as { headers?: Record<string, string> }).headers;
        if (status === 404 || status === 410)
          return { ok: false, code: 'notify-gone', message: `push service answered ${status}` };
        if (status === undefined || status === 429 || status >= 500)
          return {
            ok: false,
            code: 'notify-unavailable',
            message: status === undefined ? 'push service unreachable' : `push service answered ${status}`,
            ...(status === 429 ? { retryAfterMs: retryAfterMsOf(headers?.['retry-after']) ?? 1000 } : {}),
          };
        return { ok: false, code: 'notify-refused', message: `push service answered ${status}` };
      }
    });
  }
}
