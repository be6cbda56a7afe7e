/**
 * The real serial path with a real kernel tty: socat makes a pseudo-terminal pair, the
 * SerialTransport (serialport's native binding) opens one end, the BarcodeScanner decodes, and
 * the test plays the scanner by writing Vietnamese UTF-8 to the other end in odd chunks that cut
 * letters in half. Killing socat is the unplug: the scanner must go 'disconnected' without a
 * crash and without keeping the tty open.
 */
import { closeSync, openSync, readdirSync, readlinkSync, writeSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { profileById, type ScannerProfile, type TransportSettings } from '@kiosk/hardware-profiles';
import { BarcodeScanner, SerialTransport, type ScanMeta } from '@kiosk/device-agent';
import { killPtyPairs, ptyPair } from '../support/pty';
import { until } from '../support/until';

afterEach(killPtyPairs);

const scannerProfile = (id: string): ScannerProfile => {
  const p = profileById(id);
  if (p?.class !== 'scanner') throw new Error(`no scanner profile ${id}`);
  return p;
};
const serialSettingsOf = (p: ScannerProfile): Extract<TransportSettings, { kind: 'serial' }> => {
  const s = p.transports.find((t) => t.kind === 'serial');
  if (s?.kind !== 'serial') throw new Error(`${p.id} has no serial transport`);
  return s;
};

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function writeInOddChunks(path: string, bytes: Uint8Array, sizes = [1, 2, 3, 5, 7, 11]): Promise<void> {
  const fd = openSync(path, 'r+');
  try {
    let offset = 0;
    for (let i = 0; offset < bytes.length; i += 1) {
      const size = sizes[i % sizes.length] ?? 1;
      writeSync(fd, bytes.subarray(offset, offset + size));
      offset += size;
      await delay(2);
    }
  } finally {
    closeSync(fd);
  }
}

function openFdsTo(path: string): number {
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === path) count += 1;
    } catch {
      // fd closed while listing
    }
  }
  return count;
}

const payloads = [
  '079188012345|012345678|Nguyễn Thị Lan|01011990|Nữ|Số 1 Đường Lê Lợi, Phường Bến Thành, Quận 1, TP Hồ Chí Minh|01012021',
  'DN4797912345678|Trần Văn Đức|15/03/1985|1|Thôn Ỷ Lan, Xã Đông Hải, Huyện Quỳnh Phụ, Tỉnh Thái Bình',
  'Phạm Hoàng Yến|ẩm ướt|Ngọc Ánh|Quảng Ngãi',
];

describe('serial scanner over a real pseudo-terminal', () => {
  it('CR-delimited profile: Vietnamese payloads written in odd chunks arrive whole', async () => {
    const pair = await ptyPair();
    const profile = scannerProfile('zebra.ds2208');
    const settings = serialSettingsOf(profile);
    const transport = new SerialTransport({ path: pair.device, settings });
    const scanner = new BarcodeScanner({
      id: 'scanner-pty',
      profile,
      transport,
      transportSettings: settings,
      duplicateWindowMs: 0,
    });
    const scans: [string, ScanMeta][] = [];
    scanner.onScan((p, m) => scans.push([p, m]));
    expect(await scanner.start()).toEqual({ ok: true, value: undefined });

    for (const p of payloads) await writeInOddChunks(pair.host, new TextEncoder().encode(`${p}\r`));
    await until(() => scans.length === payloads.length, { what: 'all scans' });
    expect(scans.map(([p]) => p)).toEqual(payloads);
    expect(scans.every(([, m]) => m.scannerId === 'scanner-pty' && m.invalidUtf8 === undefined)).toBe(true);
    await scanner.stop();
    expect(openFdsTo(pair.device)).toBe(0);
  });

  it('inter-byte-timeout profile: frames end when the line goes quiet, letters split mid-sequence stay whole', async () => {
    const pair = await ptyPair();
    const profile = scannerProfile('generic.usb-cdc-scanner');
    // The profile's 50 ms, widened so a loaded 2-core machine cannot stretch a 2 ms write gap past it.
    const settings = { ...serialSettingsOf(profile), framing: { kind: 'inter-byte-timeout' as const, timeoutMs: 150 } };
    const transport = new SerialTransport({ path: pair.device, settings });
    const scanner = new BarcodeScanner({ id: 'cdc-pty', profile, transport, transportSettings: settings });
    const scans: string[] = [];
    scanner.onScan((p) => scans.push(p));
    expect((await scanner.start()).ok).toBe(true);
    for (const p of payloads) {
      await writeInOddChunks(pair.host, new TextEncoder().encode(p), [3, 1, 4, 1, 5, 9, 2, 6]);
      await delay(400);
    }
    await until(() => scans.length === payloads.length, { what: 'all scans' });
    expect(scans).toEqual(payloads);
    await scanner.stop();
  });

  it('unplug (socat killed) → disconnected state, no crash, no leaked tty handle', async () => {
    const pair = await ptyPair();
    const profile = scannerProfile('zebra.ds2208');
    const settings = serialSettingsOf(profile);
    const transport = new SerialTransport({ path: pair.device, settings });
    const scanner = new BarcodeScanner({ id: 'scanner-unplug', profile, transport, transportSettings: settings });
    const closes: string[] = [];
    transport.onClose((r) => closes.push(r));
    expect((await scanner.start()).ok).toBe(true);
    await writeInOddChunks(pair.host, new TextEncoder().encode('TRƯỚC KHI RÚT\r'));
    await until(() => scanner.counters.scans === 1, { what: 'the scan before unplug' });
    expect(openFdsTo(pair.device)).toBe(1);

    pair.socat.kill('SIGTERM');
    await until(() => scanner.state === 'disconnected', { what: 'disconnected state' });
    expect(scanner.health()).toMatchObject({
      state: 'disconnected',
      reason: 'unplugged',
      counters: { disconnects: 1 },
    });
    expect(closes).toEqual(['disconnected']);
    expect(transport.status).toBe('disconnected');
    await expect(transport.write(new Uint8Array([0x31]))).rejects.toMatchObject({ code: 'disconnected' });
    expect(openFdsTo(pair.device)).toBe(0);
    const again = await scanner.start();
    expect(again.ok).toBe(false);
  });
});
