/**
 * Zalo Notification Service (ZNS): a template message to a phone number through the hospital's
 * Zalo Official Account. The access token is obtained from the OA's refresh token (Zalo rotates
 * it: every refresh answers a new refresh token and the old one stops working, so the new one is
 * handed to `onRefreshToken` to be kept), cached until shortly before it expires, one refresh
 * shared by concurrent sends, and refreshed once when a send answers that the token is invalid.
 * Zalo answers HTTP 200 with `error` ≠ 0 for refusals: token errors refresh, unknown or
 * unreachable numbers are 'notify-gone', rate and server errors retry, the rest is refused.
 */
import type { Result, TicketNotification } from '@kiosk/protocol';
import type { HttpClient } from './http.client';
import {
  withRetries,
  retryAfterMsOf,
  type Attempt,
  type NotifyTarget,
  type PatientNotifier,
  type RetryOptions,
} from './patient-notifier';

export interface ZnsOptions {
  /** e.g. https://business.openapi.zalo.me */
  apiUrl: string;
  /** e.g. https://oauth.zaloapp.com */
  oauthUrl: string;
  appId: string;
  secretKey: string;
  refreshToken: string;
  templateNear: string;
  templateCalled: string;
  timeoutMs: number;
  /** The rotated refresh token, to keep for the next start. */
  onRefreshToken?: (token: string) => void;
  now?: () => number;
}

/** Zalo's `error` values that mean the access token is not (or no longer) good. */
const TOKEN_ERRORS = new Set([-124, -216, -14014]);
/** The number has no Zalo account, cannot receive ZNS, or is not a number. */
const GONE_ERRORS = new Set([-108, -118, -119, -139]);
/** Quota or rate limits, Zalo's internal errors. */
const TRANSIENT_ERRORS = new Set([-32, -133, -1, -500]);

interface Cached {
  token: string;
  refreshAtMs: number;
}

export class ZaloZnsNotifier implements PatientNotifier {
  readonly channel = 'zalo-zns' as const;
  private cached: Cached | undefined;
  private inflight: Promise<Result<string>> | undefined;
  private refreshToken: string;
  /** Token refreshes made (for tests). */
  refreshes = 0;

  constructor(
    private readonly http: HttpClient,
    private readonly o: ZnsOptions,
    private readonly retry: RetryOptions,
  ) {
    this.refreshToken = o.refreshToken;
  }

  private now() {
    return this.o.now ? this.o.now() : Date.now();
  }

  private token(): Promise<Result<string>> {
    if (this.cached && this.now() < this.cached.refreshAtMs)
      return Promise.resolve({ ok: true, value: this.cached.token });
    this.inflight ??= this.refresh().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async refresh(): Promise<Result<string>> {
    this.refreshes += 1;
    const started = this.now();
    const r = await this.http.request({
      method: 'POST',
      url: `${this.o.oauthUrl}/v4/oa/access_token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', secret_key: this.o.secretKey },
      body: new URLSearchParams({
        app_id: this.o.appId,
        grant_type: 'refresh_token',
        refresh_token: this.refreshToken,
      }).toString(),
      timeoutMs: this.o.timeoutMs,
    });
    if (!r.ok) return { ok: false, error: { code: 'notify-unavailable', message: `zns token: ${r.error.code}` } };
    const b = (typeof r.value.body === 'object' && r.value.body !== null ? r.value.body : {}) as Record<
      string,
      unknown
    >;
    const access = b['access_token'];
    if (r.value.status !== 200 || typeof access !== 'string' || access === '')
      return {
        ok: false,
        error: {
          code: r.value.status >= 500 ? 'notify-unavailable' : 'notify-refused',
          message: `zns token refused (${r.value.status}, ${String(b['error'] ?? '')})`,
        },
      };
    const rotated = b['refresh_token'];
    if (typeof rotated === 'string' && rotated !== '' && rotated !== this.refreshToken) {
      this.refreshToken = rotated;
      this.o.onRefreshToken?.(rotated);
    }
    const lifetimeS = Number(b['expires_in'] ?? 3600);
    const lifetimeMs = (Number.isFinite(lifetimeS) && lifetimeS > 0 ? lifetimeS : 3600) * 1000;
    this.cached = { token: access, refreshAtMs: started + lifetimeMs - Math.min(300_000, lifetimeMs / 10) };
    return { ok: true, value: access };
  }

  send(target: NotifyTarget, n: TicketNotification) {
    return withRetries(this.retry, async () => {
      if (!target.phone) return { ok: false, code: 'notify-gone', message: 'no phone number' };
      const first = await this.attempt(target, n);
      if (first !== 'token-invalid') return first;
      // One refresh per attempt after a token error (revoked or expired early), then the send again.
      if (this.cached) this.cached = undefined;
      const second = await this.attempt(target, n);
      return second === 'token-invalid'
        ? { ok: false, code: 'notify-refused', message: 'zns token refused twice' }
        : second;
    });
  }

  private async attempt(target: NotifyTarget, n: TicketNotification): Promise<Attempt | 'token-invalid'> {
    const token = await this.token();
    if (!token.ok)
      return {
        ok: false,
        code: token.error.code === 'notify-unavailable' ? 'notify-unavailable' : 'notify-refused',
        message: token.error.message,
      };
    const r = await this.http.request({
      method: 'POST',
      url: `${this.o.apiUrl}/message/template`,
      headers: { 'content-type': 'application/json', access_token: token.value },
      body: JSON.stringify({
        phone: target.phone,
        template_id: n.kind === 'near' ? this.o.templateNear : this.o.templateCalled,
        template_data: { ticket_number: n.number, people_ahead: String(n.ahead ?? 0), room: n.calledTo ?? '' },
        tracking_id: target.requestId,
      }),
      timeoutMs: this.o.timeoutMs,
    });
    if (!r.ok) return { ok: false, code: 'notify-unavailable', message: `zns: ${r.error.code}` };
    const { status, body, headers } = r.value;
    if (status === 429 || status >= 500)
      return {
        ok: false,
        code: 'notify-unavailable',
        message: `zns answered ${status}`,
        ...(status === 429 ? { retryAfterMs: retryAfterMsOf(headers['retry-after']) ?? 1000 } : {}),
      };
    if (status === 401) return 'token-invalid';
    const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const code = Number(b['error']);
    if (status === 200 && code === 0) return { ok: true };
    if (TOKEN_ERRORS.has(code)) return 'token-invalid';
    if (GONE_ERRORS.has(code)) return { ok: false, code: 'notify-gone', message: `zns error ${code}` };
    if (TRANSIENT_ERRORS.has(code)) return { ok: false, code: 'notify-unavailable', message: `zns error ${code}` };
    return {
      ok: false,
      code: 'notify-refused',
      message: `zns answered ${status} error ${Number.isFinite(code) ? code : '?'}`,
    };
  }
}
