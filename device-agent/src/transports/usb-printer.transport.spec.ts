import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '@kiosk/protocol';
import { UsbPrinterTransport, type PrinterFile } from './usb-printer.transport';

const errno = (code: string) => Object.assign(new Error(`${code}: simulated`), { code });

/** A printer node double: a small buffer that fills up, queued status replies, and an unplug switch. */
function fakePrinter(options: { bufferBytes?: number } = {}) {
  const state = {
    written: [] as number[],
    replies: [] as number[][],
    unplugged: false,
    room: options.bufferBytes ?? 1e9,
    closed: 0,
  };
  const file: PrinterFile = {
    async read(buffer) {
      if (state.unplugged) throw errno('ENODEV');
      const reply = state.replies.shift();
      if (!reply) throw errno('EAGAIN');
      buffer.set(reply);
      return { bytesRead: reply.length };
    },
    async write(buffer, offset, length) {
      if (state.unplugged) throw errno('ENODEV');
      if (state.room <= 0) throw errno('EAGAIN');
      const n = Math.min(length, state.room);
      state.room -= n;
      state.written.push(...buffer.subarray(offset, offset + n));
      return { bytesWritten: n };
    },
    async close() {
      state.closed += 1;
    },
  };
  return { state, openFile: async () => file };
}

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('UsbPrinterTransport', () => {
  it('writes through a real file descriptor (a regular file stands in for /dev/usb/lp0)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'usblp-'));
    const path = join(dir, 'lp0');
    writeFileSync(path, '');
    const t = new UsbPrinterTransport({ path, readPollMs: 5 });
    await t.open();
    await t.write(Uint8Array.of(0x1b, 0x40, 0x41, 0x0a));
    await t.close();
    expect([...readFileSync(path)]).toEqual([0x1b, 0x40, 0x41, 0x0a]);
  });

  it('retries while the printer buffer is full and delivers status replies', async () => {
    const p = fakePrinter({ bufferBytes: 3 });
    const t = new UsbPrinterTransport({ path: '/dev/usb/lp0', openFile: p.openFile, retryMs: 1, readPollMs: 2 });
    const replies: number[][] = [];
    t.onData((c) => replies.push([...c]));
    await t.open();
    const pending = t.write(Uint8Array.of(1, 2, 3, 4, 5, 6));
    await until(() => p.state.written.length === 3);
    p.state.room = 10;
    await pending;
    expect(p.state.written).toEqual([1, 2, 3, 4, 5, 6]);
    p.state.replies.push([0x12]);
    await until(() => replies.length === 1);
    expect(replies).toEqual([[0x12]]);
    await t.close();
  });

  it('a printer that never takes the bytes times out, staying open', async () => {
    const p = fakePrinter({ bufferBytes: 0 });
    const t = new UsbPrinterTransport({ path: '/dev/usb/lp0', openFile: p.openFile, retryMs: 1, writeTimeoutMs: 10 });
    await t.open();
    await expect(t.write(Uint8Array.of(1))).rejects.toMatchObject({ code: 'timeout' });
    expect(t.isOpen).toBe(true);
    await t.close();
  });

  it('unplug → disconnected once, file closed once, writes rejected', async () => {
    const p = fakePrinter();
    const t = new UsbPrinterTransport({ path: '/dev/usb/lp0', openFile: p.openFile, readPollMs: 2 });
    const reasons: string[] = [];
    t.onClose((r) => reasons.push(r));
    await t.open();
    p.state.unplugged = true;
    await until(() => reasons.length > 0);
    expect(reasons).toEqual(['disconnected']);
    expect(p.state.closed).toBe(1);
    await expect(t.write(Uint8Array.of(1))).rejects.toMatchObject({ code: 'disconnected' });
  });

  it('a missing node is disconnected', async () => {
    const t = new UsbPrinterTransport({ path: '/dev/usb/lp9-does-not-exist' });
    await expect(t.open()).rejects.toMatchObject({ code: 'disconnected' });
  });
});
