import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HidDeviceInfo, SerialPortInfo } from './native-modules';
import {
  DeviceDiscovery,
  cachedSerialLister,
  classifyDevice,
  discoverOnce,
  listUsbPrintersFromSysfs,
  parseIeee1284Id,
  type DiscoverySources,
  type ListResult,
  type UsbPrinterInfo,
} from './discovery';

function sources(state: {
  serial: SerialPortInfo[];
  hid: HidDeviceInfo[];
  pcsc: string[];
  pcscDown?: boolean;
  printers?: UsbPrinterInfo[];
}): DiscoverySources {
  return {
    listUsbPrinters: async (): Promise<ListResult<UsbPrinterInfo>> => ({ ok: true, items: state.printers ?? [] }),
    listSerial: async (): Promise<ListResult<SerialPortInfo>> => ({ ok: true, items: state.serial }),
    listHid: async (): Promise<ListResult<HidDeviceInfo>> => ({ ok: true, items: state.hid }),
    listPcsc: async (): Promise<ListResult<string>> =>
      state.pcscDown ? { ok: false, reason: 'PC/SC service unavailable' } : { ok: true, items: state.pcsc },
  };
}

const zebraCdc: SerialPortInfo = {
  path: '/dev/ttyACM0',
  vendorId: '05e0',
  productId: '1701',
  manufacturer: 'Symbol Technologies',
  pnpId: 'usb-Symbol_Technologies_DS2208-if00',
};
const unknownTty: SerialPortInfo = {
  path: '/dev/ttyUSB0',
  vendorId: '1a86',
  productId: '7523',
  pnpId: 'usb-1a86_USB_Serial-if00-port0',
};
const hidPos: HidDeviceInfo = {
  vendorId: 0x0c2e,
  productId: 0x0b87,
  path: '/dev/hidraw2',
  interface: 0,
  usagePage: 0x8c,
  product: 'Voyager 1470g',
};
const keyboard: HidDeviceInfo = {
  vendorId: 0x046d,
  productId: 0xc31c,
  path: '/dev/hidraw0',
  interface: 0,
  usagePage: 0x01,
};
const acr = 'ACS ACR1252 Dual Reader [ACR1252 Dual Reader PICC] 00 00';

describe('discoverOnce', () => {
  it('yields fingerprints for matchProfile from every source and skips foreign HID devices', async () => {
    const snap = await discoverOnce(sources({ serial: [zebraCdc, unknownTty], hid: [hidPos, keyboard], pcsc: [acr] }));
    expect(snap.problems).toEqual([]);
    expect(snap.devices.map((d) => d.key)).toEqual([
      'serial:/dev/ttyACM0',
      'serial:/dev/ttyUSB0',
      'hid:/dev/hidraw2',
      `pcsc:${acr}`,
    ]);
    const zebra = snap.devices[0];
    expect(zebra?.fingerprint).toEqual({
      vendorId: 0x05e0,
      productId: 0x1701,
      manufacturer: 'Symbol Technologies',
      path: '/dev/serial/by-id/usb-Symbol_Technologies_DS2208-if00',
    });
    expect(zebra && classifyDevice(zebra)).toMatchObject({ class: 'scanner', profile: { id: 'zebra.ds2208' } });
    expect(classifyDevice(snap.devices[1]!)).toBeUndefined();
    expect(classifyDevice(snap.devices[2]!)).toMatchObject({
      class: 'scanner',
      profile: { id: 'honeywell.voyager-1470g' },
    });
    expect(classifyDevice(snap.devices[3]!)).toMatchObject({ class: 'card-reader', profile: { id: 'acs.acr1252u' } });
  });

  it('a failing source is a problem, not an exception', async () => {
    const snap = await discoverOnce({
      ...sources({ serial: [], hid: [], pcsc: [], pcscDown: true }),
      listHid: () => Promise.reject(new Error('boom')),
    });
    expect(snap.problems.map((p) => p.source).sort()).toEqual(['hid', 'pcsc']);
  });
});

describe('DeviceDiscovery', () => {
  it('reports attach and detach between polls, and keeps devices of a source that failed this round', async () => {
    const state = { serial: [zebraCdc], hid: [] as HidDeviceInfo[], pcsc: [acr], pcscDown: false };
    const discovery = new DeviceDiscovery({ sources: sources(state) });
    const events: string[] = [];
    discovery.onAttach((d) => events.push(`+${d.key}`));
    discovery.onDetach((d) => events.push(`-${d.key}`));
    await discovery.poll();
    state.hid = [hidPos];
    state.serial = [];
    await discovery.poll();
    state.pcscDown = true;
    await discovery.poll();
    expect(discovery.problems).toHaveLength(1);
    state.pcscDown = false;
    state.pcsc = [];
    await discovery.poll();
    expect(events).toEqual([
      '+serial:/dev/ttyACM0',
      `+pcsc:${acr}`,
      '-serial:/dev/ttyACM0',
      '+hid:/dev/hidraw2',
      `-pcsc:${acr}`,
    ]);
    expect(discovery.devices.map((d) => d.key)).toEqual(['hid:/dev/hidraw2']);
  });

  it('overlapping polls share one listing', async () => {
    let listings = 0;
    const discovery = new DeviceDiscovery({
      sources: {
        ...sources({ serial: [], hid: [], pcsc: [] }),
        listSerial: async () => {
          listings += 1;
          return { ok: true, items: [] };
        },
      },
    });
    await Promise.all([discovery.poll(), discovery.poll(), discovery.poll()]);
    expect(listings).toBe(1);
  });
});

describe('cachedSerialLister', () => {
  it('re-lists only when the tty node set changes or the cache is old; never caches a failure', async () => {
    let calls = 0;
    let fail = false;
    let sig = 'ttyACM0';
    let clock = 0;
    const list = cachedSerialLister(
      async () => {
        calls += 1;
        return fail ? { ok: false, reason: 'udevadm missing' } : { ok: true, items: [] };
      },
      { signature: () => sig, now: () => clock, maxAgeMs: 1000 },
    );
    await list();
    await list();
    expect(calls).toBe(1);
    sig = 'ttyACM0 ttyACM1';
    await list();
    expect(calls).toBe(2);
    clock = 2000;
    await list();
    expect(calls).toBe(3);
    fail = true;
    clock = 4000;
    expect(await list()).toMatchObject({ ok: false });
    fail = false;
    await list();
    expect(calls).toBe(5);
  });
});

describe('USB printers (usblp)', () => {
  const sysfs: Record<string, string> = {
    '/sys/class/usbmisc/lp0/device/../idVendor': '04b8',
    '/sys/class/usbmisc/lp0/device/../idProduct': '0202',
    '/sys/class/usbmisc/lp0/device/../manufacturer': 'EPSON',
    '/sys/class/usbmisc/lp0/device/../product': 'USB Printer',
    '/sys/class/usbmisc/lp0/device/ieee1284_id': 'MFG:EPSON;CMD:ESC/POS;MDL:TM-T88VI;CLS:PRINTER;DES:EPSON TM-T88VI;',
  };
  const list = () =>
    listUsbPrintersFromSysfs(
      (p) => (p === '/dev/usb' ? ['lp0', 'lp1', 'hiddev0'] : []),
      (p) => sysfs[p],
    );

  it('reads ids from sysfs and the model from the IEEE 1284 id', () => {
    expect(list()).toEqual([
      { path: '/dev/usb/lp0', vendorId: 0x04b8, productId: 0x0202, manufacturer: 'EPSON', product: 'TM-T88VI' },
      { path: '/dev/usb/lp1' },
    ]);
    expect(parseIeee1284Id('MANUFACTURER:Rongta;MODEL:RP326;')).toEqual({ manufacturer: 'Rongta', product: 'RP326' });
    expect(parseIeee1284Id(';;garbage')).toEqual({});
  });

  it('classifies an Epson by its 1284 model name and an unknown usblp printer as generic', async () => {
    const snap = await discoverOnce({ ...sources({ serial: [], hid: [], pcsc: [], printers: list() }) });
    expect(snap.devices.map((d) => d.key)).toEqual(['usb-printer:/dev/usb/lp0', 'usb-printer:/dev/usb/lp1']);
    expect(classifyDevice(snap.devices[0]!)).toMatchObject({ class: 'printer', profile: { id: 'epson.tm-t88vi' } });
    expect(classifyDevice(snap.devices[1]!)).toMatchObject({ class: 'printer', score: 0, profile: { generic: true } });
  });
});

describe('discovery fuzz', () => {
  it('random port metadata and 1284 ids never throw and always classify safely', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record(
            {
              path: fc.string(),
              vendorId: fc.string({ maxLength: 6 }),
              productId: fc.string({ maxLength: 6 }),
              manufacturer: fc.string(),
              pnpId: fc.string(),
            },
            { requiredKeys: ['path'] },
          ),
          { maxLength: 5 },
        ),
        fc.string(),
        async (ports, ieee) => {
          parseIeee1284Id(ieee);
          const snap = await discoverOnce({ ...sources({ serial: ports, hid: [], pcsc: [ieee] }) });
          for (const d of snap.devices) classifyDevice(d);
        },
      ),
      { numRuns: 200 },
    );
  });
});
