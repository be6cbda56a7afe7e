import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LoginLimiter } from './login-limiter';

const limits = { perAccount: 3, perAddress: 10, overall: 50, windowMs: 60_000, maxTracked: 100 };

describe('LoginLimiter', () => {
  it('counts an attempt when it begins, so parallel attempts stop at the limit', () => {
    const l = new LoginLimiter(limits);
    const attempts = Array.from({ length: 20 }, () => l.begin('admin', '10.0.0.1', 0));
    expect(attempts.filter((a) => a.ok)).toHaveLength(3);
    const refused = attempts.find((a) => !a.ok);
    expect(refused).toMatchObject({ ok: false, scope: 'account', retryAfterMs: 60_000 });
    expect(l.lockedUntil('ADMIN', 1000)).toBe(new Date(60_000).toISOString());
    expect(l.lockouts(1000)).toEqual([
      { kind: 'account', key: 'admin', failures: 3, lockedUntil: new Date(60_000).toISOString() },
    ]);
  });
  it('a good password gives its attempt back and clears the account', () => {
    const l = new LoginLimiter(limits);
    for (let i = 0; i < 2; i++) l.begin('lan', 'a', 0);
    const ok = l.begin('lan', 'a', 0);
    expect(ok.ok).toBe(true);
    if (ok.ok) ok.release(true);
    expect(l.lockedUntil('lan', 0)).toBeNull();
    expect(l.begin('lan', 'a', 0).ok).toBe(true);
  });
  it('limits one address across many user names, and the whole server across addresses', () => {
    const l = new LoginLimiter(limits);
    const fromOne = Array.from({ length: 30 }, (_, i) => l.begin(`u${i}`, 'a', 0));
    expect(fromOne.filter((a) => a.ok)).toHaveLength(10);
    const fromMany = Array.from({ length: 100 }, (_, i) => l.begin(`v${i}`, `b${i}`, 0));
    expect(fromMany.filter((a) => a.ok)).toHaveLength(40);
    expect(fromMany.at(-1)).toMatchObject({ ok: false, scope: 'overall' });
  });
  it('a lock ends with its window, and expired keys are forgotten', () => {
    const l = new LoginLimiter(limits);
    for (let i = 0; i < 3; i++) l.begin('admin', 'a', 0);
    expect(l.begin('admin', 'a', 59_999).ok).toBe(false);
    expect(l.begin('admin', 'a', 60_000).ok).toBe(true);
    expect(l.tracked).toBe(2);
    l.begin('other', 'b', 200_000);
    expect(l.tracked).toBe(2);
  });
  it('holds at most maxTracked keys per map, whatever arrives', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string(), fc.string(), fc.nat(1_000_000)), { maxLength: 500 }), (tries) => {
        const l = new LoginLimiter({ ...limits, overall: 1_000_000, perAddress: 1_000_000, maxTracked: 20 });
        let now = 0;
        for (const [user, address, step] of tries) l.begin(user, address, (now += step % 1000));
        expect(l.tracked).toBeLessThanOrEqual(40);
      }),
    );
    const l = new LoginLimiter({ ...limits, overall: 1_000_000, perAddress: 1_000_000, maxTracked: 10_000 });
    for (let i = 0; i < 30_000; i++) l.begin(`name-${i}`, '10.0.0.1', i);
    expect(l.tracked).toBeLessThanOrEqual(10_001);
  });
});
