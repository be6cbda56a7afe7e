/**
 * Identity conflicts: check-ins whose ID (or BHYT) number matched a stored patient with another
 * name or date of birth, kept for staff review with both versions. Names are sealed here on the
 * way in and opened on the way out (column-cipher.ts); callers see plain values.
 */
import type { Db } from '../db/database';
import type { IdentityConflictTable } from '../db/schema';
import type { Executor } from './executor';
import { ColumnCipher } from './column-cipher';

const SEALED = ['stored_full_name', 'incoming_full_name'] as const;

export class IdentityConflictRepository {
  constructor(
    private readonly db: Db,
    private readonly cipher: ColumnCipher = ColumnCipher.off(),
  ) {}

  async insert(trx: Executor, row: IdentityConflictTable): Promise<void> {
    const sealed = { ...row };
    for (const c of SEALED) sealed[c] = this.cipher.seal(`identity_conflicts.${c}`, row[c]);
    await trx.insertInto('identity_conflicts').values(sealed).execute();
  }

  /** Conflicts with `status` (open ones by default), oldest first. */
  async list(status = 'open', limit = 100): Promise<IdentityConflictTable[]> {
    const rows = await this.db.kysely
      .selectFrom('identity_conflicts')
      .selectAll()
      .where('status', '=', status)
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => this.opened(r));
  }

  async byId(id: string): Promise<IdentityConflictTable | undefined> {
    const row = await this.db.kysely
      .selectFrom('identity_conflicts')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && this.opened(row);
  }

  /** Closes an open conflict; false when it was not open (resolved meanwhile, or unknown). */
  async resolve(trx: Executor, id: string, status: string, by: string, at: string): Promise<boolean> {
    const r = await trx
      .updateTable('identity_conflicts')
      .set({ status, resolved_by: by, resolved_at: at })
      .where('id', '=', id)
      .where('status', '=', 'open')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  private opened(row: IdentityConflictTable): IdentityConflictTable {
    const out = { ...row };
    for (const c of SEALED) out[c] = this.cipher.open(`identity_conflicts.${c}`, row[c]);
    return out;
  }
}
