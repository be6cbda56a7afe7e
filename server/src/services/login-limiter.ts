/**
 * Failed-login counters per account, per address and overall, bounded and expiring. An attempt is
 * counted the moment it starts (`begin`, synchronous, before the password hash is awaited), so
 * parallel guesses cannot all pass the check before any of them fails; a successful login gives
 * its attempt back. Each key counts in a fixed window from its first failure; a key at its limit
 * is locked until that window ends. Every map holds at most `maxTracked` keys: expired keys are
 * pruned as new ones arrive (the map is ordered by last change), and past the bound the longest
 * untouched key goes first. A flood of user names from one address stops at that address's limit;
 * from many addresses, at the overall limit.
 */
export interface LoginLimits {
  /** Failures per account (user name) within the window before it is locked. */
  perAccount: number;
  /** Failures from one address within the window before it is locked. */
  perAddress: number;
  /** Failures across every account and address within the window before logins pause. */
  overall: number;
  windowMs: number;
  /** Keys kept per map (accounts, addresses). */
  maxTracked: number;
}

interface Counter {
  failures: number;
  /** The window's end: the key is forgotten then, and a lock ends. */
  endsAt: number;
}

export interface Lockout {
  kind: 'account' | 'address';
  key: string;
  failures: number;
  lockedUntil: string;
}

export type LoginAttempt =
  | { ok: true; release: (succeeded: boolean) => void }
  | { ok: false; retryAfterMs: number; scope: 'account' | 'address' | 'overall' };

class Counters {
  private readonly map = new Map<string, Counter>();
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxTracked: number,
  ) {}

  get size(): number {
    return this.map.size;
  }

  /** Forgets expired keys from the front (the least recently changed). */
  prune(now: number): void {
    for (const [key, c] of this.map) {
      if (c.endsAt > now) break;
      this.map.delete(key);
    }
  }

  /** Milliseconds until `key` may try again, or 0. */
  lockedFor(key: string, now: number): number {
    const c = this.map.get(key);
    return c && c.endsAt > now && c.failures >= this.limit ? c.endsAt - now : 0;
  }

  add(key: string, now: number): void {
    const c = this.map.get(key);
    const live = c && c.endsAt > now ? c : { failures: 0, endsAt: now + this.windowMs };
    live.failures += 1;
    this.map.delete(key);
    this.map.set(key, live);
    while (this.map.size > this.maxTracked) {
      const oldest = this.map.keys().next();
      if (oldest.done) break;
      this.map.delete(oldest.value);
    }
  }

  giveBack(key: string): void {
    const c = this.map.get(key);
    if (!c) return;
    c.failures -= 1;
    if (c.failures <= 0) this.map.delete(key);
  }

  clear(key: string): void {
    this.map.delete(key);
  }

  locked(now: number): { key: string; failures: number; endsAt: number }[] {
    const out: { key: string; failures: number; endsAt: number }[] = [];
    for (const [key, c] of this.map) if (c.endsAt > now && c.failures >= this.limit) out.push({ key, ...c });
    return out;
  }
}

const OVERALL = '*';

/** The account key: user names compare case-blind and in one Unicode form. */
export const accountKey = (username: string): string => username.normalize('NFC').toLowerCase().slice(0, 128);

export class LoginLimiter {
  private readonly accounts: Counters;
  private readonly addresses: Counters;
  private readonly overall: Counters;

  constructor(readonly limits: LoginLimits) {
    this.accounts = new Counters(limits.perAccount, limits.windowMs, limits.maxTracked);
    this.addresses = new Counters(limits.perAddress, limits.windowMs, limits.maxTracked);
    this.overall = new Counters(limits.overall, limits.windowMs, 1);
  }

  /** Keys held now (accounts + addresses), for tests and metrics. */
  get tracked(): number {
    return this.accounts.size + this.addresses.size;
  }

  /**
   * Counts an attempt before anything is awaited. `release(true)` after a good password gives the
   * attempt back and clears the account's failures; `release(false)` keeps it counted.
   */
  begin(username: string, address: string, now: number): LoginAttempt {
    for (const c of [this.accounts, this.addresses, this.overall]) c.prune(now);
    const account = accountKey(username);
    const checks = [
      ['account', this.accounts.lockedFor(account, now)],
      ['address', this.addresses.lockedFor(address, now)],
      ['overall', this.overall.lockedFor(OVERALL, now)],
    ] as const;
    for (const [scope, ms] of checks) if (ms > 0) return { ok: false, retryAfterMs: ms, scope };
    this.accounts.add(account, now);
    this.addresses.add(address, now);
    this.overall.add(OVERALL, now);
    let released = false;
    return {
      ok: true,
      release: (succeeded) => {
        if (released || !succeeded) return;
        released = true;
        this.accounts.clear(account);
        this.addresses.giveBack(address);
        this.overall.giveBack(OVERALL);
      },
    };
  }

  /** When the account `username` may try again (ISO time), or null when it is not locked. */
  lockedUntil(username: string, now: number): string | null {
    const ms = this.accounts.lockedFor(accountKey(username), now);
    return ms > 0 ? new Date(now + ms).toISOString() : null;
  }

  /** Accounts and addresses locked now, with the end of each lock. */
  lockouts(now: number): Lockout[] {
    const of = (kind: Lockout['kind'], c: Counters) =>
      c.locked(now).map((l) => ({
        kind,
        key: l.key,
        failures: l.failures,
        lockedUntil: new Date(l.endsAt).toISOString(),
      }));
    return [...of('account', this.accounts), ...of('address', this.addresses)];
  }

  /** An admin ends an account's lock. */
  unlock(username: string): void {
    this.accounts.clear(accountKey(username));
  }
}
