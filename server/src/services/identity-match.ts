/**
 * Whether a check-in's identity is the stored patient's: an ID or BHYT number alone does not make
 * two records one person. Names compare in NFC, case-folded, spaces collapsed — diacritics count
 * (Lan and Lân are two names); a birth date given as a year only agrees with any date of that year.
 */
import type { Identity, IdentityConflictField } from '@kiosk/protocol';

const nameKey = (name: string): string => name.normalize('NFC').toLocaleLowerCase('vi').replace(/\s+/gu, ' ').trim();

function sameBirthDate(a: string, b: string): boolean {
  if (a.length === 4 || b.length === 4) return a.slice(0, 4) === b.slice(0, 4);
  return a === b;
}

/** The fields in which `incoming` disagrees with the stored patient (empty: the same person as far as we can tell). */
export function identityDifferences(
  stored: { full_name: string; date_of_birth: string },
  incoming: Pick<Identity, 'fullName' | 'dateOfBirth'>,
): IdentityConflictField[] {
  const out: IdentityConflictField[] = [];
  if (nameKey(stored.full_name) !== nameKey(incoming.fullName)) out.push('full-name');
  if (!sameBirthDate(stored.date_of_birth, incoming.dateOfBirth)) out.push('date-of-birth');
  return out;
}
