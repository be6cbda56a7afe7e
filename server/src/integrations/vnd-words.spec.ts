import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { numberInWords, vndInWords } from './vnd-words';

/** An independent reading of the words back to the number: what the property checks against. */
function wordsToNumber(text: string): number {
  const value: Record<string, number> = {
    không: 0,
    một: 1,
    mốt: 1,
    hai: 2,
    ba: 3,
    bốn: 4,
    năm: 5,
    lăm: 5,
    sáu: 6,
    bảy: 7,
    tám: 8,
    chín: 9,
  };
  let total = 0;
  let billions = 0;
  let group = 0;
  let pending = 0;
  for (const w of text.split(' ')) {
    if (w in value) pending = value[w] ?? 0;
    else if (w === 'trăm') {
      group += pending * 100;
      pending = 0;
    } else if (w === 'mươi') {
      group += pending * 10;
      pending = 0;
    } else if (w === 'mười') group += 10;
    else if (w === 'linh') continue;
    else if (w === 'nghìn') {
      total += (group + pending) * 1000;
      group = pending = 0;
    } else if (w === 'triệu') {
      total += (group + pending) * 1_000_000;
      group = pending = 0;
    } else if (w === 'tỷ') {
      billions += total + group + pending;
      total = group = pending = 0;
    } else throw new Error(`unexpected word ${w}`);
  }
  return billions * 1_000_000_000 + total + group + pending;
}

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

  it('property: any amount reads back to itself, in well-formed words', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 0, max: 1_000_000 }), fc.maxSafeNat()), (n) => {
        const words = vndInWords(n);
        expect(words).toMatch(/^[A-ZĐ\p{Lu}][\p{Ll} ]* đồng$/u);
        expect(words).not.toMatch(/ {2}/u);
        expect(wordsToNumber(numberInWords(n))).toBe(n);
        // Never "mười mốt", "mươi năm", "linh" without a unit after it.
        expect(words).not.toMatch(/mười mốt|mươi năm\b|linh (?!một|hai|ba|bốn|năm|sáu|bảy|tám|chín)/u);
      }),
      { numRuns: 2000 },
    );
  });
});
