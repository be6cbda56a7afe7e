/**
 * The chip key staff type at the counter (`card:set-key`), checked field by field here and then
 * with the protocol's own schema before it leaves the page, and the words for how a chip read
 * went. Pure: no socket. The schema (zod, ≈ 29 KB gzip on the counter page) is passed in: the
 * panel loads it only when staff read a chip (`chip-key-schema.ts`).
 */
import type { CardFailure, CardKeyCommand, CardReadStep, Identity } from '@kiosk/protocol';
import { formatDate, parseCardDate, parseDob } from '../lib/format';
import type { StaffMessageKey } from '../lib/staff-messages';

/** What the form holds: the CCCD number + birth date (+ expiry when known), or the 6-digit CAN. */
export interface ChipKeyForm {
  kind: 'cccd' | 'can';
  idNumber: string;
  /** `dd/mm/yyyy` (separators optional). */
  dateOfBirth: string;
  /** `dd/mm/yyyy`, or empty: the agent derives the expiry milestones from the birth date. */
  dateOfExpiry: string;
  can: string;
}

export type ChipKeyCheck = { ok: true; command: CardKeyCommand } | { ok: false; problem: StaffMessageKey };

/** The protocol's check of a `card:set-key` payload: the command, or null when the agent would refuse it. */
export type KeySchemaCheck = (candidate: unknown) => CardKeyCommand | null;

/** The `card:set-key` command the form gives, or the catalogue key of what to correct. */
export function chipKeyCommand(form: ChipKeyForm, check: KeySchemaCheck, today = new Date()): ChipKeyCheck {
  let candidate: unknown;
  if (form.kind === 'can') {
    const can = form.can.replace(/\s/gu, '');
    if (!/^\d{6}$/u.test(can)) return { ok: false, problem: 'chip.key.bad-can' };
    candidate = { kind: 'can', can };
  } else {
    const idNumber = form.idNumber.replace(/\s/gu, '');
    if (!/^\d{12}$/u.test(idNumber)) return { ok: false, problem: 'chip.key.bad-id' };
    const dateOfBirth = parseDob(form.dateOfBirth, today);
    if (!dateOfBirth) return { ok: false, problem: 'chip.key.bad-dob' };
    let dateOfExpiry: string | undefined;
    if (form.dateOfExpiry.trim()) {
      const parsed = parseCardDate(form.dateOfExpiry);
      if (!parsed || parsed <= dateOfBirth) return { ok: false, problem: 'chip.key.bad-expiry' };
      dateOfExpiry = parsed;
    }
    candidate = { kind: 'cccd', idNumber, dateOfBirth, ...(dateOfExpiry && { dateOfExpiry }) };
  }
  // The agent validates it again with the same schema; a form that passes here is not refused there.
  const command = check(candidate);
  return command ? { ok: true, command } : { ok: false, problem: 'chip.key.invalid' };
}

/** What staff read for a failed chip read. */
export function chipFailureKey(code: CardFailure['code'] | string): StaffMessageKey {
  switch (code) {
    case 'access-denied':
      return 'chip.failed.access-denied';
    case 'card-removed':
      return 'chip.failed.card-removed';
    case 'not-authentic':
      return 'chip.failed.not-authentic';
    case 'cloned-chip':
      return 'chip.failed.cloned-chip';
    case 'unsupported-card':
      return 'chip.failed.unsupported-card';
    case 'reader-error':
      return 'chip.failed.reader-error';
    default:
      return 'chip.failed.read-error';
  }
}

/** The step of a read in words. */
export const chipStepKey = (step: CardReadStep): StaffMessageKey => `chip.step.${step}`;

/** The registration form's fields from a read identity, chip or QR (`dd/mm/yyyy` birth date, as staff type it). */
export function formFieldsOf(identity: Identity): {
  fullName: string;
  dob: string;
  idNumber: string;
  sex: '' | 'male' | 'female';
  address: string;
} {
  return {
    fullName: identity.fullName,
    dob: formatDate(identity.dateOfBirth),
    idNumber: identity.idNumber ?? '',
    sex: identity.sex === 'male' || identity.sex === 'female' ? identity.sex : '',
    address: identity.address ?? '',
  };
}
