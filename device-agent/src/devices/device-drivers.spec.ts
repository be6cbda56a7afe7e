import { catalogue, profileById, type DeviceProfile } from '@kiosk/hardware-profiles';
import { err, ok, type Result } from '@kiosk/protocol';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger';
import { Listeners, type Unsubscribe } from '../transports/transport';
import { DeviceManager } from './device-manager';
import { DriverRegistry, standardDrivers, type DeviceDriver, type ManagedDevice } from './device-drivers';
import { DeviceRegistry } from './device-registry';
import type { DeviceSource, FoundDevice } from './device-source';

const log = createLogger('silent');
const drivers = standardDrivers({
  trustStore: () => ({ anchors: [] }),
  sessionKey: () => undefined,
  scans: new Listeners(),
  cardEvents: new Listeners(),
});

/** One device, present from the start. */
function oneDeviceSource(profile: DeviceProfile): DeviceSource {
  const attached = new Listeners<[FoundDevice]>();
  const device: FoundDevice = {
    key: `test:${profile.id}`,
    class: profile.class,
    profile,
    score: 0,
    transport: 'simulated',
    openPath: profile.id,
  };
  return {
    devices: [device],
    problems: [],
    start: async () => attached.emit(device),
    stop: () => undefined,
    onAttach: (l) => attached.add(l),
    onDetach: (): Unsubscribe => () => undefined,
    onProblems: (): Unsubscribe => () => undefined,
  };
}

const refuse = (): Result<never> => err('unused', 'no link in this spec');

describe('drivers chosen from the profile', () => {
  it('every catalogue profile has a driver for its protocol and class (keyboard wedges are read by the page)', () => {
    for (const profile of catalogue) {
      const driver = drivers.forProfile(profile);
      if (profile.protocol === 'keyboard-wedge') expect(driver.ok).toBe(false);
      else expect(driver.ok ? driver.value.class : driver.error.message, profile.id).toBe(profile.class);
    }
  });

  it('one driver per protocol; a driver never takes a profile of another class', () => {
    const other: DeviceDriver = { name: 'other', class: 'printer', protocols: ['escpos'], create: refuse };
    expect(() => new DriverRegistry([other, { ...other, name: 'another' }])).toThrow(/already has the driver other/u);
    const misfiled = new DriverRegistry([{ ...other, class: 'scanner' }]);
    const printer = profileById('simulated.printer-80');
    if (!printer) throw new Error('no simulated printer profile');
    expect(misfiled.forProfile(printer)).toMatchObject({ ok: false, error: { code: 'no-driver' } });
  });

  it('a new kind of device is a driver in the registry: the manager runs its life cycle unchanged', async () => {
    const profile = profileById('simulated.printer-80');
    if (!profile) throw new Error('no simulated printer profile');
    const started: string[] = [];
    const closed: string[] = [];
    class LabelPrinter {
      constructor(readonly id: string) {}
    }
    const labelDriver: DeviceDriver = {
      name: 'label-printer',
      class: 'printer',
      protocols: ['escpos'],
      create: ({ found, registry }) => {
        const device = new LabelPrinter(found.key);
        const managed: ManagedDevice = {
          id: found.key,
          device,
          start: async () => {
            started.push(found.key);
            registry.update({ id: found.key, class: 'printer', profileId: found.profile.id, state: 'ready' });
            return { ok: true };
          },
          close: async () => void closed.push(found.key),
        };
        return ok(managed);
      },
    };
    const registry = new DeviceRegistry();
    const manager = new DeviceManager({
      source: oneDeviceSource(profile),
      opener: { byte: refuse, apdu: refuse },
      registry,
      log,
      trustStore: () => ({ anchors: [] }),
      sessionKey: () => undefined,
      drivers: () => new DriverRegistry([labelDriver]),
    });
    await manager.start();
    expect(started).toEqual(['test:simulated.printer-80']);
    expect(manager.devicesOf(LabelPrinter).map((d) => d.id)).toEqual(['test:simulated.printer-80']);
    expect(registry.get('test:simulated.printer-80')?.state).toBe('ready');
    await manager.stop();
    expect(closed).toEqual(['test:simulated.printer-80']);
  });

  it('a profile whose protocol no driver speaks is an error with the reason, not a crash', async () => {
    const profile = profileById('simulated.scanner');
    if (!profile) throw new Error('no simulated scanner profile');
    const registry = new DeviceRegistry();
    const manager = new DeviceManager({
      source: oneDeviceSource(profile),
      opener: { byte: refuse, apdu: refuse },
      registry,
      log,
      trustStore: () => ({ anchors: [] }),
      sessionKey: () => undefined,
      drivers: () => new DriverRegistry([]),
    });
    await manager.start();
    expect(registry.get('test:simulated.scanner')).toMatchObject({ state: 'error', reason: 'no-driver' });
    expect(registry.get('test:simulated.scanner')?.lastError).toContain('serial-line');
    await manager.stop();
  });
});
