/**
 * Scanner and reader path figures on this machine. Run: npx tsx tests/bench/scan-pipeline.bench.ts
 * 1. HID POS assembly and serial framing throughput (pure code).
 * 2. Scan latency through a real pty (socat) → SerialTransport → BarcodeScanner.
 * 3. One discovery listing with the real bindings (what each 1 s hot-plug poll costs).
 * 4. APDU round trip through a real pcscd + vpcd virtual card (skipped with the reason when pcscd cannot start).
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import { profileById } from '@kiosk/hardware-profiles';
// The package entry does not re-export transports and scanners yet: import their barrels.
import { PcscTransport, SerialTransport, VpcdCard, discoverOnce, listPcscReaders } from '@kiosk/device-agent';
import { BarcodeScanner, DelimiterFramer, HidPosAssembler } from '@kiosk/device-agent';
import { ptyPair } from '../support/pty';
import { until } from '../support/until';

const cccd =
  '079188012345|012345678|Nguyễn Thị Lan|01011990|Nữ|Số 1 Đường Lê Lợi, Phường Bến Thành, Quận 1, TP Hồ Chí Minh|01012021';
const cccdBytes = new TextEncoder().encode(cccd);
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quantile = (values: number[], q: number) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
};
const fmt = (ms: number) => `${ms.toFixed(3)} ms`;

function hidReports(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o < bytes.length; o += 59) {
    const r = new Uint8Array(64);
    const part = bytes.subarray(o, o + 59);
    r[0] = part.length;
    r.set([0x5d, 0x51, 0x31], 1);
    r.set(part, 4);
    r[63] = o + 59 < bytes.length ? 1 : 0;
    out.push(r);
  }
  return out;
}

function benchPure(): void {
  const reports = hidReports(cccdBytes);
  const a = new HidPosAssembler();
  const scans = 100_000;
  let produced = 0;
  let t = performance.now();
  for (let i = 0; i < scans; i += 1) for (const r of reports) produced += a.push(r, i).length;
  let elapsed = performance.now() - t;
  console.log(
    `HID POS assembly: ${scans} CCCD QR scans (${reports.length} reports each) in ${fmt(elapsed)} → ${Math.round((scans / elapsed) * 1000)} scans/s (${produced} payloads)`,
  );

  const wire = new TextEncoder().encode(`${cccd}\r`.repeat(2000));
  let frames = 0;
  const f = new DelimiterFramer([0x0d], () => (frames += 1));
  t = performance.now();
  for (let round = 0; round < 10; round += 1) for (let o = 0; o < wire.length; o += 7) f.push(wire.subarray(o, o + 7));
  elapsed = performance.now() - t;
  const mb = (wire.length * 10) / 1e6;
  console.log(
    `Delimiter framing, 7-byte chunks: ${mb.toFixed(1)} MB in ${fmt(elapsed)} → ${(mb / (elapsed / 1000)).toFixed(1)} MB/s (${frames} frames)`,
  );
}

async function benchPty(): Promise<void> {
  const { socat, device, host } = await ptyPair();
  try {
    const profile = profileById('zebra.ds2208');
    if (profile?.class !== 'scanner') throw new Error('setup');
    const settings = profile.transports.find((t) => t.kind === 'serial');
    const transport = new SerialTransport({
      path: device,
      settings:
        settings?.kind === 'serial'
          ? settings
          : { kind: 'serial', baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1, flowControl: 'none' },
    });
    const scanner = new BarcodeScanner({
      id: 'bench',
      profile,
      transport,
      duplicateWindowMs: 0,
      ...(settings && { transportSettings: settings }),
    });
    let resolveScan: (() => void) | undefined;
    scanner.onScan(() => resolveScan?.());
    await scanner.start();
    const fd = openSync(host, 'r+');
    const frame = new TextEncoder().encode(`${cccd}\r`);
    const samples: number[] = [];
    for (let i = 0; i < 200; i += 1) {
      const got = new Promise<void>((r) => (resolveScan = r));
      const t = performance.now();
      writeSync(fd, frame);
      await got;
      samples.push(performance.now() - t);
      await delay(2);
    }
    closeSync(fd);
    await scanner.stop();
    console.log(
      `pty → SerialTransport → BarcodeScanner, CCCD QR (${frame.length} B): median ${fmt(quantile(samples, 0.5))}, p95 ${fmt(quantile(samples, 0.95))}, max ${fmt(Math.max(...samples))} over ${samples.length}`,
    );
  } finally {
    socat.kill('SIGTERM');
  }
}

async function benchDiscovery(): Promise<void> {
  const first = performance.now();
  await discoverOnce();
  const cold = performance.now() - first;
  const samples: number[] = [];
  for (let i = 0; i < 20; i += 1) {
    const t = performance.now();
    await discoverOnce();
    samples.push(performance.now() - t);
  }
  console.log(
    `discoverOnce (serial + HID + PC/SC, real bindings): first ${fmt(cold)} (loads bindings), then median ${fmt(quantile(samples, 0.5))}, max ${fmt(Math.max(...samples))}`,
  );
}

async function benchPcsc(): Promise<void> {
  if (!existsSync('/usr/sbin/pcscd') || existsSync('/run/pcscd/pcscd.pid')) {
    console.log('PC/SC round trip: skipped (pcscd missing, or another pcscd is running and owns the vpcd port)');
    return;
  }
  const daemon = spawn('/usr/sbin/pcscd', ['-f', '-e'], { stdio: 'ignore' });
  const card = new VpcdCard({
    atr: Uint8Array.of(0x3b, 0x80, 0x80, 0x01, 0x01),
    onApdu: () => Uint8Array.of(0x90, 0x00),
  });
  try {
    const reader = 'Virtual PCD 00 00';
    await until(
      async () => {
        const l = await listPcscReaders();
        return l.ok && l.readers.includes(reader);
      },
      { what: reader, intervalMs: 100 },
    );
    const transport = new PcscTransport({ readerName: reader });
    await transport.open();
    await card.insert();
    await until(() => transport.cardPresent, { what: 'the card in the reader' });
    const select = Uint8Array.of(0x00, 0xa4, 0x04, 0x0c, 0x07, 0xa0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01);
    const samples: number[] = [];
    for (let i = 0; i < 300; i += 1) {
      const t = performance.now();
      await transport.transmit(select);
      samples.push(performance.now() - t);
    }
    console.log(
      `PC/SC transmit via pcscd + vpcd (SHARED): median ${fmt(quantile(samples, 0.5))}, p95 ${fmt(quantile(samples, 0.95))} over ${samples.length}; 90 APDUs (a DG2 face) ≈ ${fmt(quantile(samples, 0.5) * 90)} of host-side overhead`,
    );
    await transport.close();
  } catch (error) {
    console.log(`PC/SC round trip: failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await card.remove();
    daemon.kill('SIGTERM');
  }
}

benchPure();
await benchPty();
await benchDiscovery();
await benchPcsc();
process.exit(0);
