/**
 * OAuth2 client credentials (RFC 6749 §4.4) for the FHIR server: `POST <token URL>` with a form
 * body, the token cached until shortly before it expires (a tenth of its lifetime, at most 60 s),
 * one fetch shared by concurrent callers, and `invalidate` for the one refresh after a 401.
 */
import type { Result } from '@kiosk/protocol';
import type { HttpClient } from './http.client';

export interface ClientCredentialsOptions {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
  timeoutMs: number;
  now?: () => number;
}

export type TokenFailure = { code: 'token-refused' | 'token-unavailable'; message: string };

interface Cached {
  token: string;
  refreshAtMs: number;
}

/** When no expires_in is given. */
const DEFAULT_LIFETIME_S = 300;

export class ClientCredentialsToken {
  private cached: Cached | undefined;
  private inflight: Promise<Result<string, TokenFailure>> | undefined;
  /** Token fetches made (for tests and metrics). */
  fetches = 0;

  constructor(
    private readonly http: HttpClient,
    private readonly o: ClientCredentialsOptions,
  ) {}

  private now(): number {
    return this.o.now ? this.o.now() : Date.now();
  }

  /** The cached token while it is fresh (no waiting), else undefined. */
  current(): string | undefined {
    return this.cached && this.now() < this.cached.refreshAtMs ? this.cached.token : undefined;
  }

  async get(): Promise<Result<string, TokenFailure>> {
    if (this.cached && this.now() < this.cached.refreshAtMs) return { ok: true, value: this.cached.token };
    this.inflight ??= this.fetch().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** Forget a token the server refused, so the next `get` fetches a new one. */
  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = undefined;
  }

  private async fetch(): Promise<Result<string, TokenFailure>> {
    this.fetches += 1;
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.o.clientId,
      client_secret: this.o.clientSecret,
      ...(this.o.scope ? { scope: this.o.scope } : {}),
    });
    const started = this.now();
    const r = await this.http.request({
      method: 'POST',
      url: this.o.tokenUrl,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      timeoutMs: this.o.timeoutMs,
    });
    if (!r.ok) return { ok: false, error: { code: 'token-unavailable', message: r.error.message } };
    const { status, body } = r.value;
    if (status === 400 || status === 401 || status === 403)
      return { ok: false, error: { code: 'token-refused', message: `token endpoint answered ${status}` } };
    if (status !== 200) return { ok: false, error: { code: 'token-unavailable', message: `token endpoint ${status}` } };
    const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const token = b['access_token'];
    if (typeof token !== 'string' || token === '')
      return { ok: false, error: { code: 'token-unavailable', message: 'no access_token in the answer' } };
    const lifetimeS = Number(b['expires_in'] ?? DEFAULT_LIFETIME_S);
    const lifetimeMs = (Number.isFinite(lifetimeS) && lifetimeS > 0 ? lifetimeS : DEFAULT_LIFETIME_S) * 1000;
    const marginMs = Math.min(60_000, lifetimeMs / 10);
    this.cached = { token, refreshAtMs: started + lifetimeMs - marginMs };
    return { ok: true, value: token };
  }
}
