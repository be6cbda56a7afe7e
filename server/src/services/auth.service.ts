/**
 * Staff accounts: argon2id password hashes, opaque session tokens (only their SHA-256 is
 * stored), a login rate limit, roles, and the audit log.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { z } from 'zod';
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
      .values({ id, username, password_hash, role, created_at: this.clock.now().toISOString() })
      .execute();
    return { id, username, role };
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
    const good = row ? await verify(row.password_hash, password).catch(() => false) : false;
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
      .select(['users.id', 'users.username', 'users.role', 'sessions.expires_at'])
      .where('sessions.token_hash', '=', sha256(token))
      .executeTakeFirst();
    if (!row || row.expires_at <= this.clock.now().toISOString()) return undefined;
    const role = roleSchema.safeParse(row.role);
    return role.success ? { id: row.id, username: row.username, role: role.data } : undefined;
  }

  async logout(token: string): Promise<void> {
    await this.db.kysely.deleteFrom('sessions').where('token_hash', '=', sha256(token)).execute();
  }

  async audit(actor: string, action: string, target: string | null): Promise<void> {
    await this.db.kysely
      .insertInto('audit_log')
      .values({ at: this.clock.now().toISOString(), actor, action, target })
      .execute();
  }
}
