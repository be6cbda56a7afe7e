/**
 * Staff accounts: argon2id password hashes, opaque session tokens (only their SHA-256 is
 * stored), a login rate limit, roles, and the audit log.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { z } from 'zod';
import { err, ok, type Result, type StaffAccount } from '@kiosk/protocol';
import type { Committer } from '../db/group-commit';
import type { StaffRepository } from '../repositories/staff.repository';
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
    private readonly staff: StaffRepository,
    /** Changing an account (and ending its sessions) is one unit of work. */
    private readonly transactions: Committer,
    private readonly clock: Clock,
    private readonly sessionTtlMs: number,
  ) {}

  async createUser(username: string, password: string, role: Role): Promise<StaffUser> {
    const id = randomUUID();
    const password_hash = await hash(password, { algorithm: ARGON2ID });
    await this.staff.insertUser({
      id,
      username,
      password_hash,
      role,
      created_at: this.clock.now().toISOString(),
      disabled_at: null,
    });
    return { id, username, role };
  }

  /** 'conflict' when the user name is taken. */
  async addUser(username: string, password: string, role: Role): Promise<Result<StaffAccount>> {
    if ((await this.staff.userIdByName(username)) !== undefined) return err('conflict', 'this user name is taken');
    const u = await this.createUser(username, password, role);
    const account = (await this.listUsers()).find((a) => a.id === u.id);
    return account ? ok(account) : err('internal-error', 'user not stored');
  }

  async listUsers(): Promise<StaffAccount[]> {
    const rows = await this.staff.users();
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
    const { staff } = this;
    const result = await this.transactions.run(async (trx) => {
      const row = await staff.userForUpdate(trx, id);
      if (!row) return err('unknown-user', 'no such user');
      const losesAdmin =
        row.role === 'admin' &&
        row.disabled_at === null &&
        ((patch.role !== undefined && patch.role !== 'admin') || patch.disabled === true);
      if (losesAdmin) {
        const admins = await staff.enabledAdmins(trx);
        if (admins.length <= 1) return err('conflict', 'the last admin cannot be demoted or disabled');
      }
      await staff.updateUser(trx, id, {
        ...(patch.role !== undefined ? { role: patch.role } : {}),
        ...(patch.disabled !== undefined
          ? { disabled_at: patch.disabled ? (row.disabled_at ?? this.clock.now().toISOString()) : null }
          : {}),
      });
      // A role change or a disabled account takes effect at once: its sessions end.
      await staff.endSessions(trx, id);
      return ok(null);
    });
    if (!result.ok) return result;
    const account = (await this.listUsers()).find((a) => a.id === id);
    return account ? ok(account) : err('unknown-user', 'no such user');
  }

  async hasUsers(): Promise<boolean> {
    return this.staff.hasUsers();
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
    const row = await this.staff.userByName(username);
    const good = row && row.disabled_at === null ? await verify(row.password_hash, password).catch(() => false) : false;
    if (!row || !good) {
      recent.push(now);
      this.failures.set(key, recent);
      return 'invalid';
    }
    this.failures.delete(key);
    const token = randomBytes(32).toString('base64url');
    await this.staff.insertSession({
      token_hash: sha256(token),
      user_id: row.id,
      expires_at: new Date(now + this.sessionTtlMs).toISOString(),
    });
    await this.audit(row.username, 'login', null);
    return { token, user: { id: row.id, username: row.username, role: roleSchema.parse(row.role) } };
  }

  async session(token: string | undefined): Promise<StaffUser | undefined> {
    if (!token) return undefined;
    const row = await this.staff.sessionByTokenHash(sha256(token));
    if (!row || row.disabled_at !== null || row.expires_at <= this.clock.now().toISOString()) return undefined;
    const role = roleSchema.safeParse(row.role);
    return role.success ? { id: row.id, username: row.username, role: role.data } : undefined;
  }

  async logout(token: string): Promise<void> {
    await this.staff.deleteSession(sha256(token));
  }

  async auditLog(limit: number, action?: string) {
    return (await this.staff.auditLog(limit, action)).map((r) => ({
      id: Number(r.id),
      at: r.at,
      actor: r.actor,
      action: r.action,
      target: r.target,
    }));
  }

  async audit(actor: string, action: string, target: string | null): Promise<void> {
    await this.staff.addAudit({ at: this.clock.now().toISOString(), actor, action, target });
  }
}
