import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bookingCodeFromQr } from './appointment';
import { findPaymentReference, isPaymentReference, makePaymentReference, paymentReferenceSchema } from './payment';
import { buildVietQr } from './vietqr';

const bytes = fc.uint8Array({ minLength: 9, maxLength: 9 });

describe('payment reference', () => {
  it('every made reference is well-formed, fits a VietQR and is found again in bank content', () => {
    fc.assert(
      fc.property(bytes, fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), (random, before, after) => {
        const reference = makePaymentReference(() => random);
        expect(isPaymentReference(reference)).toBe(true);
        expect(paymentReferenceSchema.safeParse(reference).success).toBe(true);
        const qr = buildVietQr({
          bankBin: '970436',
          accountNumber: '1',
          service: 'QRIBFTTA',
          dynamic: true,
          amountVnd: 1,
          reference,
        });
        expect(qr.ok).toBe(true);
        // Bank apps prefix, suffix, lower-case and re-space the content.
        const spaced = `${reference.slice(0, 5)} ${reference.slice(5)}`.toLowerCase();
        expect(findPaymentReference(`MBVCB.3279.${spaced} CT tu 0123`)).toBe(reference);
        const found = findPaymentReference(`${before.replace(/k/giu, '')} ${reference} ${after}`);
        expect(found).toBe(reference);
      }),
    );
  });

  it('a one-character typo fails the check character', () => {
    fc.assert(
      fc.property(bytes, fc.integer({ min: 2, max: 11 }), (random, at) => {
        const reference = makePaymentReference(() => random);
        const swapped = reference[at] === '0' ? '1' : '0';
        expect(isPaymentReference(reference.slice(0, at) + swapped + reference.slice(at + 1))).toBe(false);
      }),
    );
  });

  it('random content never throws and finds only well-formed references', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 1000 }), (content) => {
        const found = findPaymentReference(content);
        expect(found === undefined || isPaymentReference(found)).toBe(true);
      }),
    );
  });
});

describe('bookingCodeFromQr', () => {
  it('reads a bare code and an app link, refuses the rest', () => {
    expect(bookingCodeFromQr('bk7h2q9x')).toBe('BK7H2Q9X');
    expect(bookingCodeFromQr('https://benhvien.example.vn/dat-lich?code=BK7H2Q9X&x=1')).toBe('BK7H2Q9X');
    expect(bookingCodeFromQr('079123456789|123456789|Nguyễn Văn A|01011990|Nam|x|01012021')).toBeUndefined();
  });

  it('never throws on random input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 700 }), (text) => {
        const code = bookingCodeFromQr(text);
        expect(code === undefined || /^[0-9A-Z]{6,12}$/u.test(code)).toBe(true);
      }),
    );
  });
});
