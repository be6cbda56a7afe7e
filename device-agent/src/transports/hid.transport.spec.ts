import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { until } from '@kiosk/protocol';
import { HidTransport } from './hid.transport';
import type { HidDeviceHandle, HidDeviceInfo, HidModule } from './native-modules';

/** A double at the node-hid boundary: no USB HID device exists on a build machine. */
class FakeHidDevice extends EventEmitter implements HidDeviceHandle {
  readonly written: Buffer[] = [];
  readonly features: number[][] = [];
  closeCount = 0;
  failWrites = false;
  async write(values: number[] | Buffer) {
    if (this.failWrites) throw new Error('Cannot write to hid device');
    this.written.push(Buffer.from(values));
    return values.length;
  }
  async sendFeatureReport(data: number[] | Buffer) {
    this.features.push([...data]);
    return data.length;
  }
  async close() {
    this.closeCount += 1;
  }
}

function fakeHid(devices: HidDeviceInfo[]) {
  const opened: FakeHidDevice[] = [];
  const module: HidModule = {
    devicesAsync: async () => devices,
    HIDAsync: {
      open: async (path) => {
        if (!devices.some((d) => d.path === path)) throw new Error('could not open device');
        const d = new FakeHidDevice();
        opened.push(d);
        return d;
      },
    },
  };
  return { opened, load: async () => ({ ok: true as const, module }) };
}

const scanner: HidDeviceInfo = {
  vendorId: 0x0c2e,
  productId: 0x0b87,
  path: '/dev/hidraw3',
  interface: 0,
  usagePage: 0x8c,
};

describe('HidTransport', () => {
  it('delivers each input report as one chunk and sends the enable feature report on open', async () => {
    const f = fakeHid([scanner]);
    const t = new HidTransport({ path: '/dev/hidraw3', enableFeatureReport: [0x04, 0x01], loadHid: f.load });
    const chunks: number[][] = [];
    t.onData((c) => chunks.push([...c]));
    await t.open();
    const device = f.opened[0];
    expect(device?.features).toEqual([[0x04, 0x01]]);
    device?.emit('data', Buffer.from([1, 2, 3]));
    device?.emit('data', Buffer.from([4]));
    expect(chunks).toEqual([[1, 2, 3], [4]]);
    await t.write(Uint8Array.of(0, 9));
    expect(device?.written[0]?.toJSON().data).toEqual([0, 9]);
    await t.close();
    expect(device?.closeCount).toBe(1);
    device?.emit('data', Buffer.from([5]));
    expect(chunks).toHaveLength(2);
  });

  it('an unplug (read-thread error) becomes disconnected: one onClose, handle closed once, writes rejected', async () => {
    const f = fakeHid([scanner]);
    const t = new HidTransport({ path: '/dev/hidraw3', loadHid: f.load });
    const reasons: string[] = [];
    t.onClose((r) => reasons.push(r));
    await t.open();
    const device = f.opened[0];
    device?.emit('error', new Error('could not read from HID device'));
    device?.emit('error', new Error('could not read from HID device'));
    await until(() => reasons.length > 0, { what: 'onClose' });
    expect(reasons).toEqual(['disconnected']);
    expect(t.status).toBe('disconnected');
    expect(device?.closeCount).toBe(1);
    await expect(t.write(Uint8Array.of(0))).rejects.toMatchObject({ code: 'disconnected' });
  });

  it('opening a device that is gone is disconnected; a missing binding is unavailable', async () => {
    const t = new HidTransport({ path: '/dev/hidraw9', loadHid: fakeHid([scanner]).load });
    await expect(t.open()).rejects.toMatchObject({ code: 'disconnected' });
    const u = new HidTransport({
      path: '/dev/hidraw3',
      loadHid: async () => ({ ok: false, reason: 'no prebuild for linux-riscv64' }),
    });
    await expect(u.open()).rejects.toMatchObject({ code: 'unavailable' });
    expect(u.status).toBe('unavailable');
    expect(u.statusReason).toContain('riscv64');
  });
});
