/**
 * What opens the chip: BAC key information built from an MRZ, from the CCCD's ID + DOB +
 * expiry, or from ID + DOB + issue date (CCCD QR), in which case the expiry milestones are
 * derived and the neighbouring ones tried when BAC is refused; or a card access number (CAN).
 * The same key serves PACE (the MRZ information as the MRZ password, the CAN as the CAN
 * password) and BAC. A CCCD has no printed CAN: readers use the last 6 digits of the ID number.
 */
import { err, ok, type Identity, type Result } from '@kiosk/protocol';
import { makeDate, type CalendarDate } from '../dates';
import { cccdBacKeyInfo } from '../mrz/bac-key';
import { cccdExpiryCandidates, cccdExpiryCandidatesAsOf } from '../mrz/cccd-expiry';
import { parseMrz } from '../mrz/mrz.parser';

export type ChipAccessKey =
  /** MRZ text (TD1 or TD3), e.g. from an OCR camera. */
  | { kind: 'mrz'; mrz: string }
  /** The 24+ character BAC "MRZ information" itself. */
  | { kind: 'bac-key-info'; value: string }
  /**
   * A CCCD: 12-digit ID, DOB `YYYY-MM-DD`, and the expiry `YYYY-MM-DD` (or a raw 6-char MRZ
   * field) when known; otherwise the issue date, from which the expiry is derived.
   */
  | {
      kind: 'cccd';
      idNumber: string;
      dateOfBirth: string;
      dateOfExpiry?: string;
      issueDate?: string;
      lifetimeMrzGuesses?: string[];
      /**
       * `YYYY-MM-DD`: with neither expiry nor issue date (staff typed the ID and birth date only),
       * the expiry milestones of a card still valid on this day are tried.
       */
      asOf?: string;
    }
  /** A card access number (PACE only; the CCCD's is the last 6 digits of its ID number). */
  | { kind: 'can'; can: string };

/** Where a chip key came from: the reader's own MRZ optics, the CCCD QR, or staff at the counter. */
export type KeySource = 'mrz-optics' | 'cccd-qr' | 'staff';

/** A key and its source, for logs and counters (never the key itself). */
export interface SessionKey {
  key: ChipAccessKey;
  source: KeySource;
}

/** At most this many BAC attempts: chips may slow down or lock after repeated failures. */
export const MAX_BAC_ATTEMPTS = 4;

function isoToDate(iso: string | undefined): CalendarDate | undefined {
  const m = iso ? /^(\d{4})-(\d{2})-(\d{2})$/u.exec(iso) : null;
  return m ? makeDate(Number(m[1]), Number(m[2]), Number(m[3])) : undefined;
}

/** The BAC key information strings to try, best first. */
export function bacKeyCandidates(key: ChipAccessKey): Result<string[]> {
  if (key.kind === 'can') return err('bad-access-key', 'a CAN opens PACE only, not BAC');
  if (key.kind === 'bac-key-info') {
    return /^[0-9A-Z<]{24,40}$/u.test(key.value) ? ok([key.value]) : err('bad-access-key', 'malformed BAC key info');
  }
  if (key.kind === 'mrz') {
    const m = parseMrz(key.mrz);
    return m.ok ? ok([m.value.bacKeyInfo]) : err('bad-access-key', `MRZ rejected: ${m.error.code}`);
  }
  const out: string[] = [];
  if (key.dateOfExpiry) {
    const r = cccdBacKeyInfo({ idNumber: key.idNumber, dateOfBirth: key.dateOfBirth, dateOfExpiry: key.dateOfExpiry });
    if (!r.ok) return err('bad-access-key', r.error.message);
    out.push(r.value);
  }
  const dob = isoToDate(key.dateOfBirth);
  const issue = isoToDate(key.issueDate);
  if (dob && issue) {
    const options = key.lifetimeMrzGuesses ? { lifetimeMrzGuesses: key.lifetimeMrzGuesses } : {};
    for (const c of cccdExpiryCandidates(dob, issue, options)) {
      const r = cccdBacKeyInfo({ idNumber: key.idNumber, dateOfBirth: key.dateOfBirth, dateOfExpiry: c.mrzExpiry });
      if (!r.ok) return err('bad-access-key', r.error.message);
      if (!out.includes(r.value)) out.push(r.value);
    }
  }
  const asOf = isoToDate(key.asOf);
  if (dob && !key.dateOfExpiry && !issue && asOf) {
    const options = key.lifetimeMrzGuesses ? { lifetimeMrzGuesses: key.lifetimeMrzGuesses } : {};
    for (const c of cccdExpiryCandidatesAsOf(dob, asOf, { ...options, max: MAX_BAC_ATTEMPTS })) {
      const r = cccdBacKeyInfo({ idNumber: key.idNumber, dateOfBirth: key.dateOfBirth, dateOfExpiry: c.mrzExpiry });
      if (!r.ok) return err('bad-access-key', r.error.message);
      out.push(r.value);
    }
  }
  if (out.length === 0)
    return err('bad-access-key', 'a CCCD key needs a full date of birth and an expiry or issue date');
  return ok(out.slice(0, MAX_BAC_ATTEMPTS));
}

/** The access key a CCCD QR identity gives (ID, full DOB and issue date), if it has them. */
export function accessKeyFromIdentity(identity: Identity): ChipAccessKey | undefined {
  if (!identity.idNumber || !isoToDate(identity.dateOfBirth) || !isoToDate(identity.issueDate)) return undefined;
  return {
    kind: 'cccd',
    idNumber: identity.idNumber,
    dateOfBirth: identity.dateOfBirth,
    issueDate: identity.issueDate,
  };
}

/** What a key offers to open the chip: a CAN for PACE, and MRZ informations for PACE and BAC. */
export interface AccessCandidates {
  can?: string;
  /** BAC key informations (also the PACE MRZ passwords), best first; empty when none derives. */
  mrz: string[];
  /** Why no MRZ information could be derived (when `mrz` is empty). */
  mrzProblem?: string;
}

/** The CAN and MRZ candidates of a key: a CCCD number alone already gives the CAN. */
export function accessCandidates(key: ChipAccessKey): Result<AccessCandidates> {
  if (key.kind === 'can')
    return /^\d{6}$/u.test(key.can) ? ok({ can: key.can, mrz: [] }) : err('bad-access-key', 'a CAN is 6 digits');
  const mrz = bacKeyCandidates(key);
  const can = key.kind === 'cccd' && /^\d{12}$/u.test(key.idNumber) ? key.idNumber.slice(-6) : undefined;
  if (!mrz.ok && !can) return mrz;
  const out: AccessCandidates = mrz.ok ? { mrz: mrz.value } : { mrz: [], mrzProblem: mrz.error.message };
  if (can) out.can = can;
  return ok(out);
}
