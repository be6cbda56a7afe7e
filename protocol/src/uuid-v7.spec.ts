import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { uuidV7 } from './uuid-v7';

describe('uuidV7', () => {
  it('is a version-7, RFC-variant UUID carrying the millisecond', () => {
    const at = Date.UTC(2026, 10, 22, 6, 0, 0);
    const id = uuidV7(at + 10 ** 9);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/u);
    expect(z.string().uuid().safeParse(id).success).toBe(true);
    expect(parseInt(id.replace(/-/gu, '').slice(0, 12), 16)).toBe(at + 10 ** 9);
  });

  it('sorts in creation order, also many within one millisecond, with no repeats', () => {
    const ids = Array.from({ length: 20_000 }, () => uuidV7());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('never goes backwards when the clock does', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1_700_000_000_000, max: 1_900_000_000_000 }), { minLength: 2 }),
        (times) => {
          const ids = times.map((t) => uuidV7(t));
          expect([...ids].sort()).toEqual(ids);
        },
      ),
    );
  });
});
