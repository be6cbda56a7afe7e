/**
 * Staff accounts, their sessions (only token hashes are stored) and the audit log. Methods taking
 * `trx` run inside the caller's unit of work (see executor.ts).
 */
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Db } from '../db/database';
import type { AuditTable, SessionTable, UserTable } from '../db/schema';
import type { Executor } from './executor';

export class StaffRepository {
  constructor(private readonly db: Db) {}

  // ---- users -----------------------------------------------------------------------------------

  async insertUser(user: UserTable): Promise<void> {
    await this.db.kysely.insertInto('users').values(user).execute();
  }

  async userIdByName(username: string): Promise<string | undefined> {
    const taken = await this.db.kysely
      .selectFrom('users')
      .select('id')
      .where('username', '=', username)
      .executeTakeFirst();
    return taken?.id;
  }

  async userByName(username: string): Promise<UserTable | undefined> {
    return this.db.kysely.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  }

  /** Every account (no password hashes), by user name. */
  async users() {
    return this.db.kysely
      .selectFrom('users')
      .select(['id', 'username', 'role', 'disabled_at', 'created_at'])
      .orderBy('username')
      .execute();
  }

  async hasUsers(): Promise<boolean> {
    return (await this.db.kysely.selectFrom('users').select('id').limit(1).execute()).length > 0;
  }

  // ---- sessions --------------------------------------------------------------------------------

  async insertSession(session: SessionTable): Promise<void> {
    await this.db.kysely.insertInto('sessions').values(session).execute();
  }

  /** The session with this token hash and its user. */
  async sessionByTokenHash(tokenHash: string) {
    return this.db.kysely
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select(['users.id', 'users.username', 'users.role', 'users.disabled_at', 'sessions.expires_at'])
      .where('sessions.token_hash', '=', tokenHash)
      .executeTakeFirst();
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.kysely.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
  }

  // ---- audit log -------------------------------------------------------------------------------

  /** Newest first, optionally of one action. */
  async auditLog(limit: number, action?: string): Promise<Selectable<AuditTable>[]> {
    let q = this.db.kysely.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(limit);
    if (action) q = q.where('action', '=', action);
    return q.execute();
  }

  async addAudit(entry: Insertable<AuditTable>): Promise<void> {
    await this.db.kysely.insertInto('audit_log').values(entry).execute();
  }

  // ---- inside a unit of work -------------------------------------------------------------------

  async userForUpdate(trx: Executor, userId: string) {
    return trx.selectFrom('users').select(['id', 'role', 'disabled_at']).where('id', '=', userId).executeTakeFirst();
  }

  /** Ids of the admins whose accounts are enabled. */
  async enabledAdmins(trx: Executor): Promise<string[]> {
    const admins = await trx
      .selectFrom('users')
      .select('id')
      .where('role', '=', 'admin')
      .where('disabled_at', 'is', null)
      .execute();
    return admins.map((a) => a.id);
  }

  async updateUser(trx: Executor, userId: string, changes: Updateable<UserTable>): Promise<void> {
    await trx.updateTable('users').set(changes).where('id', '=', userId).execute();
  }

  /** Ends every session of a user. */
  async endSessions(trx: Executor, userId: string): Promise<void> {
    await trx.deleteFrom('sessions').where('user_id', '=', userId).execute();
  }
}
