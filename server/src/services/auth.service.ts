/**
 * Staff accounts: argon2id password hashes, opaque session tokens (only their SHA-256 is
 * stored), a login rate limit, roles, and the audit log.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { z } from 'zod';
import { err, ok, type Result, type StaffAccount } from '@kiosk/protocol';
import type { Db } from '../db/database';
import type { Clock } from '../clock';

export const roleSchema = z.enum(['admin', 'reception', 'clinic', 'viewer']);
export type Role = z.infer<typeof roleSchema>;
export interface StaffUser {
  id: string;
  username: string;
  role: Role;
}

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

const ARGON2ID = 2;
const MAX_FAILURES = 5;
const FAILURE_WINDOW_MS = 60_000;

export class AuthService {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly sessionTtlMs: number,
  ) {}

  async createUser(username: string, password: string, role: Role): Promise<StaffUser> {
    const id = randomUUID();
    const password_hash = await hash(password, { algorithm: ARGON2ID });
    await this.db.kysely
      .insertInto('users')
      .values({ id, username, password_hash, role, created_at: this.clock.now().toISOString(), disabled_at: null })
      .execute();
    return { id, username, role };
  }

  /** 'conflict' when the user name is taken. */
  async addUser(username: string, password: string, role: Role): Promise<Result<StaffAccount>> {
    const taken = await this.db.kysely
      .selectFrom('users')
      .select('id')
      .where('username', '=', username)
      .executeTakeFirst();
    if (taken) return err('conflict', 'this user name is taken');
    const u = await this.createUser(username, password, role);
    const account = (await this.listUsers()).find((a) => a.id === u.id);
    return account ? ok(account) : err('internal-error', 'user not stored');
  }

  async listUsers(): Promise<StaffAccount[]> {
    const rows = await this.db.kysely
      .selectFrom('users')
      .select(['id', 'username', 'role', 'disabled_at', 'created_at'])
      .orderBy('username')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      username: r.username,
      role: roleSchema.catch('viewer').parse(r.role),
      disabled: r.disabled_at !== null,
      createdAt: r.created_at,
    }));
  }

  /**
   * Changes a role or disables/enables an account. Disabling ends its sessions. The last enabled
   * admin can be neither demoted nor disabled ('conflict'), so the facility never locks itself out.
   */
  async updateUser(id: string, patch: { role?: Role; disabled?: boolean }): Promise<Result<StaffAccount>> {
    const { kysely } = this.db;
    const result = await kysely.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('users')
        .select(['id', 'role', 'disabled_at'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) return err('unknown-user', 'no such user');
      const losesAdmin =
        row.role === 'admin' &&
        row.disabled_at === null &&
        ((patch.role !== undefined && patch.role !== 'admin') || patch.disabled === true);
      if (losesAdmin) {
        const admins = await trx
          .selectFrom('users')
          .select('id')
          .where('role', '=', 'admin')
          .where('disabled_at', 'is', null)
          .execute();
        if (admins.length <= 1) return err('conflict', 'the last admin cannot be demoted or disabled');
      }
      await trx
        .updateTable('users')
        .set({
          ...(patch.role !== undefined ? { role: patch.role } : {}),
          ...(patch.disabled !== undefined
            ? { disabled_at: patch.disabled ? (row.disabled_at ?? this.clock.now().toISOString()) : null }
            : {}),
        })
        .where('id', '=', id)
        .execute();
      // A role change or a disabled account takes effect at once: its sessions end.
      await trx.deleteFrom('sessions').where('user_id', '=', id).execute();
      return ok(null);
    });
    if (!result.ok) return result;
    const account = (await this.listUsers()).find((a) => a.id === id);
    return account ? ok(account) : err('unknown-user', 'no such user');
  }

  async hasUsers(): Promise<boolean> {
    return (await this.db.kysely.selectFrom('users').select('id').limit(1).execute()).length > 0;
  }

  /** 'rate-limited' after too many failures for this user name from this address within a minute. */
  async login(
    username: string,
    password: string,
    address: string,
  ): Promise<{ token: string; user: StaffUser } | 'invalid' | 'rate-limited'> {
    const key = `${username}\u0000${address}`;
    const now = this.clock.now().getTime();
    const recent = (this.failures.get(key) ?? []).filter((t) => now - t < FAILURE_WINDOW_MS);
    if (recent.length >= MAX_FAILURES) return 'rate-limited';
    const row = await this.db.kysely
      .selectFrom('users')
      .selectAll()
      .where('username', '=', username)
      .executeTakeFirst();
    const good = row && row.disabled_at === null ? await verify(row.password_hash, password).catch(() => false) : false;
    if (!row || !good) {
      recent.push(now);
      this.failures.set(key, recent);
      return 'invalid';
    }
    this.failures.delete(key);
    const token = randomBytes(32).toString('base64url');
    await this.db.kysely
      .insertInto('sessions')
      .values({
        token_hash: sha256(token),
        user_id: row.id,
        expires_at: new Date(now + this.sessionTtlMs).toISOString(),
      })
      .execute();
    await this.audit(row.username, 'login', null);
    return { token, user: { id: row.id, username: row.username, role: roleSchema.parse(row.role) } };
  }

  async session(token: string | undefined): Promise<StaffUser | undefined> {
    if (!token) return undefined;
    const row = await this.db.kysely
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select(['users.id', 'users.username', 'users.role', 'users.disabled_at', 'sessions.expires_at'])
      .where('sessions.token_hash', '=', sha256(token))
      .executeTakeFirst();
    if (!row || row.disabled_at !== null || row.expires_at <= this.clock.now().toISOString()) return undefined;
    const role = roleSchema.safeParse(row.role);
    return role.success ? { id: row.id, username: row.username, role: role.data } : undefined;
  }

  async logout(token: string): Promise<void> {
    await this.db.kysely.deleteFrom('sessions').where('token_hash', '=', sha256(token)).execute();
  }

  async auditLog(limit: number, action?: string) {
    let q = this.db.kysely.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(limit);
    if (action) q = q.where('action', '=', action);
    return (await q.execute()).map((r) => ({
      id: Number(r.id),
      at: r.at,
      actor: r.actor,
      action: r.action,
      target: r.target,
    }));
  }

  async audit(actor: string, action: string, target: string | null): Promise<void> {
    await this.db.kysely
      .insertInto('audit_log')
      .values({ at: this.clock.now().toISOString(), actor, action, target })
      .execute();
  }
}
