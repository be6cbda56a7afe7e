/**
 * Staff accounts: argon2id password hashes, opaque session tokens (only their SHA-256 is
 * stored), login limits (per account, per address, overall: `LoginLimiter`), roles, and the
 * audit log. A login costs one argon2 verification whether the user exists or not, so the answer's
 * timing does not tell which user names exist.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { z } from 'zod';
import { err, ok, type Result, type StaffAccount } from '@kiosk/protocol';
import type { Committer } from '../db/group-commit';
import type { StaffRepository } from '../repositories/staff.repository';
import type { Clock } from '../clock';
import { LoginLimiter, type LoginLimits, type Lockout } from './login-limiter';

export const roleSchema = z.enum(['admin', 'reception', 'clinic', 'viewer']);
export type Role = z.infer<typeof roleSchema>;
export interface StaffUser {
  id: string;
  username: string;
  role: Role;
}

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

const ARGON2ID = 2;

export const defaultLoginLimits: LoginLimits = {
  perAccount: 5,
  perAddress: 20,
  overall: 200,
  windowMs: 15 * 60_000,
  maxTracked: 10_000,
};

export type LoginOutcome =
  { token: string; user: StaffUser } | 'invalid' | { refused: 'rate-limited'; retryAfterMs: number };

export class AuthService {
  readonly loginLimiter: LoginLimiter;
  /** Verified against when the user name is unknown or disabled, so every login costs one verification. */
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly staff: StaffRepository,
    /** Changing an account (and ending its sessions) is one unit of work. */
    private readonly transactions: Committer,
    private readonly clock: Clock,
    private readonly sessionTtlMs: number,
    loginLimits: LoginLimits = defaultLoginLimits,
  ) {
    this.loginLimiter = new LoginLimiter(loginLimits);
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= hash(randomBytes(24).toString('base64url'), { algorithm: ARGON2ID });
    return this.dummyHash;
  }

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
    const now = this.clock.now().getTime();
    return rows.map((r) => ({
      id: r.id,
      username: r.username,
      role: roleSchema.catch('viewer').parse(r.role),
      disabled: r.disabled_at !== null,
      createdAt: r.created_at,
      lockedUntil: this.loginLimiter.lockedUntil(r.username, now),
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

  /** Whether an enabled account `username` has exactly this password (start-up checks; not rate-limited). */
  async acceptsPassword(username: string, password: string): Promise<boolean> {
    const row = await this.staff.userByName(username);
    if (!row || row.disabled_at !== null) return false;
    return verify(row.password_hash, password).catch(() => false);
  }

  async hasUsers(): Promise<boolean> {
    return this.staff.hasUsers();
  }

  /**
   * The attempt is counted before anything is awaited; 'rate-limited' while the account, the
   * address or the whole server is at its failure limit, with the time until the lock ends.
   */
  async login(username: string, password: string, address: string): Promise<LoginOutcome> {
    const now = this.clock.now().getTime();
    const attempt = this.loginLimiter.begin(username, address, now);
    if (!attempt.ok) return { refused: 'rate-limited', retryAfterMs: attempt.retryAfterMs };
    const row = await this.staff.userByName(username);
    const usable = row !== undefined && row.disabled_at === null;
    // Unknown and disabled accounts verify against a dummy hash: the same work, the same time.
    const stored = usable ? row.password_hash : await this.dummy();
    const good = (await verify(stored, password).catch(() => false)) && usable;
    attempt.release(good);
    if (!good) return 'invalid';
    const token = randomBytes(32).toString('base64url');
    await this.staff.insertSession({
      token_hash: sha256(token),
      user_id: row.id,
      expires_at: new Date(now + this.sessionTtlMs).toISOString(),
    });
    await this.audit(row.username, 'login', null);
    return { token, user: { id: row.id, username: row.username, role: roleSchema.parse(row.role) } };
  }

  /** Accounts and addresses whose logins are locked now, with when each lock ends. */
  lockouts(): Lockout[] {
    return this.loginLimiter.lockouts(this.clock.now().getTime());
  }

  /** An admin ends an account's login lock (audited by the caller). */
  unlock(username: string): void {
    this.loginLimiter.unlock(username);
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
