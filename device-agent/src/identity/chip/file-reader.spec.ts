import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../icao/bytes';
import { curveByName, decodePoint } from '../pace/ec';
import { totalLength } from './file-reader';

describe('file header length', () => {
  it.each([
    ['one-byte tag, short length', '6014', 22],
    ['long length 82', '7782054F', 4 + 0x054f],
    ['two-byte tag 7F61', '7F61820100', 5 + 256],
    ['too few bytes', '77', undefined],
    ['length bytes cut short', '778201', undefined],
    ['indefinite length', '6080', 'malformed'],
    ['five length bytes', '60850000000001', 'malformed'],
  ])('%s', (_l, h, expected) => {
    expect(totalLength(fromHex(h))).toBe(expected);
  });

  it('never throws on random header bytes (fuzz)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), (b) => void totalLength(b)),
      { numRuns: 5000 },
    );
  });
});

describe('EC points from the chip', () => {
  it('refuses random bytes, points off the curve and compressed points without throwing (fuzz)', () => {
    const curve = curveByName('brainpoolP256r1');
    if (!curve) throw new Error('curve');
    const g = curve.Point.BASE.toBytes(false);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 70 }),
          fc.tuple(fc.nat(64), fc.integer({ min: 0, max: 255 })).map(([i, v]) => {
            const c = Uint8Array.from(g);
            c[i + 1] = v;
            return c;
          }),
        ),
        (b) => {
          const r = decodePoint(curve, b);
          if (r.ok) expect(r.value.equals(curve.Point.BASE)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});
