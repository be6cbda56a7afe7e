import { afterEach, describe, expect, it, vi } from 'vitest';
import { until } from '@kiosk/protocol';
import { SimulatedByteTransport } from '../simulator/simulated-byte.transport';
import { attachSimulatedPrinter, realtimeStatusByte } from '../simulator/simulated-printer';
import { EscPosPrinterDriver, type PrintJobEvent } from './escpos-printer.driver';
import { StatusDemux } from './printer-status';
import { decodeEscPos } from './escpos.decoder';
import { encodeTicket } from './escpos.encoder';
import type { PrinterStatus } from './printer-status';
import { asciiTicket, simulatedPrinterProfile, vietnameseTicket } from './test-fixtures';
import { CPU_BOUND_SPEC_TIMEOUT_MS } from '../spec-helpers/timeouts';

vi.setConfig({ testTimeout: CPU_BOUND_SPEC_TIMEOUT_MS });

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function setup(options: ConstructorParameters<typeof EscPosPrinterDriver>[2] = {}, baudRate = 0) {
  const profile = simulatedPrinterProfile();
  const transport = new SimulatedByteTransport('sim-printer', { baudRate });
  const printer = attachSimulatedPrinter(transport, profile);
  const driver = new EscPosPrinterDriver(transport, profile, { pollIntervalMs: 200, ...options });
  cleanups.push(
    () => driver.dispose(),
    () => printer.detach(),
  );
  await driver.start();
  return { transport, printer, driver };
}

describe('simulated printer status bytes', () => {
  it('always match 0xx1xx10 and carry the fault bits of hardware.md', () => {
    for (const fault of ['none', 'paper-near-end', 'paper-out', 'cover-open', 'offline', 'cutter-error'] as const) {
      for (const n of [1, 2, 3, 4]) expect(realtimeStatusByte(n, fault) & 0x93).toBe(0x12);
    }
    expect(realtimeStatusByte(1, 'none')).toBe(0x12);
    expect(realtimeStatusByte(1, 'paper-out')).toBe(0x1a);
    expect(realtimeStatusByte(2, 'cover-open')).toBe(0x16);
    expect(realtimeStatusByte(2, 'paper-out')).toBe(0x32);
    expect(realtimeStatusByte(3, 'cutter-error')).toBe(0x1a);
    expect(realtimeStatusByte(4, 'paper-near-end')).toBe(0x1e);
    expect(realtimeStatusByte(4, 'paper-out')).toBe(0x7e);
  });

  it('are demultiplexed from ASB frames and XON/XOFF', () => {
    const seen: string[] = [];
    const demux = new StatusDemux({
      realtime: (b) => seen.push(`rt:${b.toString(16)}`),
      asb: (f) => seen.push(`asb:${f.map((b) => b.toString(16)).join(',')}`),
      flow: (x) => seen.push(x ? 'xoff' : 'xon'),
    });
    demux.push(Uint8Array.of(0x16, 0x18, 0x13, 0x00, 0x11, 0x0c, 0x00, 0x12));
    expect(seen).toEqual(['rt:16', 'xoff', 'xon', 'asb:18,0,c,0', 'rt:12']);
  });
});

describe('EscPosPrinterDriver on the simulated printer', () => {
  it('prints a ticket: queued → sending → sent → confirmed, and the printer got it', async () => {
    const { driver, printer } = await setup();
    const states: PrintJobEvent['state'][] = [];
    driver.onJob((e) => states.push(e.state));
    const result = await driver.print(asciiTicket);
    expect(result).toMatchObject({ state: 'confirmed', verified: true });
    expect(states).toEqual(['queued', 'sending', 'sent', 'confirmed']);
    expect(printer.jobs).toHaveLength(1);
    expect(printer.jobs[0]!.qrPayloads).toEqual(['TK:Q7K2M9']);
    expect(printer.jobs[0]!.cuts).toEqual(['full']);
  });

  it.each([
    ['paper-out', 'paper-out'],
    ['cover-open', 'cover-open'],
    ['offline', 'offline'],
    ['cutter-error', 'cutter-error'],
  ] as const)('fails with %s when the printer is in that fault', async (fault, reason) => {
    const { driver, printer } = await setup();
    printer.setFault(fault);
    const result = await driver.print(asciiTicket);
    expect(result).toMatchObject({ state: 'failed', reason });
    expect(printer.jobs).toHaveLength(0);
  });

  it('prints with paper near end, and reports it', async () => {
    const { driver, printer } = await setup();
    printer.setFault('paper-near-end');
    expect(await driver.print(asciiTicket)).toMatchObject({ state: 'confirmed' });
    expect(driver.status?.conditions).toEqual(['paper-near-end']);
  });

  it('fails with paper-out when the paper runs out mid-job', async () => {
    const { driver, printer } = await setup({}, 38_400);
    printer.setFault('paper-out', { afterBytes: 150 });
    const result = await driver.print(asciiTicket);
    expect(result).toMatchObject({ state: 'failed', reason: 'paper-out' });
    // The part after the fault never came out: no complete ticket with its QR.
    const printed = [...printer.jobs, printer.current];
    expect(printed.some((j) => j.qrPayloads.length > 0 && !('interruptedBy' in j))).toBe(false);
  });

  it('fails with timeout when the printer does not answer status queries', async () => {
    const { driver, printer } = await setup();
    printer.setResponsive(false);
    expect(await driver.print(asciiTicket)).toMatchObject({ state: 'failed', reason: 'timeout' });
  });

  it('fails with disconnected when the link is gone', async () => {
    const { driver, transport } = await setup();
    transport.unplug();
    expect(await driver.print(asciiTicket)).toMatchObject({ state: 'failed', reason: 'disconnected' });
    transport.replug();
    expect(await driver.print(asciiTicket)).toMatchObject({ state: 'confirmed' });
  });

  it('fails with disconnected when unplugged mid-job', async () => {
    const { driver, transport } = await setup({ chunkBytes: 64 }, 38_400);
    // Pulled right after the first piece of the ticket went out.
    let sending = false;
    driver.onJob((e) => (sending ||= e.state === 'sending'));
    transport.onHostWrite(() => {
      if (sending) transport.unplug();
    });
    expect(await driver.print(asciiTicket)).toMatchObject({ state: 'failed', reason: 'disconnected' });
  });

  it('finds status changes by polling within two polls (no ASB)', async () => {
    const profile = simulatedPrinterProfile({ automaticStatusBack: false });
    const transport = new SimulatedByteTransport('sim');
    const printer = attachSimulatedPrinter(transport, profile);
    const driver = new EscPosPrinterDriver(transport, profile, { pollIntervalMs: 50 });
    cleanups.push(
      () => driver.dispose(),
      () => printer.detach(),
    );
    await driver.start();
    const seen: PrinterStatus[] = [];
    driver.onStatus((s) => seen.push(s));
    for (const fault of ['paper-near-end', 'paper-out', 'cover-open', 'offline', 'cutter-error', 'none'] as const) {
      const queriesBefore = printer.statusQueriesAnswered;
      printer.setFault(fault);
      const expected = fault === 'none' ? [] : [fault];
      await until(() => JSON.stringify(driver.status?.conditions) === JSON.stringify(expected), { what: fault });
      // A poll asks DLE EOT 1 and 4, and 2 and 3 when offline: two polls are at most eight queries.
      expect(printer.statusQueriesAnswered - queriesBefore).toBeLessThanOrEqual(8);
      expect(driver.status?.source).toBe('query');
    }
    expect(seen.map((s) => s.conditions.join('+'))).toEqual([
      'paper-near-end',
      'paper-out',
      'cover-open',
      'offline',
      'cutter-error',
      '',
    ]);
  }, 15_000);

  it('hears automatic status back at once when the model has it', async () => {
    const { driver, printer } = await setup({ pollIntervalMs: 0 });
    const next = new Promise<PrinterStatus>((resolve) => driver.onStatus(resolve));
    printer.setFault('cover-open');
    const status = await next;
    expect(status).toMatchObject({ source: 'asb', conditions: ['cover-open'], ready: false });
  });

  it('honours XON/XOFF: a slow printer with a small buffer never overflows', async () => {
    const profile = simulatedPrinterProfile();
    const transport = new SimulatedByteTransport('sim', { baudRate: 38_400 });
    const printer = attachSimulatedPrinter(transport, profile, {
      xonXoff: { receiveBufferBytes: 1024, printBytesPerSecond: 2000 },
    });
    const driver = new EscPosPrinterDriver(transport, profile, { xonXoff: true, chunkBytes: 128 });
    cleanups.push(
      () => driver.dispose(),
      () => printer.detach(),
    );
    await driver.start();
    const result = await driver.print(vietnameseTicket);
    expect(result.state).toBe('confirmed');
    expect(printer.peakBufferedBytes).toBeLessThanOrEqual(1024);
    expect(printer.jobs[0]!.cuts).toEqual(['full']);
  });

  it('never slips a status query inside a command (rasters stay intact under busy polling)', async () => {
    const { driver, printer } = await setup({ pollIntervalMs: 20, chunkBytes: 64 }, 38_400);
    expect(await driver.print(vietnameseTicket)).toMatchObject({ state: 'confirmed' });
    const job = printer.jobs[0]!;
    const expected = decodeEscPos(encodeTicket(vietnameseTicket, simulatedPrinterProfile()).bytes);
    expect(job.unknown).toEqual([]);
    expect(job.blocks.map((b) => b.kind)).toEqual(expected.blocks.map((b) => b.kind));
    expect(printer.statusQueriesAnswered).toBeGreaterThan(10);
  });

  it('separates jobs on a model without a cutter at the next ESC @', async () => {
    const profile = simulatedPrinterProfile({ cutter: 'none' });
    const transport = new SimulatedByteTransport('sim');
    const printer = attachSimulatedPrinter(transport, profile);
    const driver = new EscPosPrinterDriver(transport, profile, { pollIntervalMs: 0 });
    cleanups.push(
      () => driver.dispose(),
      () => printer.detach(),
    );
    await driver.start();
    await driver.print(asciiTicket);
    await driver.print({ ...asciiTicket, number: 'A013' });
    expect(printer.jobs).toHaveLength(1);
    expect(printer.jobs[0]!.cuts).toEqual([]);
    expect(printer.current.lines).toContain('A013');
  });

  it('runs jobs one after another', async () => {
    const { driver, printer } = await setup();
    const results = await Promise.all([driver.print(asciiTicket), driver.print({ ...asciiTicket, number: 'A013' })]);
    expect(results.map((r) => r.state)).toEqual(['confirmed', 'confirmed']);
    expect(printer.jobs.map((j) => j.lines.includes('A013'))).toEqual([false, true]);
  });
});
