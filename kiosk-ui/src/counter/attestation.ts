/**
 * How a visit's identity was attested, as staff read it: the catalogue key of a short badge and
 * its tone. Only a chip whose signature passive authentication verified vouches for the person;
 * a chip read that could not be verified, a QR code and a form typed by hand are claims.
 */
import type { StaffMessageKey } from '../lib/staff-messages';

export type AttestationTone = 'verified' | 'warning' | 'claim';

export interface Attestation {
  key: StaffMessageKey;
  tone: AttestationTone;
}

/** The badge of a source ('chip', 'cccd-qr', 'bhyt-qr', 'manual') and check the server recorded. */
export function attestationOf(source: string, check: string | null): Attestation {
  if (source === 'chip') {
    if (check === 'verified') return { key: 'attest.chip-verified', tone: 'verified' };
    if (check === 'failed') return { key: 'attest.chip-failed', tone: 'warning' };
    return { key: 'attest.chip-unverified', tone: 'warning' };
  }
  if (source === 'cccd-qr') return { key: 'attest.cccd-qr', tone: 'claim' };
  if (source === 'bhyt-qr') return { key: 'attest.bhyt-qr', tone: 'claim' };
  if (source === 'manual') return { key: 'attest.manual', tone: 'claim' };
  return { key: 'attest.unknown', tone: 'claim' };
}

/** Which fields of a conflict differ, as catalogue keys, in the order the server lists them. */
export const conflictFieldKeys = (fields: readonly string[]): StaffMessageKey[] =>
  fields.map((f) => (f === 'date-of-birth' ? 'conflicts.field.date-of-birth' : 'conflicts.field.full-name'));
