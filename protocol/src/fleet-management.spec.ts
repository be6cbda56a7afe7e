import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kioskRemoteConfigSchema, parseBundleManifest, type BundleManifest } from './fleet-management';

const good: BundleManifest = {
  format: 1,
  version: '1.4.0',
  entry: 'main.mjs',
  healthCheck: 'bin/health-check.mjs',
  sha256: 'a'.repeat(64),
  sizeBytes: 1234,
  createdAt: '2026-12-05T07:00:00.000Z',
};

const manifestArb: fc.Arbitrary<BundleManifest> = fc.record({
  format: fc.constant(1 as const),
  version: fc
    .tuple(fc.nat({ max: 999 }), fc.nat({ max: 999 }), fc.nat({ max: 999 }))
    .map(([a, b, c]) => `${a}.${b}.${c}`),
  entry: fc.stringMatching(/^[a-z]{1,8}(\/[a-z]{1,8}){0,2}\.mjs$/u),
  sha256: fc.stringMatching(/^[0-9a-f]{64}$/u),
  sizeBytes: fc.integer({ min: 1, max: 1_000_000 }),
  createdAt: fc.constant('2026-12-05T07:00:00.000Z'),
});

describe('bundle manifest parser', () => {
  it('reads a well-formed manifest', () => {
    expect(parseBundleManifest(JSON.stringify(good))).toEqual({ ok: true, value: good });
  });

  it('refuses paths that leave the bundle, unknown fields and bad digests', () => {
    for (const entry of ['../main.mjs', '/etc/passwd', 'a/../../b', 'a\\b', './main.mjs', ''])
      expect(parseBundleManifest(JSON.stringify({ ...good, entry })).ok).toBe(false);
    expect(parseBundleManifest(JSON.stringify({ ...good, extra: 1 })).ok).toBe(false);
    expect(parseBundleManifest(JSON.stringify({ ...good, sha256: 'A'.repeat(64) })).ok).toBe(false);
    expect(parseBundleManifest(JSON.stringify({ ...good, version: 'latest' })).ok).toBe(false);
    expect(parseBundleManifest(JSON.stringify({ ...good, format: 2 })).ok).toBe(false);
    const refused = parseBundleManifest('{');
    expect(refused.ok ? undefined : refused.error.code).toBe('bad-manifest');
  });

  it('round-trips every valid manifest', () => {
    fc.assert(
      fc.property(manifestArb, (m) => {
        expect(parseBundleManifest(JSON.stringify(m))).toEqual({ ok: true, value: m });
      }),
    );
  });

  it('never throws on random or truncated input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.anything()), (input) => {
        const r = parseBundleManifest(input);
        expect(typeof r.ok).toBe('boolean');
      }),
    );
    fc.assert(
      fc.property(manifestArb, fc.nat(), (m, cut) => {
        const text = JSON.stringify(m);
        const r = parseBundleManifest(text.slice(0, cut % text.length));
        expect(r.ok).toBe(false);
      }),
    );
  });
});

describe('remote configuration', () => {
  it('accepts a partial revision and refuses unknown settings', () => {
    expect(kioskRemoteConfigSchema.safeParse({ idleTimeoutSec: 90, features: { payments: false } }).success).toBe(true);
    expect(kioskRemoteConfigSchema.safeParse({ screen: 'capture' }).success).toBe(false);
    expect(kioskRemoteConfigSchema.safeParse({ features: { 'screen-share': true } }).success).toBe(false);
  });
});
