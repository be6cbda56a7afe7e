import { describe, expect, it } from 'vitest';
import type { ReconciliationRow } from '@kiosk/protocol';
import { flagOf, formatDayLong, formatVnd, totalsOf } from './reconciliation';

const row = (over: Partial<ReconciliationRow>): ReconciliationRow => ({
  paymentId: 'p',
  reference: 'KP0000000001',
  serviceId: 'noi-tong-quat',
  method: 'vietqr',
  state: 'paid',
  amountVnd: 150_000,
  createdAt: '2026-12-06T01:00:00.000Z',
  paidAt: '2026-12-06T01:01:00.000Z',
  bankTransactionId: 'FT1',
  bankAmountVnd: 150_000,
  refundedAt: null,
  ...over,
});

describe('reconciliation totals', () => {
  it('adds paid and refunded payments as expected, credits matched and unmatched as received', () => {
    const t = totalsOf({
      day: '2026-12-06',
      payments: [
        row({ paymentId: 'a' }),
        row({ paymentId: 'b', state: 'refunded', refundedAt: '2026-12-06T02:00:00.000Z' }),
        row({ paymentId: 'c', state: 'expired', paidAt: null, bankTransactionId: null, bankAmountVnd: null }),
        row({ paymentId: 'd', state: 'pending', paidAt: null, bankTransactionId: null, bankAmountVnd: null }),
        row({ paymentId: 'e', method: 'cashier', bankTransactionId: null, bankAmountVnd: null, amountVnd: 60_000 }),
      ],
      unmatched: [
        {
          transactionId: 'FT9',
          receivedAt: '',
          amountVnd: 200_000,
          reference: null,
          paymentId: null,
          outcome: 'unknown-reference',
        },
        {
          transactionId: 'FT8',
          receivedAt: '',
          amountVnd: 99_000,
          reference: null,
          paymentId: null,
          outcome: 'wrong-account',
        },
      ],
    });
    expect(t).toEqual({
      expectedVnd: 360_000,
      receivedVnd: 500_000,
      unmatchedVnd: 200_000,
      refundedVnd: 150_000,
      byMethod: { vietqr: 300_000, card: 0, cashier: 60_000 },
      counts: { pending: 1, paid: 2, expired: 1, cancelled: 0, refunded: 1 },
      flagged: 0,
    });
  });

  it('flags a paid VietQR payment with no bank credit, or a credit of another amount', () => {
    expect(flagOf(row({ bankTransactionId: null, bankAmountVnd: null }))).toBe('no-credit');
    expect(flagOf(row({ bankAmountVnd: 15_000 }))).toBe('amount-differs');
    expect(flagOf(row({ state: 'expired', bankAmountVnd: null }))).toBeNull();
    expect(flagOf(row({ method: 'card', bankAmountVnd: null }))).toBeNull();
  });

  it('writes amounts as people do in each language', () => {
    expect(formatVnd(1_150_000, 'vi')).toBe('1.150.000 đ');
    expect(formatVnd(1_150_000, 'en')).toBe('1,150,000 VND');
    expect(formatVnd(0, 'en')).toBe('0 VND');
  });
});

describe('the day in words', () => {
  it('names the weekday and the month, so 6 December is not read as 12 June', () => {
    expect(formatDayLong('2026-12-06', 'vi')).toBe('Chủ Nhật, 6 tháng 12, 2026');
    expect(formatDayLong('2026-12-06', 'en')).toBe('Sunday, 6 December 2026');
    expect(formatDayLong('not a day', 'vi')).toBe('not a day');
  });
});
