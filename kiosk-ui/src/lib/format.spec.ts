import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ageOn, dobMask, formatDate, parseDob } from './format';

describe('dates typed at the kiosk', () => {
  const today = new Date(2026, 10, 22);
  it('reads dd/mm/yyyy and refuses impossible or future dates', () => {
    expect(parseDob('12031988', today)).toBe('1988-03-12');
    expect(parseDob('12/03/1988', today)).toBe('1988-03-12');
    expect(parseDob('29022024', today)).toBe('2024-02-29');
    expect(parseDob('29022023', today)).toBeNull();
    expect(parseDob('31041990', today)).toBeNull();
    expect(parseDob('01012030', today)).toBeNull();
    expect(parseDob('0101188', today)).toBeNull();
    expect(parseDob('01011850', today)).toBeNull();
  });
  it('shows digits as they are typed', () => {
    expect(dobMask('1203')).toBe('12/03');
    expect(dobMask('120319')).toBe('12/03/19');
    expect(formatDate('1988-03-12')).toBe('12/03/1988');
    expect(formatDate('1988')).toBe('1988');
  });
  it('derives the age that decides automatic priority (under 6, 75 and over)', () => {
    expect(ageOn('1951-11-22', today)).toBe(75);
    expect(ageOn('1951-11-23', today)).toBe(74);
    expect(ageOn('2020-11-23', today)).toBe(5);
    expect(ageOn('1950', today)).toBe(76);
  });
  it('never throws on any text', () => {
    fc.assert(fc.property(fc.string(), (s) => void parseDob(s, today)));
  });
});
