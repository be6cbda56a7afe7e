import { describe, expect, it } from 'vitest';
import { ageInYears, priorityClassOf } from './offline';
import type { Identity } from './identity';

const person = (dateOfBirth: string): Identity => ({ source: 'cccd-qr', fullName: 'Nguyễn Văn A', dateOfBirth });

describe('the priority rule (server and offline kiosk)', () => {
  const on = new Date('2026-03-12T00:00:00Z');
  it('counts age in whole years, from a full date or a year alone', () => {
    expect(ageInYears('1951-03-12', on)).toBe(75);
    expect(ageInYears('1951-03-13', on)).toBe(74);
    expect(ageInYears('2020', on)).toBe(6);
    expect(ageInYears('không rõ', on)).toBeNaN();
  });
  it('age first, then the first declared claim', () => {
    expect(priorityClassOf(person('2021-01-01'), ['pregnant'], on)).toBe('child-under-6');
    expect(priorityClassOf(person('1951-03-12'), ['disability'], on)).toBe('elderly-75');
    expect(priorityClassOf(person('1951-03-13'), [], on)).toBe('normal');
    expect(priorityClassOf(person('1990-05-05'), ['meritorious', 'pregnant'], on)).toBe('meritorious');
    expect(priorityClassOf(person('1990-05-05'), ['something-else'], on)).toBe('normal');
  });
});
