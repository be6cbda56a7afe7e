import type { PaymentMethod, Reconciliation, ReconciliationRow } from '@kiosk/protocol';

/**
 * The day's figures on the reconciliation page, from the server's reconciliation:
 * - expected: what payments recorded as paid (refunded ones included) should have brought in;
 * - received: what the bank credited to the hospital's account that day — the credits that settled
 *   a payment and those that settled none (credits to another account are not ours and left out);
 * - unmatched: the credits that settled nothing (to be refunded or looked into);
 * - by method, refunded, and how many payments are in each state.
 */
export interface ReconciliationTotals {
  expectedVnd: number;
  receivedVnd: number;
  unmatchedVnd: number;
  refundedVnd: number;
  byMethod: Record<PaymentMethod, number>;
  counts: Record<ReconciliationRow['state'], number>;
  /** Payments recorded as paid with no bank credit, or a credit of another amount. */
  flagged: number;
}

const settled = (p: ReconciliationRow) => p.state === 'paid' || p.state === 'refunded';

/** A paid payment the bank's side does not bear out: VietQR with no credit, or a credit of another amount. */
export const flagOf = (p: ReconciliationRow): 'no-credit' | 'amount-differs' | null => {
  if (!settled(p)) return null;
  if (p.bankAmountVnd === null) return p.method === 'vietqr' ? 'no-credit' : null;
  return p.bankAmountVnd === p.amountVnd ? null : 'amount-differs';
};

export function totalsOf(r: Reconciliation): ReconciliationTotals {
  const byMethod: Record<PaymentMethod, number> = { vietqr: 0, card: 0, cashier: 0 };
  const counts: Record<ReconciliationRow['state'], number> = {
    pending: 0,
    paid: 0,
    expired: 0,
    cancelled: 0,
    refunded: 0,
  };
  let expectedVnd = 0;
  let matchedVnd = 0;
  let refundedVnd = 0;
  let flagged = 0;
  for (const p of r.payments) {
    counts[p.state] += 1;
    if (flagOf(p)) flagged += 1;
    if (!settled(p)) continue;
    expectedVnd += p.amountVnd;
    byMethod[p.method] += p.amountVnd;
    if (p.state === 'refunded') refundedVnd += p.amountVnd;
    if (p.bankAmountVnd !== null) matchedVnd += p.bankAmountVnd;
  }
  const unmatchedVnd = r.unmatched.filter((n) => n.outcome !== 'wrong-account').reduce((a, n) => a + n.amountVnd, 0);
  return {
    expectedVnd,
    receivedVnd: matchedVnd + unmatchedVnd,
    unmatchedVnd,
    refundedVnd,
    byMethod,
    counts,
    flagged,
  };
}

/** An amount in đồng as people write it: `150.000 đ` in Vietnamese, `150,000 VND` in English. */
export const formatVnd = (amount: number, lang: string): string => {
  const digits = String(Math.abs(amount)).replace(/\B(?=(\d{3})+(?!\d))/gu, lang === 'vi' ? '.' : ',');
  const sign = amount < 0 ? '-' : '';
  return lang === 'vi' ? `${sign}${digits} đ` : `${sign}${digits} VND`;
};

/**
 * A facility day (`YYYY-MM-DD`) with its weekday and the month in words — `Chủ Nhật, 6 tháng 12, 2026`,
 * `Sunday, 6 December 2026` — so it cannot be misread beside a date picker that writes the browser's
 * locale (`12/06/2026` in en-US).
 */
export const formatDayLong = (day: string, lang: string): string => {
  const at = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(at.getTime())) return day;
  return new Intl.DateTimeFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(at);
};
