/**
 * HID POS scanning from discovery to scans, with every agent part real: DeviceDiscovery, profile
 * matching, HidTransport, the HID POS assembler and BarcodeScanner. The one double sits at the
 * node-hid boundary (list + open + a device handle emitting 'data'/'error' like node-hid's
 * HIDAsync) because no USB HID device can exist on a build machine or in CI: there is no USB
 * bus, and uhid (virtual HID from user space) needs a kernel module and /dev/uhid that containers
 * do not have. Reports follow hardware.md §3: [length][AIM id ×3][data…][… more-data flag].
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
// The package entry does not re-export transports and scanners yet: import their barrels.
import {
  DeviceDiscovery,
  HidTransport,
  classifyDevice,
  type DiscoveredDevice,
  type HidDeviceHandle,
  type HidDeviceInfo,
  type HidModule,
} from '@kiosk/device-agent';
import { BarcodeScanner, type ScanMeta } from '@kiosk/device-agent';
import { until } from '../support/until';

class FakeHidScanner extends EventEmitter implements HidDeviceHandle {
  closed = 0;
  async write(values: number[] | Buffer) {
    return values.length;
  }
  async sendFeatureReport(data: number[] | Buffer) {
    return data.length;
  }
  async close() {
    this.closed += 1;
  }
  /** The scanner reads a code: HID POS reports of 64 bytes, continued with the more-data flag. */
  scan(text: string, aim = ']Q1') {
    const bytes = new TextEncoder().encode(text);
    const per = 59;
    for (let o = 0; o === 0 || o < bytes.length; o += per) {
      const r = Buffer.alloc(64);
      const part = bytes.subarray(o, o + per);
      r[0] = part.length;
      r.write(aim, 1, 'latin1');
      r.set(part, 4);
      r[63] = o + per < bytes.length ? 1 : 0;
      this.emit('data', r);
    }
  }
  unplug() {
    this.emit('error', new Error('could not read from HID device'));
  }
}

function usbBus() {
  const plugged = new Map<string, HidDeviceInfo>();
  const handles = new Map<string, FakeHidScanner>();
  const module: HidModule = {
    devicesAsync: async () => [...plugged.values()],
    HIDAsync: {
      open: async (path) => {
        if (!plugged.has(path)) throw new Error('cannot open device with path ' + path);
        const h = new FakeHidScanner();
        handles.set(path, h);
        return h;
      },
    },
  };
  return { plugged, handles, module, load: async () => ({ ok: true as const, module }) };
}

const voyager: HidDeviceInfo = {
  vendorId: 0x0c2e,
  productId: 0x0b87,
  manufacturer: 'Honeywell Imaging & Mobility',
  product: '1470g',
  path: '/dev/hidraw4',
  interface: 0,
  usagePage: 0x8c,
  usage: 0x02,
};
const keyboard: HidDeviceInfo = {
  vendorId: 0x046d,
  productId: 0xc31c,
  path: '/dev/hidraw0',
  interface: 0,
  usagePage: 0x01,
  usage: 0x06,
};

const cccd =
  '079188012345|012345678|Nguyễn Thị Lan|01011990|Nữ|Số 1 Đường Lê Lợi, Phường Bến Thành, Quận 1, TP Hồ Chí Minh|01012021';

describe('HID POS scanner: discovery → profile → HID transport → scans', () => {
  it('finds the scanner, matches its profile, reads a multi-report Vietnamese QR, survives an unplug', async () => {
    const bus = usbBus();
    bus.plugged.set(keyboard.path ?? '', keyboard);
    const discovery = new DeviceDiscovery({
      sources: {
        listSerial: async () => ({ ok: true, items: [] }),
        listUsbPrinters: async () => ({ ok: true, items: [] }),
        listPcsc: async () => ({ ok: true, items: [] }),
        listHid: async () => ({ ok: true, items: await bus.module.devicesAsync() }),
      },
    });
    const attached: DiscoveredDevice[] = [];
    const detached: DiscoveredDevice[] = [];
    discovery.onAttach((d) => attached.push(d));
    discovery.onDetach((d) => detached.push(d));
    await discovery.poll();
    expect(attached).toEqual([]); // the keyboard is not ours

    bus.plugged.set(voyager.path ?? '', voyager);
    await discovery.poll();
    expect(attached.map((d) => d.key)).toEqual(['hid:/dev/hidraw4']);
    const found = attached[0]!;
    const classified = classifyDevice(found);
    expect(classified).toMatchObject({
      class: 'scanner',
      profile: { id: 'honeywell.voyager-1470g', protocol: 'hid-pos' },
    });
    if (classified?.profile.class !== 'scanner') throw new Error('not a scanner');

    const hidSettings = classified.profile.transports.find((t) => t.kind === 'hid');
    const transport = new HidTransport({ path: found.openPath, loadHid: bus.load });
    const scanner = new BarcodeScanner({
      id: 'kiosk-scanner',
      profile: classified.profile,
      transport,
      ...(hidSettings && { transportSettings: hidSettings }),
    });
    const scans: [string, ScanMeta][] = [];
    scanner.onScan((p, m) => scans.push([p, m]));
    expect((await scanner.start()).ok).toBe(true);

    const device = bus.handles.get('/dev/hidraw4')!;
    device.scan(cccd);
    device.scan(cccd); // held under a presentation scanner: suppressed
    device.scan('8935049500384', ']E0');
    expect(scans).toEqual([
      [cccd, { scannerId: 'kiosk-scanner', aimId: ']Q1', symbology: 'qr' }],
      ['8935049500384', { scannerId: 'kiosk-scanner', aimId: ']E0', symbology: 'ean-upc' }],
    ]);
    expect(scanner.counters).toMatchObject({ scans: 2, duplicates: 1, rejected: 0 });

    bus.plugged.delete('/dev/hidraw4');
    device.unplug();
    await until(() => scanner.state === 'disconnected', { what: 'the scanner to see the unplug' });
    expect(device.closed).toBe(1);
    await discovery.poll();
    expect(detached.map((d) => d.key)).toEqual(['hid:/dev/hidraw4']);

    // Plugged back: a new handle, scanning again.
    bus.plugged.set(voyager.path ?? '', voyager);
    expect((await scanner.start()).ok).toBe(true);
    bus.handles.get('/dev/hidraw4')?.scan('SAU KHI CẮM LẠI');
    expect(scans.at(-1)?.[0]).toBe('SAU KHI CẮM LẠI');
    await scanner.stop();
  });
});
