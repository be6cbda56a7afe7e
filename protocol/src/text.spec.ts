import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanAddress, cleanName, cleanText, isForbiddenCodePoint, MAX_NAME_LENGTH } from './text';

const anyUnicode = fc.string({ unit: 'binary', maxLength: 400 });
// Vietnamese letters in both forms, joined with the invisible characters a form or a QR may carry.
const tricky = fc
  .array(
    fc.constantFrom(
      'Nguyễn',
      'Nguye\u0302\u0303n',
      '\u0000',
      '\u202e',
      '\u2066',
      '\u200b',
      '\u200d',
      '\ufeff',
      '\u00ad',
      '\u0301',
      ' ',
      '\u00a0',
      '\t',
      '\n',
      'Thị',
      '\ud800',
      '\udc00',
      '😀',
    ),
    { maxLength: 80 },
  )
  .map((parts) => parts.join(''));

describe('cleanText', () => {
  it('removes NUL, bidi controls and zero-width characters and composes to NFC', () => {
    expect(cleanName('Nguye\u0302\u0303n\u0000 Th\u200bị \u202eLan\u202c')).toBe('Nguyễn Thị Lan');
    expect(cleanName('  Trần\u00a0\u00a0Văn\tAn\n')).toBe('Trần Văn An');
    expect(cleanName('Nguyễn Thị Lan')).toBe(cleanName('Nguye\u0302\u0303n Thi\u0323 Lan'));
  });
  it('bounds the length without splitting a surrogate pair', () => {
    expect(Array.from(cleanName('😀'.repeat(300)))).toHaveLength(MAX_NAME_LENGTH);
    expect(cleanText('a😀', 1)).toBe('a');
    expect(cleanText('😀b', 1)).toBe('😀');
  });
  it('on any Unicode input: idempotent, NFC, no forbidden code point, bounded', () => {
    fc.assert(
      fc.property(fc.oneof(anyUnicode, tricky), fc.integer({ min: 0, max: 300 }), (input, max) => {
        const out = cleanText(input, max);
        expect(cleanText(out, max)).toBe(out);
        expect(out.normalize('NFC')).toBe(out);
        expect(Array.from(out).length).toBeLessThanOrEqual(max);
        for (const ch of out) expect(isForbiddenCodePoint(ch)).toBe(false);
        expect(out).toBe(out.trim());
        expect(out).not.toMatch(/ {2}/u);
      }),
      { numRuns: 2000 },
    );
  });
  it('names and addresses keep their own bounds', () => {
    expect(cleanAddress('x'.repeat(600))).toHaveLength(500);
    expect(cleanName('x'.repeat(600))).toHaveLength(200);
  });
});
