import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { numberInWords, vndInWords } from './vnd-words';

describe('amounts in Vietnamese words', () => {
  it('reads the amounts invoices carry as a Vietnamese cashier would', () => {
    expect(vndInWords(30_000)).toBe('Ba mươi nghìn đồng');
    expect(vndInWords(0)).toBe('Không đồng');
    expect(vndInWords(150_000)).toBe('Một trăm năm mươi nghìn đồng');
    expect(vndInWords(105_000)).toBe('Một trăm linh năm nghìn đồng');
    expect(vndInWords(115_000)).toBe('Một trăm mười lăm nghìn đồng');
    expect(vndInWords(21_000)).toBe('Hai mươi mốt nghìn đồng');
    expect(vndInWords(11_000)).toBe('Mười một nghìn đồng');
    expect(vndInWords(25_500)).toBe('Hai mươi lăm nghìn năm trăm đồng');
    expect(vndInWords(1_005_000)).toBe('Một triệu không trăm linh năm nghìn đồng');
    expect(vndInWords(2_000_050)).toBe('Hai triệu không trăm năm mươi đồng');
    expect(vndInWords(1_000_000_000)).toBe('Một tỷ đồng');
    expect(vndInWords(1_200_000_000_000)).toBe('Một nghìn hai trăm tỷ đồng');
  });

  it('refuses what is not a whole non-negative amount', () => {
    expect(() => numberInWords(-1)).toThrow(RangeError);
    expect(() => numberInWords(1.5)).toThrow(RangeError);
    expect(() => numberInWords(Number.MAX_SAFE_INTEGER + 2)).toThrow(RangeError);
  });

  it('property: well-formed words, and thousands and millions read as their own number plus the scale', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 0, max: 1_000_000 }), fc.maxSafeNat()), (n) => {
        const words = vndInWords(n);
        expect(words).toMatch(/^\p{Lu}[\p{Ll} ]* đồng$/u);
        expect(words).not.toMatch(/ {2}/u);
        // Never "mười mốt", "mươi năm", "linh" without a unit after it.
        expect(words).not.toMatch(/mười mốt|mươi năm\b|linh (?!một|hai|ba|bốn|năm|sáu|bảy|tám|chín)/u);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 999 }), (n) => {
        expect(numberInWords(n * 1000)).toBe(`${numberInWords(n)} nghìn`);
        expect(numberInWords(n * 1_000_000)).toBe(`${numberInWords(n)} triệu`);
        expect(numberInWords(n * 1_000_000_000)).toBe(`${numberInWords(n)} tỷ`);
      }),
    );
  });
});
