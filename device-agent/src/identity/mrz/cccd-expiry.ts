/**
 * CCCD expiry when only DOB and issue date are known (the QR has no expiry). Renewal ages
 * 14/25/40/60 (2023 Identification Law; the 2014 law had 25/40/60, a subset). A card issued
 * within 2 years before a milestone is valid until the next one: expiry = DOB + M for the
 * first M with issueDate < DOB + M − 2 years; issued at 58 or older → no expiry. What a
 * lifetime card writes in its MRZ expiry field is unconfirmed, so it is tried as guesses.
 */
import { addYears, compareDates, type CalendarDate } from '../dates';
import { toMrzDate } from './bac-key';

export const CCCD_MILESTONE_AGES = [14, 25, 40, 60] as const;
export const CCCD_RENEWAL_GRACE_YEARS = 2;

export type CccdExpiry = { kind: 'date'; date: CalendarDate; milestoneAge: number } | { kind: 'lifetime' };

export function deriveCccdExpiry(dateOfBirth: CalendarDate, issueDate: CalendarDate): CccdExpiry {
  for (const age of CCCD_MILESTONE_AGES) {
    if (compareDates(issueDate, addYears(dateOfBirth, age - CCCD_RENEWAL_GRACE_YEARS)) < 0)
      return { kind: 'date', date: addYears(dateOfBirth, age), milestoneAge: age };
  }
  return { kind: 'lifetime' };
}

export interface ExpiryCandidate {
  /** The 6-char MRZ expiry field to try in BAC. */
  mrzExpiry: string;
  reason: 'derived' | 'neighbour-milestone' | 'lifetime-guess';
  milestoneAge?: number;
}

export interface ExpiryCandidateOptions {
  /** MRZ expiry fields to try for a lifetime card (unconfirmed encoding). */
  lifetimeMrzGuesses?: string[];
}

/** Unconfirmed: candidates only, tried after the milestone dates. */
export const DEFAULT_LIFETIME_MRZ_GUESSES = ['<<<<<<', '991231'];

/** A deduplicated list of expiry candidates, filled by milestone age or with the lifetime guesses. */
function candidateList(dateOfBirth: CalendarDate, options: ExpiryCandidateOptions) {
  const out: ExpiryCandidate[] = [];
  const seen = new Set<string>();
  const push = (c: ExpiryCandidate) => {
    if (!seen.has(c.mrzExpiry)) {
      seen.add(c.mrzExpiry);
      out.push(c);
    }
  };
  const milestone = (age: number, reason: ExpiryCandidate['reason']) => {
    const f = toMrzDate(addYears(dateOfBirth, age));
    if (f) push({ mrzExpiry: f, reason, milestoneAge: age });
  };
  const lifetimeGuesses = () => {
    for (const g of options.lifetimeMrzGuesses ?? DEFAULT_LIFETIME_MRZ_GUESSES)
      if (/^[\d<]{6}$/u.test(g)) push({ mrzExpiry: g, reason: 'lifetime-guess' });
  };
  return { out, milestone, lifetimeGuesses };
}

/**
 * The expiry fields to try, best first: the derived milestone, then the next and the
 * previous milestone (the 2-year rule and the 2014/2023 laws disagree near boundaries),
 * then lifetime guesses. Deduplicated.
 */
export function cccdExpiryCandidates(
  dateOfBirth: CalendarDate,
  issueDate: CalendarDate,
  options: ExpiryCandidateOptions = {},
): ExpiryCandidate[] {
  const { out, milestone, lifetimeGuesses } = candidateList(dateOfBirth, options);
  const derived = deriveCccdExpiry(dateOfBirth, issueDate);
  const ages: readonly number[] = CCCD_MILESTONE_AGES;
  const idx = derived.kind === 'date' ? ages.indexOf(derived.milestoneAge) : ages.length;
  if (derived.kind === 'date') milestone(derived.milestoneAge, 'derived');
  const next = ages[idx + 1];
  const prev = ages[idx - 1];
  if (next !== undefined) milestone(next, 'neighbour-milestone');
  if (prev !== undefined && compareDates(addYears(dateOfBirth, prev), issueDate) > 0)
    milestone(prev, 'neighbour-milestone');
  if (derived.kind === 'lifetime' || next === undefined) lifetimeGuesses();
  return out;
}

/**
 * The expiry fields to try when neither the expiry nor the issue date is known (a key typed by
 * staff from the birth date alone), best first, for a card still valid on `asOf`: the first
 * milestone after `asOf` (a card issued more than 2 years before it), then the next one (renewed
 * within the 2 years before it), lifetime guesses once no later milestone remains, and last the
 * milestone just passed (a card kept past its expiry). Deduplicated; at most `max` of them.
 */
export function cccdExpiryCandidatesAsOf(
  dateOfBirth: CalendarDate,
  asOf: CalendarDate,
  options: ExpiryCandidateOptions & { max?: number } = {},
): ExpiryCandidate[] {
  const { out, milestone, lifetimeGuesses } = candidateList(dateOfBirth, options);
  const ages: readonly number[] = CCCD_MILESTONE_AGES;
  const upcoming = ages.filter((age) => compareDates(addYears(dateOfBirth, age), asOf) > 0);
  const first = upcoming[0];
  const second = upcoming[1];
  if (first !== undefined) milestone(first, 'derived');
  if (second !== undefined) milestone(second, 'neighbour-milestone');
  if (second === undefined) lifetimeGuesses();
  const passed = ages.filter((age) => !upcoming.includes(age)).at(-1);
  if (passed !== undefined) milestone(passed, 'neighbour-milestone');
  return out.slice(0, options.max ?? out.length);
}
