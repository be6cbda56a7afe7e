/**
 * Identity conflicts for staff review: a check-in whose ID (or BHYT) number matched a stored
 * patient with another name or date of birth. The visit went to the stored patient, whose record
 * was left as it was; staff who may (the counter group) keep the stored version or take the
 * check-in's.
 *   GET  /api/identity-conflicts                 → IdentityConflictView[] (open ones; audited read)
 *   POST /api/identity-conflicts/:id/resolve     (body: IdentityConflictResolution) → IdentityConflictView
 */
import { z } from 'zod';

export const identityConflictResolutionSchema = z.object({
  /** 'keep-stored': the record is right; 'take-incoming': the check-in's name and birth date replace it. */
  resolution: z.enum(['keep-stored', 'take-incoming']),
});
export type IdentityConflictResolution = z.infer<typeof identityConflictResolutionSchema>;

/** What of the identity differed: the name, the date of birth. */
export const identityConflictFieldSchema = z.enum(['full-name', 'date-of-birth']);
export type IdentityConflictField = z.infer<typeof identityConflictFieldSchema>;

export interface IdentityConflictView {
  id: string;
  patientId: string;
  visitId: string;
  createdAt: string;
  /** How the check-in's identity was attested: its source and, for a chip, passive authentication. */
  identitySource: string;
  identityCheck: string;
  fields: IdentityConflictField[];
  stored: { fullName: string; dateOfBirth: string };
  incoming: { fullName: string; dateOfBirth: string; sex: string | null };
  status: 'open' | 'kept-stored' | 'took-incoming';
  resolvedBy: string | null;
  resolvedAt: string | null;
}
