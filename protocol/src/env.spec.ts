import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { commaList, envFlag } from './env';

describe('environment forms', () => {
  it('reads a comma list, trimmed, without empty items; unset gives the fallback', () => {
    expect(commaList().parse(' a, b,,c ,')).toEqual(['a', 'b', 'c']);
    expect(commaList('x,y').parse(undefined)).toEqual(['x', 'y']);
    expect(commaList('x,y').parse('')).toEqual([]);
  });

  it('never yields an empty or padded item, whatever the text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        for (const item of commaList().parse(text)) {
          expect(item).not.toBe('');
          expect(item).toBe(item.trim());
          expect(item).not.toContain(',');
        }
      }),
    );
  });

  it('reads a flag: 1/true on, 0/false off, unset or empty the fallback, anything else refused', () => {
    expect(envFlag().parse('1')).toBe(true);
    expect(envFlag().parse('true')).toBe(true);
    expect(envFlag(true).parse('0')).toBe(false);
    expect(envFlag(true).parse('false')).toBe(false);
    expect(envFlag(true).parse(undefined)).toBe(true);
    expect(envFlag(true).parse('')).toBe(true);
    expect(envFlag().parse('')).toBe(false);
    expect(envFlag().safeParse('yes').success).toBe(false);
  });
});
