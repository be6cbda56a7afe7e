import { describe, expect, it } from 'vitest';
import { cccdExpiryCandidates, deriveCccdExpiry } from './cccd-expiry';

const d = (year: number, month: number, day: number) => ({ year, month, day });

describe('deriveCccdExpiry', () => {
  it('gives the synthetic card (born 12/03/1988, issued 10/05/2021) an expiry at 40', () => {
    expect(deriveCccdExpiry(d(1988, 3, 12), d(2021, 5, 10))).toEqual({
      kind: 'date',
      date: d(2028, 3, 12),
      milestoneAge: 40,
    });
  });

  it('applies the 2-year rule: issued within 2 years before a milestone → the next one', () => {
    // 24 years old at issue: within 2 years of 25 → valid to 40.
    expect(deriveCccdExpiry(d(1990, 6, 1), d(2014, 7, 1))).toMatchObject({ milestoneAge: 40 });
    // 22 years old: before the window → 25.
    expect(deriveCccdExpiry(d(1990, 6, 1), d(2012, 5, 31))).toMatchObject({ milestoneAge: 25 });
    // Exactly 23 years old: the window has started → 40.
    expect(deriveCccdExpiry(d(1990, 6, 1), d(2013, 6, 1))).toMatchObject({ milestoneAge: 40 });
    // A child card (2023 law) expires at 14.
    expect(deriveCccdExpiry(d(2015, 1, 2), d(2024, 8, 1))).toMatchObject({ milestoneAge: 14, date: d(2029, 1, 2) });
  });

  it('gives no expiry to cards issued at 58 or older', () => {
    expect(deriveCccdExpiry(d(1960, 1, 1), d(2018, 1, 1))).toEqual({ kind: 'lifetime' });
    expect(deriveCccdExpiry(d(1960, 1, 1), d(2017, 12, 31))).toMatchObject({ milestoneAge: 60 });
  });

  it('handles 29 February births', () => {
    expect(deriveCccdExpiry(d(2000, 2, 29), d(2021, 1, 1))).toMatchObject({ date: d(2025, 2, 28) });
  });
});

describe('cccdExpiryCandidates', () => {
  it('tries the derived milestone, then the neighbours', () => {
    expect(cccdExpiryCandidates(d(1988, 3, 12), d(2021, 5, 10))).toEqual([
      { mrzExpiry: '280312', reason: 'derived', milestoneAge: 40 },
      { mrzExpiry: '480312', reason: 'neighbour-milestone', milestoneAge: 60 },
    ]);
    expect(cccdExpiryCandidates(d(1990, 6, 1), d(2013, 6, 1)).map((c) => c.mrzExpiry)).toEqual([
      '300601',
      '500601',
      '150601',
    ]);
  });

  it('tries DOB + 60 and the lifetime guesses for a lifetime card', () => {
    const c = cccdExpiryCandidates(d(1960, 1, 1), d(2019, 1, 1), { lifetimeMrzGuesses: ['<<<<<<'] });
    expect(c).toEqual([
      { mrzExpiry: '200101', reason: 'neighbour-milestone', milestoneAge: 60 },
      { mrzExpiry: '<<<<<<', reason: 'lifetime-guess' },
    ]);
  });
});
