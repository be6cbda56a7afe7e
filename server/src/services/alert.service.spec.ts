import { describe, expect, it } from 'vitest';
import type { DeviceHealth } from '@kiosk/protocol';
import { deviceConditions } from './alert.service';

const d = (cls: DeviceHealth['class'], state: DeviceHealth['state'], reason?: string): DeviceHealth => ({
  id: `${cls}-1`,
  class: cls,
  profileId: 'p',
  state,
  ...(reason ? { reason } : {}),
  counters: {},
  changedAt: '2026-01-01T00:00:00Z',
});

describe('deviceConditions', () => {
  it('maps printer paper states and faults', () => {
    expect(deviceConditions([d('printer', 'degraded', 'paper-near-end')]).map((c) => c.kind)).toEqual([
      'printer-paper-near-end',
    ]);
    expect(deviceConditions([d('printer', 'error', 'paper-out')]).map((c) => c.kind)).toEqual(['printer-paper-out']);
    expect(deviceConditions([d('printer', 'error', 'cover-open')])).toEqual([
      { kind: 'printer-fault', deviceId: 'printer-1', severity: 'critical', detail: 'cover-open' },
    ]);
  });
  it('maps disconnected readers and scanners, and ignores healthy devices', () => {
    expect(
      deviceConditions([d('card-reader', 'disconnected'), d('scanner', 'disconnected'), d('printer', 'ready')]).map(
        (c) => c.kind,
      ),
    ).toEqual(['reader-disconnected', 'scanner-disconnected']);
    expect(deviceConditions([d('scanner', 'busy')])).toEqual([]);
  });
});
