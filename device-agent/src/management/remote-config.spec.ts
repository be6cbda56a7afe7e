import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RemoteFeature } from '@kiosk/protocol';
import { applyRemoteConfig } from './remote-config';
import { DeviceErrorLog, scrub } from './diagnostics';

const target = (devicesMode: 'simulated' | 'hardware' = 'simulated') => {
  const seen: { idleMs?: number; languages?: string[]; features?: Partial<Record<RemoteFeature, boolean>> } = {};
  return {
    seen,
    devicesMode,
    setIdleMs: (ms: number) => (seen.idleMs = ms),
    setLanguages: (l: string[]) => (seen.languages = l),
    setFeatures: (f: Partial<Record<RemoteFeature, boolean>>) => (seen.features = f),
  };
};

describe('applying a configuration revision', () => {
  it('applies what it can and refuses the rest with a code, keeping only what it applied', () => {
    const t = target();
    const { report, kept } = applyRemoteConfig(
      {
        revision: 3,
        config: {
          idleTimeoutSec: 60,
          languages: ['vi', 'de'],
          printer: { profileId: 'simulated.printer-58' },
          features: { payments: false },
        },
      },
      t,
    );
    expect(t.seen).toEqual({ idleMs: 60_000, features: { payments: false } });
    expect(report.revision).toBe(3);
    expect(report.refused.map((r) => r.code)).toEqual(['unsupported-language', 'unknown-printer-profile']);
    expect(report.applied).toEqual(['idleTimeoutSec', 'features']);
    expect(kept.languages).toBeUndefined();
  });

  it('refuses a printer profile on a kiosk whose printer is discovered, and turning Vietnamese off', () => {
    const { report } = applyRemoteConfig(
      { revision: 1, config: { languages: ['en'], printer: { profileId: 'simulated.printer-80' } } },
      target('hardware'),
    );
    expect(report.applied).toEqual([]);
    expect(report.refused.map((r) => `${r.key}:${r.code}`)).toEqual([
      'languages:vietnamese-required',
      'printer.profileId:printer-discovered',
    ]);
  });
});

describe('diagnostics text', () => {
  it('masks digit runs that could be an ID or insurance number', () => {
    expect(scrub('reader failed on 079188012345 at 12:00')).toBe('reader failed on 0791****2345 at 12:00');
    fc.assert(
      fc.property(fc.stringMatching(/^\d{12}$/u), fc.string(), (id, text) => {
        expect(scrub(`${text} ${id} ${text}`, 10_000)).not.toContain(id);
      }),
    );
  });

  it('keeps each device fault once, as it began, newest last and bounded', () => {
    const log = new DeviceErrorLog(2);
    const printer = (state: 'ready' | 'error', reason?: string) => ({
      id: 'sim-printer',
      class: 'printer' as const,
      profileId: 'p',
      state,
      ...(reason ? { reason } : {}),
      counters: {},
      changedAt: '2026-12-05T08:00:00.000Z',
    });
    log.observe([printer('error', 'paper-out')]);
    log.observe([printer('error', 'paper-out')]);
    log.observe([printer('ready')]);
    log.observe([printer('error', 'cover-open')]);
    log.observe([printer('error', 'offline')]);
    expect(log.list().map((e) => e.reason)).toEqual(['cover-open', 'offline']);
  });
});
