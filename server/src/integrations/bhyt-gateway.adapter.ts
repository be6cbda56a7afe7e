/**
 * The BHXH insurance gateway, server-side only (credentials and the staff identity never reach a
 * kiosk). The e-gateway's login (bhxh-egw.session.ts), then `POST /api/egw/KQNhanLichSuKCB2024`
 * with the tokens and credentials in the query and `{ maThe, hoTen, ngaySinh, hoTenCb, cccdCb }` in
 * the body. A 401 (HTTP status or maKetQua) fetches a new token and retries once. Every answer becomes
 * a BhytCheck; nothing throws.
 */
import { cleanText, type Identity } from '@kiosk/protocol';
import type { BhytCard, BhytCheck } from './bhyt.types';
import { GATEWAY_AUTH_FAILED, GATEWAY_UNREACHABLE, meaningOf, type ResultMeaning } from './bhyt-result-codes';
import { EgwSession, isObj, str } from './bhxh-egw.session';

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

export class BhytGatewayAdapter {
  private readonly session: EgwSession;

  constructor(private readonly o: BhytGatewayOptions) {
    this.session = new EgwSession(o);
  }

  /** Token fetches made (tests, metrics). */
  get tokenFetches(): number {
    return this.session.tokenFetches;
  }

  async check(identity: Identity, cardNumber: string): Promise<BhytCheck> {
    const started = performance.now();
    const done = (meaning: ResultMeaning, extra: Partial<BhytCheck> = {}): BhytCheck => ({
      ...meaning,
      ...extra,
      durationMs: performance.now() - started,
    });
    for (let attempt = 0; attempt < 2; attempt++) {
      const r = await this.session.post('/api/egw/KQNhanLichSuKCB2024', {
        maThe: cardNumber,
        hoTen: identity.fullName,
        ngaySinh: gatewayBirthDate(identity.dateOfBirth),
        hoTenCb: this.o.staffName,
        cccdCb: this.o.staffId,
      });
      if (r === 'refused') return done(GATEWAY_AUTH_FAILED);
      if (r === 'unreachable' || !r.ok) return done(GATEWAY_UNREACHABLE);
      const body = isObj(r.value.body) ? r.value.body : undefined;
      const code = str(body?.['maKetQua']);
      if (r.value.status === 401 || code === '401') {
        this.session.dropToken();
        if (attempt === 0) continue;
        return done(GATEWAY_AUTH_FAILED, { resultCode: '401' });
      }
      const answer = r.value.status === 200 ? eligibilityOf(body, cardNumber) : undefined;
      return answer ? done(answer) : done(GATEWAY_UNREACHABLE);
    }
    return done(GATEWAY_AUTH_FAILED);
  }

  close(): void {
    this.session.close();
  }
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
