/**
 * Staff review of identity conflicts (identity-match.ts decides what one is; the check-in stores
 * it). Reading the list shows personal data: it is audited like a patient record read. A
 * resolution is one unit of work: the conflict closed and, for 'take-incoming', the patient's name
 * and birth date replaced — never the ID or BHYT numbers.
 */
import {
  err,
  identityConflictFieldSchema,
  ok,
  type IdentityConflictResolution,
  type IdentityConflictView,
  type Result,
} from '@kiosk/protocol';
import type { Committer } from '../db/group-commit';
import type { IdentityConflictTable } from '../db/schema';
import type { Repositories } from '../repositories';
import type { Clock } from '../clock';
import type { AuthService, StaffUser } from './auth.service';
import { readStoredList } from './stored-json';

export class IdentityConflictService {
  constructor(
    private readonly repositories: Pick<Repositories, 'identityConflicts' | 'patients'>,
    private readonly transactions: Committer,
    private readonly clock: Clock,
    private readonly auth: AuthService,
  ) {}

  async listOpen(reader: StaffUser): Promise<Result<IdentityConflictView[]>> {
    await this.auth.audit(reader.username, 'identity-conflicts-read', null);
    return ok((await this.repositories.identityConflicts.list('open')).map(viewOf));
  }

  async resolve(
    id: string,
    { resolution }: IdentityConflictResolution,
    user: StaffUser,
  ): Promise<Result<IdentityConflictView>> {
    const { identityConflicts, patients } = this.repositories;
    const conflict = await identityConflicts.byId(id);
    if (!conflict) return err('unknown-conflict', 'no such identity conflict');
    if (conflict.status !== 'open') return err('already-resolved', 'this conflict was resolved already');
    const at = this.clock.now().toISOString();
    const status = resolution === 'keep-stored' ? 'kept-stored' : 'took-incoming';
    const closed = await this.transactions.run(async (trx) => {
      if (!(await identityConflicts.resolve(trx, id, status, user.username, at))) return false;
      if (resolution === 'take-incoming')
        await patients.update(trx, conflict.patient_id, {
          full_name: conflict.incoming_full_name,
          date_of_birth: conflict.incoming_date_of_birth,
          ...(conflict.incoming_sex !== null && { sex: conflict.incoming_sex }),
          updated_at: at,
        });
      return true;
    });
    if (!closed) return err('already-resolved', 'this conflict was resolved already');
    await this.auth.audit(user.username, `identity-conflict-${status}`, conflict.patient_id);
    return ok(viewOf({ ...conflict, status, resolved_by: user.username, resolved_at: at }));
  }
}

function viewOf(c: IdentityConflictTable): IdentityConflictView {
  const fields = readStoredList(identityConflictFieldSchema, c.fields);
  return {
    id: c.id,
    patientId: c.patient_id,
    visitId: c.visit_id,
    createdAt: c.created_at,
    identitySource: c.identity_source,
    identityCheck: c.identity_check,
    fields,
    stored: { fullName: c.stored_full_name, dateOfBirth: c.stored_date_of_birth },
    incoming: { fullName: c.incoming_full_name, dateOfBirth: c.incoming_date_of_birth, sex: c.incoming_sex },
    status: c.status === 'kept-stored' || c.status === 'took-incoming' ? c.status : 'open',
    resolvedBy: c.resolved_by,
    resolvedAt: c.resolved_at,
  };
}
