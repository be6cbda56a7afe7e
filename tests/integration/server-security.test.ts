/**
 * Security findings, each reproduced against a running server: parallel login guesses, user names
 * told apart by timing, an unbounded failed-login map; cross-origin writes and socket handshakes;
 * security headers; names entered at the counter kept with invisible characters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, login, startServer, type RunningServer } from '../support/server-harness';

const loginOnce = async (url: string, username: string, password: string, headers: Record<string, string> = {}) => {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ username, password }),
  });
  const body = (await res.json()) as { ok: boolean; error?: { code: string } };
  return { status: res.status, code: body.error?.code, retryAfter: res.headers.get('retry-after') };
};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};

describe('login', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => server.stop());

  it('refuses 200 parallel wrong passwords for one account after the limit (429), not 200 × 401', async () => {
    const results = await Promise.all(
      Array.from({ length: 200 }, () => loginOnce(server.url, 'phongkham', 'wrong-password')),
    );
    const unauthorized = results.filter((r) => r.status === 401).length;
    const limited = results.filter((r) => r.status === 429);
    expect(unauthorized).toBeLessThanOrEqual(5);
    expect(limited.length).toBe(200 - unauthorized);
    expect(limited[0]).toMatchObject({ code: 'rate-limited' });
    expect(Number(limited[0]?.retryAfter)).toBeGreaterThan(0);
    // The right password is refused too while the account is locked.
    expect((await loginOnce(server.url, 'phongkham', 'phongkham-demo')).status).toBe(429);
  });

  it('shows the lock and its end to admins, who can end it', async () => {
    const admin = await login(server.url, 'admin', 'admin-demo');
    const users = await api<{ id: string; username: string; lockedUntil: string | null }[]>(
      server.url,
      admin,
      'GET',
      '/api/admin/users',
    );
    const locked = users.body.value?.find((u) => u.username === 'phongkham');
    expect(Date.parse(locked?.lockedUntil ?? '')).toBeGreaterThan(Date.now());
    expect(users.body.value?.find((u) => u.username === 'admin')?.lockedUntil).toBeNull();
    const lockouts = await api<{ kind: string; key: string; lockedUntil: string }[]>(
      server.url,
      admin,
      'GET',
      '/api/admin/login-lockouts',
    );
    expect(lockouts.body.value).toContainEqual(expect.objectContaining({ kind: 'account', key: 'phongkham' }));
    const unlocked = await api(server.url, admin, 'POST', `/api/admin/users/${locked?.id}/unlock`);
    expect(unlocked.status).toBe(200);
    expect((await loginOnce(server.url, 'phongkham', 'phongkham-demo')).status).toBe(200);
  });
});

describe('login timing and memory', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({
      LOGIN_MAX_FAILURES_PER_ACCOUNT: '1000',
      LOGIN_MAX_FAILURES_PER_ADDRESS: '100000',
      LOGIN_MAX_FAILURES_OVERALL: '100000',
      LOGIN_TRACKED_KEYS: '50',
    });
  });
  afterAll(async () => server.stop());

  it('answers an unknown user name as slowly as a known one (medians within noise)', async () => {
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 25; i++) {
      for (const [name, into] of [
        ['admin', known],
        [`nobody-${i}`, unknown],
      ] as const) {
        const started = performance.now();
        expect((await loginOnce(server.url, name, 'not-the-password')).status).toBe(401);
        into.push(performance.now() - started);
      }
    }
    const ratio = median(unknown) / median(known);
    // Before: 1.3 ms against 12.5 ms (ratio 0.1). One argon2 verification each now.
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });

  it('keeps a bounded number of failed-login counters, whatever names arrive', async () => {
    for (let batch = 0; batch < 10; batch++)
      await Promise.all(Array.from({ length: 20 }, (_, i) => loginOnce(server.url, `flood-${batch}-${i}`, 'x')));
    // 200 names, one address: 50 account counters (the bound) and the address's.
    expect(server.app.services.auth.loginLimiter.tracked).toBeLessThanOrEqual(51);
  });
});
