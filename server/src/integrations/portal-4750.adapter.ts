/**
 * The social-insurance data portal (Cổng tiếp nhận dữ liệu y tế của BHXH), server-side only: each
 * check-in's Decision 4750 record as it happens. The contract, as the BHXH e-gateway's other
 * services (the e-gateway's login and query-string credentials, bhxh-egw.session.ts):
 * - `POST /api/egw/guiCheckin4750?token=…&id_token=…&username=…&password=…` with
 *   `{ maCSKCB, checkin: { MA_LK, STT, … } }` (the decision's upper-case element names) →
 *   `{ maKetQua, maGiaoDich?, thongBao?, loi?: [{ truong, moTa }] }`.
 * A 401 (HTTP status or maKetQua) fetches a new token and sends once more. The portal is
 * idempotent on MA_LK: the same record again answers '201' with the first maGiaoDich. Result codes
 * map to delivered / retry / refused in `portalMeaningOf`; nothing throws.
 */
import { ok, type Result } from '@kiosk/protocol';
import { EgwSession, isObj, str, type EgwCredentials } from './bhxh-egw.session';
import { FIELDS_4750, type Record4750 } from './checkin-record-4750';
import type { DeliveryError } from './outbox.worker';

export interface PortalOptions extends EgwCredentials {
  /** Our facility code (maCSKCB). */
  facilityCode: string;
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

export class Portal4750Adapter {
  private readonly session: EgwSession;

  constructor(private readonly o: PortalOptions) {
    this.session = new EgwSession(o);
  }

  /** Token fetches made (tests, metrics). */
  get tokenFetches(): number {
    return this.session.tokenFetches;
  }

  async send(record: Record4750): Promise<PortalResult> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const r = await this.session.post('/api/egw/guiCheckin4750', {
        maCSKCB: this.o.facilityCode,
        checkin: portalCheckin(record),
      });
      if (r === 'refused') return portalError('portal-auth-failed', 'the portal refused our credentials', 'token');
      if (r === 'unreachable') return portalError('portal-unavailable', 'no token from the portal', 'token');
      if (!r.ok) return portalError('portal-unavailable', r.error.message, r.error.code);
      const meaning = portalMeaningOf(r.value.status, r.value.body);
      if (meaning !== 'token-refused') return meaning;
      this.session.dropToken();
    }
    return portalError('portal-auth-failed', 'the portal refused a fresh token', 'code-401');
  }

  close(): void {
    this.session.close();
  }
}
