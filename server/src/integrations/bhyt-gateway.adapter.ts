/**
 * The BHXH insurance gateway, server-side only (credentials and the staff identity never reach a
 * kiosk). `POST /api/token/take` (form: username, MD5 of the password) → access_token, id_token,
 * expires_in, cached until shortly before it expires; `POST /api/egw/KQNhanLichSuKCB2024` with the
 * tokens and credentials in the query and `{ maThe, hoTen, ngaySinh, hoTenCb, cccdCb }` in the
 * body. A 401 (HTTP status or maKetQua) fetches a new token and retries once. Every answer becomes
 * a BhytCheck; nothing throws.
 */
import { createHash } from 'node:crypto';
import { cleanText, type Identity } from '@kiosk/protocol';
import type { BhytCard, BhytCheck } from './bhyt.types';
import { GATEWAY_AUTH_FAILED, GATEWAY_UNREACHABLE, meaningOf, type ResultMeaning } from './bhyt-result-codes';
import { HttpClient } from './http.client';

export interface BhytGatewayOptions {
  baseUrl: string;
  username: string;
  password: string;
  /** hoTenCb, cccdCb: the staff member on whose behalf look-ups are made. */
  staffName: string;
  staffId: string;
  timeoutMs: number;
  now?: () => number;
}

interface Token {
  accessToken: string;
  idToken: string;
  refreshAtMs: number;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' ? String(v) : undefined;

/** dd/mm/yyyy → YYYY-MM-DD; yyyy stays; anything else is dropped. */
export function gatewayDate(v: unknown): string | undefined {
  const s = str(v);
  if (!s) return undefined;
  const dmy = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/u.exec(s);
  if (dmy) return `${dmy[3]}-${dmy[2]?.padStart(2, '0')}-${dmy[1]?.padStart(2, '0')}`;
  if (/^\d{4}$/u.test(s)) return s;
  if (/^\d{4}-\d{2}-\d{2}/u.test(s)) return s.slice(0, 10);
  return undefined;
}

/** The identity's date of birth as the gateway wants it: dd/mm/yyyy, or the year alone. */
export function gatewayBirthDate(dateOfBirth: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/u.exec(dateOfBirth);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : dateOfBirth.slice(0, 4);
}

/** `"92 - 012"` → `92012`. */
const facilityCode = (v: unknown) => str(v)?.replace(/[^A-Za-z0-9]/gu, '') || undefined;

export const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

export class BhytGatewayAdapter {
  private readonly http = new HttpClient();
  private token: Token | undefined;
  private inflight: Promise<Token | 'refused' | 'unreachable'> | undefined;
  /** Token fetches made (tests, metrics). */
  tokenFetches = 0;

  constructor(private readonly o: BhytGatewayOptions) {}

  private now(): number {
    return this.o.now ? this.o.now() : Date.now();
  }

  async check(identity: Identity, cardNumber: string): Promise<BhytCheck> {
    const started = performance.now();
    const done = (meaning: ResultMeaning, extra: Partial<BhytCheck> = {}): BhytCheck => ({
      ...meaning,
      ...extra,
      durationMs: performance.now() - started,
    });
    for (let attempt = 0; attempt < 2; attempt++) {
      const token = await this.getToken();
      if (token === 'refused') return done(GATEWAY_AUTH_FAILED);
      if (token === 'unreachable') return done(GATEWAY_UNREACHABLE);
      const query = new URLSearchParams({
        token: token.accessToken,
        id_token: token.idToken,
        username: this.o.username,
        password: md5(this.o.password),
      });
      const r = await this.http.request({
        method: 'POST',
        url: `${this.o.baseUrl.replace(/\/+$/u, '')}/api/egw/KQNhanLichSuKCB2024?${query.toString()}`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          maThe: cardNumber,
          hoTen: identity.fullName,
          ngaySinh: gatewayBirthDate(identity.dateOfBirth),
          hoTenCb: this.o.staffName,
          cccdCb: this.o.staffId,
        }),
        timeoutMs: this.o.timeoutMs,
      });
      if (!r.ok) return done(GATEWAY_UNREACHABLE);
      const body = isObj(r.value.body) ? r.value.body : undefined;
      const code = str(body?.['maKetQua']);
      if (r.value.status === 401 || code === '401') {
        this.token = undefined;
        if (attempt === 0) continue;
        return done(GATEWAY_AUTH_FAILED, { resultCode: '401' });
      }
      const answer = r.value.status === 200 ? eligibilityOf(body, cardNumber) : undefined;
      return answer ? done(answer) : done(GATEWAY_UNREACHABLE);
    }
    return done(GATEWAY_AUTH_FAILED);
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
      url: `${this.o.baseUrl.replace(/\/+$/u, '')}/api/token/take`,
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
    // Accept the key either at the top level or under APIKey, as gateways answer both ways.
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

/** A gateway answer as a check (without its duration); undefined when it is not one. Never throws. */
export function eligibilityOf(body: unknown, asked: string): Omit<BhytCheck, 'durationMs'> | undefined {
  if (!isObj(body)) return undefined;
  const code = str(body['maKetQua']);
  if (!code) return undefined;
  const raw = str(body['ghiChu']);
  const note = raw === undefined ? '' : cleanText(raw, 500);
  return {
    ...meaningOf(code),
    resultCode: code.slice(0, 8),
    ...(note ? { staffNote: note } : {}),
    card: cardOf(body, asked),
  };
}

function cardOf(body: Record<string, unknown>, asked: string): BhytCard {
  const card: BhytCard = { cardNumber: str(body['maThe']) ?? asked };
  const set = <K extends keyof BhytCard>(k: K, v: BhytCard[K] | undefined) => {
    if (v !== undefined) card[k] = v;
  };
  set('newCardNumber', str(body['maTheMoi']));
  set('validFrom', gatewayDate(body['gtTheTu']));
  set('validTo', gatewayDate(body['gtTheDen']));
  set('newValidFrom', gatewayDate(body['gtTheTuMoi']));
  set('newValidTo', gatewayDate(body['gtTheDenMoi']));
  set('primaryCareFacility', facilityCode(body['maDKBD']));
  return card;
}
