/**
 * The social-insurance data portal (Cổng tiếp nhận dữ liệu y tế của BHXH), server-side only: each
 * check-in's Decision 4750 record as it happens. The contract, as the BHXH e-gateway's other
 * services (the insurance gateway's token and query-string credentials):
 * - `POST /api/token/take`, form `username` + MD5 of the password → `{ maKetQua: '200', APIKey: {
 *   access_token, id_token, expires_in } }` (or the keys flat); cached until shortly before expiry;
 * - `POST /api/egw/guiCheckin4750?token=…&id_token=…&username=…&password=…` with
 *   `{ maCSKCB, checkin: { MA_LK, STT, … } }` (the decision's upper-case element names) →
 *   `{ maKetQua, maGiaoDich?, thongBao?, loi?: [{ truong, moTa }] }`.
 * A 401 (HTTP status or maKetQua) fetches a new token and sends once more. The portal is
 * idempotent on MA_LK: the same record again answers '201' with the first maGiaoDich. Result codes
 * map to delivered / retry / refused in `portalMeaningOf`; nothing throws.
 */
import { ok, type Result } from '@kiosk/protocol';
import { md5, expiryOf } from './bhyt-gateway.adapter';
import { HttpClient } from './http.client';
import { FIELDS_4750, type Record4750 } from './checkin-record-4750';
import type { DeliveryError } from './outbox.worker';

export interface PortalOptions {
  baseUrl: string;
  username: string;
  password: string;
  /** Our facility code (maCSKCB). */
  facilityCode: string;
  timeoutMs: number;
  now?: () => number;
}

export type PortalErrorCode =
  /** Down, timed out, 5xx, '429'/'500'/'503': try again later. */
  | 'portal-unavailable'
  /** Nonsense from the portal (unreadable answer, unknown code): try again later. */
  | 'portal-bad-response'
  /** Our credentials refused even with a fresh token. */
  | 'portal-auth-failed'
  /** The portal refused the record's content ('400', with the fields it named). */
  | 'portal-rejected'
  /** The portal holds another record under this MA_LK ('409'). */
  | 'portal-conflict'
  /** The visit's record is gone (purged) before it could be sent. */
  | 'portal-no-record';

/** Refusals that wait for an admin (they keep the portal's delivery failing). */
export const PORTAL_REFUSALS: readonly PortalErrorCode[] = [
  'portal-rejected',
  'portal-conflict',
  'portal-auth-failed',
  'portal-no-record',
];

export interface PortalDelivered {
  /** The portal's transaction id (maGiaoDich). */
  transactionId: string;
  /** The portal had this record already ('201'). */
  duplicate: boolean;
}

export type PortalResult = Result<PortalDelivered, DeliveryError>;

export function portalError(
  code: PortalErrorCode,
  message: string,
  detail?: string,
): { ok: false; error: DeliveryError } {
  const retriable = code === 'portal-unavailable' || code === 'portal-bad-response';
  return { ok: false, error: { code, message, retriable, ...(detail ? { detail } : {}) } };
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' ? String(v) : undefined;

/**
 * One answer of the portal as delivered / a failure; `'401'` is the caller's (token refresh).
 * Field names in `loi` become the detail (never values: they may be personal data).
 */
export function portalMeaningOf(status: number, body: unknown): PortalResult | 'token-refused' {
  const code = isObj(body) ? str(body['maKetQua']) : undefined;
  if (status === 401 || code === '401') return 'token-refused';
  if (status >= 500 || status === 429)
    return portalError('portal-unavailable', `portal HTTP ${status}`, `http-${status}`);
  if (!isObj(body) || !code) return portalError('portal-bad-response', 'unreadable portal answer', `http-${status}`);
  const transactionId = str(body['maGiaoDich'])?.slice(0, 64);
  switch (code) {
    case '200':
    case '201':
      return transactionId
        ? ok({ transactionId, duplicate: code === '201' })
        : portalError('portal-bad-response', 'portal answer without maGiaoDich', `code-${code}`);
    case '400': {
      const fields = Array.isArray(body['loi'])
        ? body['loi']
            .map((l) => (isObj(l) ? str(l['truong']) : undefined))
            .filter((f): f is string => f !== undefined && /^[A-Za-z_]{1,32}$/u.test(f))
        : [];
      return portalError(
        'portal-rejected',
        'the portal refused the record',
        `code-400${fields.length ? ` fields:${fields.join(',').slice(0, 160)}` : ''}`,
      );
    }
    case '409':
      return portalError('portal-conflict', 'the portal holds another record with this MA_LK', 'code-409');
    case '429':
    case '500':
    case '503':
      return portalError('portal-unavailable', `portal busy or down (${code})`, `code-${code}`);
    default:
      return portalError(
        'portal-bad-response',
        'unknown portal result code',
        /^[A-Za-z0-9]{1,5}$/u.test(code) ? `code-${code}` : 'code-unknown',
      );
  }
}

/** The record as the portal's `checkin` object: upper-case names, empty fields left out. */
export function portalCheckin(record: Record4750): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const f of FIELDS_4750) {
    const v = record[f];
    if (v !== null && v !== '') out[f.toUpperCase()] = v;
  }
  return out;
}

interface Token {
  accessToken: string;
  idToken: string;
  refreshAtMs: number;
}

export class Portal4750Adapter {
  private readonly http = new HttpClient();
  private token: Token | undefined;
  private inflight: Promise<Token | 'refused' | 'unreachable'> | undefined;
  /** Token fetches made (tests, metrics). */
  tokenFetches = 0;

  constructor(private readonly o: PortalOptions) {}

  private now(): number {
    return this.o.now ? this.o.now() : Date.now();
  }

  private get base(): string {
    return this.o.baseUrl.replace(/\/+$/u, '');
  }

  async send(record: Record4750): Promise<PortalResult> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const token = await this.getToken();
      if (token === 'refused') return portalError('portal-auth-failed', 'the portal refused our credentials', 'token');
      if (token === 'unreachable') return portalError('portal-unavailable', 'no token from the portal', 'token');
      const query = new URLSearchParams({
        token: token.accessToken,
        id_token: token.idToken,
        username: this.o.username,
        password: md5(this.o.password),
      });
      const r = await this.http.request({
        method: 'POST',
        url: `${this.base}/api/egw/guiCheckin4750?${query.toString()}`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ maCSKCB: this.o.facilityCode, checkin: portalCheckin(record) }),
        timeoutMs: this.o.timeoutMs,
      });
      if (!r.ok) return portalError('portal-unavailable', r.error.message, r.error.code);
      const meaning = portalMeaningOf(r.value.status, r.value.body);
      if (meaning !== 'token-refused') return meaning;
      this.token = undefined;
    }
    return portalError('portal-auth-failed', 'the portal refused a fresh token', 'code-401');
  }

  close(): void {
    this.http.close();
  }

  private async getToken(): Promise<Token | 'refused' | 'unreachable'> {
    if (this.token && this.now() < this.token.refreshAtMs) return this.token;
    this.inflight ??= this.fetchToken().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async fetchToken(): Promise<Token | 'refused' | 'unreachable'> {
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
