import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PaymentIntent } from '@kiosk/protocol';
import { formatVnd, layoutPaymentReceipt, layoutVietQrSlip } from './payment-receipt.layout';

const intent: PaymentIntent = {
  paymentId: '0190d5f4-7b1e-7c3a-9a55-0a1b2c3d4e5f',
  reference: 'KP0123456789',
  serviceId: 'noi-tong-quat',
  patientClass: 'fee-paying',
  amountVnd: 150_000,
  method: 'vietqr',
  state: 'paid',
  qrPayload: '000201010212',
  beneficiary: { bankName: 'Vietcombank', accountNumber: '0071000000001', accountName: 'BENH VIEN' },
  createdAt: '2026-03-02T02:00:00.000Z',
  expiresAt: '2026-03-02T02:05:00.000Z',
  paidAt: '2026-03-02T02:01:00.000Z',
};

describe('payment receipt layout', () => {
  it('groups VND the Vietnamese way', () => {
    expect(formatVnd(150_000)).toBe('150.000 đ');
    expect(formatVnd(1_234_567)).toBe('1.234.567 đ');
    expect(formatVnd(0)).toBe('0 đ');
    fc.assert(
      fc.property(fc.nat(), (n) => {
        expect(formatVnd(n).replace(/[. đ]/gu, '')).toBe(String(n));
      }),
    );
  });

  it('a receipt states amount, method, reference and the paid time (local), and no QR', () => {
    const text = layoutPaymentReceipt(intent, { ticketNumber: 'A012' })
      .map((i) => (i.kind === 'text' ? i.text : i.kind))
      .join('\n');
    expect(text).toContain('150.000 đ');
    expect(text).toContain('KP0123456789');
    expect(text).toContain('09:01 02/03/2026');
    expect(text).toContain('STT: A012');
    expect(text).not.toContain('qr');
  });

  it('a card receipt names the card by its scheme and last 4 digits, with approval code and RRN', () => {
    const card = { scheme: 'NAPAS', last4: '1234', approvalCode: 'A00001', rrn: '633000010001' };
    const text = layoutPaymentReceipt({ ...intent, method: 'card', qrPayload: '', card })
      .map((i) => (i.kind === 'text' ? i.text : i.kind))
      .join('\n');
    expect(text).toContain('Hình thức: Thẻ ngân hàng');
    expect(text).toContain('Thẻ ••••1234 (NAPAS)');
    expect(text).toContain('A00001');
    expect(text).toContain('633000010001');
  });

  it('prints the e-invoice lookup when it was issued before the print, otherwise where to get it', () => {
    const textOf = (p: PaymentIntent) =>
      layoutPaymentReceipt(p)
        .map((i) => (i.kind === 'text' ? i.text : i.kind))
        .join('\n');
    const issued = {
      ...intent,
      invoice: { number: 'C26TBV-00000001', lookupCode: 'TC8K2M4Q', lookupUrl: 'https://tracuu.example.vn' },
    };
    expect(textOf(issued)).toContain('Tra cứu hóa đơn: https://tracuu.example.vn · Mã: TC8K2M4Q');
    expect(textOf(intent)).toContain('nhận tại quầy thu ngân');
    expect(textOf(intent)).not.toContain('Tra cứu');
  });

  it('the slip carries the VietQR payload itself', () => {
    expect(layoutVietQrSlip(intent).filter((i) => i.kind === 'qr')).toEqual([{ kind: 'qr', payload: '000201010212' }]);
  });
});
