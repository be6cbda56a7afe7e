import { describe, expect, it } from 'vitest';
import { cccdExpiryCandidates, cccdExpiryCandidatesAsOf, deriveCccdExpiry } from './cccd-expiry';

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

describe('cccdExpiryCandidatesAsOf (birth date only)', () => {
  it('tries the next milestone, the one after it, then the one just passed', () => {
    // The synthetic card (born 12/03/1988, expires at 40) opened in December 2026.
    expect(cccdExpiryCandidatesAsOf(d(1988, 3, 12), d(2026, 12, 5))).toEqual([
      { mrzExpiry: '280312', reason: 'derived', milestoneAge: 40 },
      { mrzExpiry: '480312', reason: 'neighbour-milestone', milestoneAge: 60 },
      { mrzExpiry: '130312', reason: 'neighbour-milestone', milestoneAge: 25 },
    ]);
  });

  it('a milestone falling on the day itself has passed', () => {
    expect(cccdExpiryCandidatesAsOf(d(2001, 5, 20), d(2026, 5, 20)).map((c) => c.milestoneAge)).toEqual([40, 60, 25]);
  });

  it('from 40 on: DOB + 60, the lifetime guesses, then DOB + 40; after 60 the guesses first', () => {
    expect(
      cccdExpiryCandidatesAsOf(d(1970, 1, 1), d(2026, 12, 5), { lifetimeMrzGuesses: ['<<<<<<'] }).map(
        (c) => c.mrzExpiry,
      ),
    ).toEqual(['300101', '<<<<<<', '100101']);
    expect(cccdExpiryCandidatesAsOf(d(1950, 1, 1), d(2026, 12, 5)).map((c) => c.mrzExpiry)).toEqual([
      '<<<<<<',
      '991231',
      '100101',
    ]);
  });

  it('stops at max', () => {
    expect(cccdExpiryCandidatesAsOf(d(1988, 3, 12), d(2026, 12, 5), { max: 1 })).toHaveLength(1);
  });
});
