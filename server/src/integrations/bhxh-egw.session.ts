/**
 * A session with a BHXH e-gateway service (the insurance gateway, the 4750 data portal): they share
 * one login. `POST /api/token/take` (form: username, MD5 of the password) → access_token, id_token,
 * expires_in (at the top level or under APIKey, as gateways answer both ways), cached until shortly
 * before it expires and fetched once for any number of calls waiting; each call is a JSON POST with
 * the tokens and the credentials in the query. What a refused token looks like in a service's
 * answer is the service's to say: it then drops the token and calls once more.
 */
import { createHash } from 'node:crypto';
import type { Result } from '@kiosk/protocol';
import { HttpClient, type HttpFailure, type HttpResponse } from './http.client';

export interface EgwCredentials {
  baseUrl: string;
  username: string;
  password: string;
  timeoutMs: number;
  now?: () => number;
}

interface Token {
  accessToken: string;
  idToken: string;
  refreshAtMs: number;
}

/** Why there is no token: the gateway refused the credentials, or gave no usable answer. */
export type NoToken = 'refused' | 'unreachable';

export const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
/** A non-empty string (trimmed) or a number as text; anything else is undefined. */
export const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' ? String(v) : undefined;

export const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

/** expires_in as seconds (number or digits) or as a date-time; unreadable → 10 minutes. */
export function expiryOf(v: unknown, fromMs: number): number {
  const s = str(v);
  if (s && /^\d+$/u.test(s)) return fromMs + Number(s) * 1000;
  if (s) {
    const at = Date.parse(s);
    if (Number.isFinite(at)) return at;
  }
  return fromMs + 600_000;
}

export class EgwSession {
  private readonly http = new HttpClient();
  private token: Token | undefined;
  private inflight: Promise<Token | NoToken> | undefined;
  /** Token fetches made (tests, metrics). */
  tokenFetches = 0;

  constructor(private readonly o: EgwCredentials) {}

  private now(): number {
    return this.o.now ? this.o.now() : Date.now();
  }

  private get base(): string {
    return this.o.baseUrl.replace(/\/+$/u, '');
  }

  /** POSTs `body` as JSON to `path` with a token; a NoToken when none could be had. */
  async post(path: string, body: unknown): Promise<NoToken | Result<HttpResponse, HttpFailure>> {
    const token = await this.getToken();
    if (token === 'refused' || token === 'unreachable') return token;
    const query = new URLSearchParams({
      token: token.accessToken,
      id_token: token.idToken,
      username: this.o.username,
      password: md5(this.o.password),
    });
    return this.http.request({
      method: 'POST',
      url: `${this.base}${path}?${query.toString()}`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      timeoutMs: this.o.timeoutMs,
    });
  }

  /** The service refused the token: the next call fetches a fresh one. */
  dropToken(): void {
    this.token = undefined;
  }

  close(): void {
    this.http.close();
  }

  private async getToken(): Promise<Token | NoToken> {
    if (this.token && this.now() < this.token.refreshAtMs) return this.token;
    this.inflight ??= this.fetchToken().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async fetchToken(): Promise<Token | NoToken> {
    this.tokenFetches += 1;
    const started = this.now();
    const r = await this.http.request({
      method: 'POST',
      url: `${this.base}/api/token/take`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: this.o.username, password: md5(this.o.password) }).toString(),
      timeoutMs: this.o.timeoutMs,
    });
    if (!r.ok) return 'unreachable';
    if (r.value.status === 401 || r.value.status === 403) return 'refused';
    const body = isObj(r.value.body) ? r.value.body : undefined;
    const code = str(body?.['maKetQua']);
    if (code === '401') return 'refused';
    if (r.value.status !== 200 || !body) return 'unreachable';
    const key = isObj(body['APIKey']) ? body['APIKey'] : body;
    const accessToken = str(key['access_token']);
    const idToken = str(key['id_token']);
    if (!accessToken || !idToken) return code && code !== '200' ? 'refused' : 'unreachable';
    const expiresAtMs = expiryOf(key['expires_in'], started);
    const lifetimeMs = Math.max(0, expiresAtMs - started);
    this.token = { accessToken, idToken, refreshAtMs: expiresAtMs - Math.min(60_000, lifetimeMs / 10) };
    return this.token;
  }
}
