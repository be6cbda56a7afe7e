import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseWith } from './result';

describe('parseWith', () => {
  it('names the offending path', () => {
    const r = parseWith(z.object({ a: z.object({ b: z.number() }) }), { a: { b: 'x' } });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('validation-failed');
      expect(r.error.message).toMatch(/^a\.b:/u);
    }
  });
});
