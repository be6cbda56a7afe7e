import { profileById, type ScannerProfile } from '@kiosk/hardware-profiles';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SimulatedByteTransport } from '../simulator/simulated-byte.transport';
import { BarcodeScanner, type ScanMeta } from './barcode-scanner.device';

const scannerProfile = (id: string): ScannerProfile => {
  const p = profileById(id);
  if (p?.class !== 'scanner') throw new Error(`no scanner profile ${id}`);
  return p;
};

const cccd = '079188012345|012345678|Nguyễn Thị Lan|01011990|Nữ|Số 1 Đường Lê Lợi, Phường Bến Thành, Quận 1|01012021';

function hidReports(text: string, aim = ']Q1'): Uint8Array[] {
  const bytes = new TextEncoder().encode(text);
  const per = 59;
  const out: Uint8Array[] = [];
  for (let o = 0; o < bytes.length; o += per) {
    const r = new Uint8Array(64);
    const part = bytes.subarray(o, o + per);
    r[0] = part.length;
    r.set(new TextEncoder().encode(aim), 1);
    r.set(part, 4);
    r[63] = o + per < bytes.length ? 1 : 0;
    out.push(r);
  }
  return out;
}

describe('BarcodeScanner', () => {
  let clock = 0;
  beforeEach(() => {
    clock = 0;
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it('serial-line with a CR suffix: Vietnamese in odd chunks arrives whole, duplicates suppressed', async () => {
    const transport = new SimulatedByteTransport('sim-scanner');
    const profile = scannerProfile('zebra.ds2208');
    const scanner = new BarcodeScanner({
      id: 'scanner-1',
      profile,
      transport,
      now: () => clock,
      duplicateWindowMs: 1500,
    });
    const scans: [string, ScanMeta][] = [];
    scanner.onScan((p, m) => scans.push([p, m]));
    expect(await scanner.start()).toEqual({ ok: true, value: undefined });
    expect(scanner.state).toBe('ready');
    const wire = new TextEncoder().encode(`${cccd}\r`);
    for (let o = 0; o < wire.length; o += 7) transport.emitData(wire.subarray(o, o + 7));
    clock = 500;
    transport.emitData(wire);
    clock = 5000;
    transport.emitData(wire);
    expect(scans).toEqual([
      [cccd, { scannerId: 'scanner-1' }],
      [cccd, { scannerId: 'scanner-1' }],
    ]);
    expect(scanner.counters).toMatchObject({ scans: 2, duplicates: 1 });
  });

  it('serial-line without a suffix frames on the inter-byte timeout', async () => {
    const transport = new SimulatedByteTransport('sim');
    const scanner = new BarcodeScanner({ id: 's', profile: scannerProfile('generic.usb-cdc-scanner'), transport });
    const scans: string[] = [];
    scanner.onScan((p) => scans.push(p));
    await scanner.start();
    transport.emitData('8935');
    vi.advanceTimersByTime(10);
    transport.emitData('049500384');
    expect(scans).toEqual([]);
    vi.advanceTimersByTime(100);
    expect(scans).toEqual(['8935049500384']);
  });

  it('HID POS: reassembles reports and reports the symbology', async () => {
    const transport = new SimulatedByteTransport('hid-sim');
    const scanner = new BarcodeScanner({ id: 'hid-1', profile: scannerProfile('honeywell.voyager-1470g'), transport });
    const scans: [string, ScanMeta][] = [];
    scanner.onScan((p, m) => scans.push([p, m]));
    await scanner.start();
    for (const r of hidReports(cccd)) transport.emitData(r);
    expect(scans).toEqual([[cccd, { scannerId: 'hid-1', aimId: ']Q1', symbology: 'qr' }]]);
  });

  it('a profile listing HID and serial uses the decoder of the transport in use', async () => {
    const transport = new SimulatedByteTransport('cdc');
    const profile = scannerProfile('honeywell.voyager-1470g');
    const serial = profile.transports.find((t) => t.kind === 'serial');
    const scanner = new BarcodeScanner({ id: 'h', profile, transport, ...(serial && { transportSettings: serial }) });
    const scans: string[] = [];
    scanner.onScan((p) => scans.push(p));
    await scanner.start();
    transport.emitData('ABC\r');
    expect(scans).toEqual(['ABC']);
  });

  it('unplug → disconnected state and counter, no throw; start() again recovers', async () => {
    const transport = new SimulatedByteTransport('sim');
    const scanner = new BarcodeScanner({ id: 's', profile: scannerProfile('zebra.ds2208'), transport });
    const states: string[] = [];
    scanner.onStateChange((s, r) => states.push(`${s}:${r ?? ''}`));
    await scanner.start();
    transport.unplug();
    expect(scanner.state).toBe('disconnected');
    expect(scanner.health()).toMatchObject({
      state: 'disconnected',
      reason: 'unplugged',
      counters: { disconnects: 1 },
    });
    const again = await scanner.start();
    expect(again).toMatchObject({ ok: false, error: { code: 'disconnected' } });
    transport.replug();
    expect(await scanner.start()).toMatchObject({ ok: true });
    expect(states).toEqual(['ready:', 'disconnected:unplugged', 'ready:']);
  });

  it('the simulated scanner profile frames on CR, as the simulator sends CR LF', async () => {
    const transport = new SimulatedByteTransport('sim');
    const scanner = new BarcodeScanner({ id: 'sim-scanner', profile: scannerProfile('simulated.scanner'), transport });
    const scans: string[] = [];
    scanner.onScan((p) => scans.push(p));
    await scanner.start();
    transport.emitData(`${cccd}\r\n`);
    transport.emitData('8935049500384\r\n');
    expect(scans).toEqual([cccd, '8935049500384']);
    await scanner.close();
    expect(scanner.state).toBe('disconnected');
  });

  it('a throwing listener is counted and does not starve the others', async () => {
    const transport = new SimulatedByteTransport('sim');
    const scanner = new BarcodeScanner({ id: 's', profile: scannerProfile('zebra.ds2208'), transport });
    const scans: string[] = [];
    scanner.onScan(() => {
      throw new Error('listener bug');
    });
    scanner.onScan((p) => scans.push(p));
    await scanner.start();
    transport.emitData('X1\r');
    expect(scans).toEqual(['X1']);
    expect(scanner.counters.listenerErrors).toBe(1);
  });

  it('flags invalid UTF-8 and counts rejected frames', async () => {
    const transport = new SimulatedByteTransport('sim');
    const scanner = new BarcodeScanner({
      id: 's',
      profile: scannerProfile('zebra.ds2208'),
      transport,
      maxPayloadBytes: 16,
    });
    const metas: ScanMeta[] = [];
    scanner.onScan((_, m) => metas.push(m));
    await scanner.start();
    transport.emitData(Uint8Array.of(0x41, 0xff, 0x0d));
    transport.emitData(new TextEncoder().encode(`${'x'.repeat(40)}\r`));
    expect(metas).toEqual([{ scannerId: 's', invalidUtf8: true }]);
    expect(scanner.counters).toMatchObject({ invalidUtf8: 1, rejected: 1 });
  });
});
