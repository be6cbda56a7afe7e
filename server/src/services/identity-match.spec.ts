import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { identityDifferences } from './identity-match';

const stored = { full_name: 'Nguyễn Thị Lan', date_of_birth: '1988-03-12' };

describe('identityDifferences', () => {
  it('the same person written differently is not a conflict', () => {
    expect(identityDifferences(stored, { fullName: 'NGUYỄN  THỊ LAN ', dateOfBirth: '1988-03-12' })).toEqual([]);
    expect(identityDifferences(stored, { fullName: 'Nguyễn Thị Lan', dateOfBirth: '1988' })).toEqual([]);
    // Decomposed (NFD) input is the same name.
    expect(
      identityDifferences(stored, { fullName: 'Nguyễn Thị Lan'.normalize('NFD'), dateOfBirth: '1988-03-12' }),
    ).toEqual([]);
  });

  it('another name or birth date is', () => {
    expect(identityDifferences(stored, { fullName: 'Nguyễn Thị Lân', dateOfBirth: '1988-03-12' })).toEqual([
      'full-name',
    ]);
    expect(identityDifferences(stored, { fullName: 'Nguyễn Thị Lan', dateOfBirth: '1988-03-21' })).toEqual([
      'date-of-birth',
    ]);
    expect(identityDifferences(stored, { fullName: 'Trần Văn Bình', dateOfBirth: '1990' })).toEqual([
      'full-name',
      'date-of-birth',
    ]);
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), fc.string(), (a, b, c, d) => {
        expect(
          Array.isArray(identityDifferences({ full_name: a, date_of_birth: b }, { fullName: c, dateOfBirth: d })),
        ).toBe(true);
      }),
    );
  });
});
