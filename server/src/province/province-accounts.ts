/**
 * The province's own accounts (role province-admin), in the province's own database: the same
 * accounts, sessions and audit tables a facility has, and nothing else of any facility. A
 * facility's staff token is unknown here (it was issued by another database). Logins are limited
 * as a facility's are and cost one argon2 verification whether the account exists or not.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { provinceRoleSchema, type ProvinceAuditEntry, type ProvinceRole } from '@kiosk/protocol';
import type { StaffRepository } from '../repositories/staff.repository';
import type { Clock } from '../clock';
import { LoginLimiter } from '../services/login-limiter';
import { defaultLoginLimits, sha256 } from '../services/auth.service';

export interface ProvinceUser {
  id: string;
  username: string;
  role: ProvinceRole;
}

const ARGON2ID = 2;

export class ProvinceAccounts {
  private readonly limiter = new LoginLimiter(defaultLoginLimits);
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly staff: StaffRepository,
    private readonly clock: Clock,
    private readonly sessionTtlMs: number,
  ) {}

  /** Creates the first province admin on an empty province database; false when accounts exist. */
  async bootstrap(username: string, password: string): Promise<boolean> {
    if (await this.staff.hasUsers()) return false;
    await this.staff.insertUser({
      id: randomUUID(),
      username,
      password_hash: await hash(password, { algorithm: ARGON2ID }),
      role: 'province-admin',
      created_at: this.clock.now().toISOString(),
      disabled_at: null,
    });
    return true;
  }

  async login(
    username: string,
    password: string,
    address: string,
  ): Promise<{ token: string; user: ProvinceUser } | 'invalid' | 'rate-limited'> {
    const now = this.clock.now().getTime();
    const attempt = this.limiter.begin(username, address, now);
    if (!attempt.ok) return 'rate-limited';
    const row = await this.staff.userByName(username);
    const role = provinceRoleSchema.safeParse(row?.role);
    const usable = row !== undefined && row.disabled_at === null && role.success;
    this.dummyHash ??= hash(randomBytes(24).toString('base64url'), { algorithm: ARGON2ID });
    const stored = usable ? row.password_hash : await this.dummyHash;
    const good = (await verify(stored, password).catch(() => false)) && usable;
    attempt.release(good);
    if (!good || !role.success) return 'invalid';
    const token = randomBytes(32).toString('base64url');
    await this.staff.insertSession({
      token_hash: sha256(token),
      user_id: row.id,
      expires_at: new Date(now + this.sessionTtlMs).toISOString(),
    });
    await this.audit(row.username, 'province-login', null);
    return { token, user: { id: row.id, username: row.username, role: role.data } };
  }

  async session(token: string | undefined): Promise<ProvinceUser | undefined> {
    if (!token) return undefined;
    const row = await this.staff.sessionByTokenHash(sha256(token));
    if (!row || row.disabled_at !== null || row.expires_at <= this.clock.now().toISOString()) return undefined;
    const role = provinceRoleSchema.safeParse(row.role);
    return role.success ? { id: row.id, username: row.username, role: role.data } : undefined;
  }

  async logout(token: string): Promise<void> {
    await this.staff.deleteSession(sha256(token));
  }

  async audit(actor: string, action: string, target: string | null): Promise<void> {
    await this.staff.addAudit({ at: this.clock.now().toISOString(), actor, action, target });
  }

  async auditLog(limit: number): Promise<ProvinceAuditEntry[]> {
    return (await this.staff.auditLog(limit)).map((r) => ({
      at: r.at,
      actor: r.actor,
      action: r.action,
      target: r.target,
    }));
  }
}
