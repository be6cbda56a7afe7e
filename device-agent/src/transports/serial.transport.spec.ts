import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SerialPortMock } from 'serialport';
import type { SerialBinding, SerialBindingPort } from './native-modules';
import { SerialTransport, type SerialSettings } from './serial.transport';
import { until } from '@kiosk/protocol';
import { TransportError } from './transport';

interface MockPort extends SerialBindingPort {
  recording: Buffer;
  openOptions: Record<string, unknown>;
  emitData(data: Buffer | string): void;
}
interface MockBindingLike extends SerialBinding {
  createPort(path: string, options?: { record?: boolean; echo?: boolean }): void;
  reset(): void;
}
const mock = SerialPortMock.binding as unknown as MockBindingLike;

const settings = (over: Partial<SerialSettings> = {}): SerialSettings => ({
  kind: 'serial',
  baudRate: 9600,
  dataBits: 8,
  parity: 'none',
  stopBits: 1,
  flowControl: 'none',
  ...over,
});

/** Wraps MockBinding so the spec controls DSR and can pull the device mid-read. */
function controllableBinding() {
  const state = { dsr: true, dsrReads: 0, ports: [] as MockPort[], sets: [] as unknown[] };
  const binding: SerialBinding = {
    list: () => mock.list(),
    open: async (options) => {
      const port = (await mock.open(options)) as MockPort;
      state.ports.push(port);
      return new Proxy(port, {
        get(target, prop, receiver) {
          if (prop === 'get') return async () => ({ cts: true, dsr: (state.dsrReads++, state.dsr), dcd: false });
          if (prop === 'set') return async (o: unknown) => void state.sets.push(o);
          const value: unknown = Reflect.get(target, prop, receiver);
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
    },
  };
  return { binding, state, loadBinding: async () => ({ ok: true as const, module: binding }) };
}

describe('SerialTransport', () => {
  beforeEach(() => {
    mock.reset();
    mock.createPort('/dev/ttyMOCK0', { record: true });
  });
  afterEach(() => mock.reset());

  it('opens with the profile settings and moves bytes both ways', async () => {
    const c = controllableBinding();
    const t = new SerialTransport({
      path: '/dev/ttyMOCK0',
      settings: settings({ flowControl: 'rtscts' }),
      loadBinding: c.loadBinding,
    });
    const chunks: string[] = [];
    t.onData((chunk) => chunks.push(Buffer.from(chunk).toString()));
    await t.open();
    expect(t.isOpen).toBe(true);
    const port = c.state.ports[0];
    expect(port?.openOptions).toMatchObject({ baudRate: 9600, rtscts: true, xon: false });
    port?.emitData('hello');
    await until(() => chunks.join('') === 'hello', { what: () => `"hello", got "${chunks.join('')}"` });
    await t.write(new TextEncoder().encode('ping'));
    expect(port?.recording.toString()).toBe('ping');
    await t.close();
    expect(t.status).toBe('closed');
  });

  it('maps xonxoff to termios xon/xoff', async () => {
    const c = controllableBinding();
    const t = new SerialTransport({
      path: '/dev/ttyMOCK0',
      settings: settings({ flowControl: 'xonxoff' }),
      loadBinding: c.loadBinding,
    });
    await t.open();
    expect(c.state.ports[0]?.openOptions).toMatchObject({ xon: true, xoff: true, rtscts: false });
    await t.close();
  });

  it('dtrdsr: raises DTR on open and holds writes while DSR is low', async () => {
    const c = controllableBinding();
    c.state.dsr = false;
    const t = new SerialTransport({
      path: '/dev/ttyMOCK0',
      settings: settings({ flowControl: 'dtrdsr' }),
      loadBinding: c.loadBinding,
      dsrPollMs: 1,
      dsrChunkBytes: 4,
    });
    await t.open();
    expect(c.state.sets).toContainEqual({ dtr: true, rts: true });
    let done = false;
    const pending = t.write(new TextEncoder().encode('0123456789')).then(() => (done = true));
    // The transport has looked at DSR a few times and held every byte back.
    await until(() => c.state.dsrReads >= 3, { what: 'DSR polls' });
    expect(done).toBe(false);
    expect(c.state.ports[0]?.recording.length).toBe(0);
    c.state.dsr = true;
    await pending;
    expect(c.state.ports[0]?.recording.toString()).toBe('0123456789');
    await t.close();
  });

  it('dtrdsr: a write fails with timeout when DSR never rises', async () => {
    const c = controllableBinding();
    c.state.dsr = false;
    const t = new SerialTransport({
      path: '/dev/ttyMOCK0',
      settings: settings({ flowControl: 'dtrdsr' }),
      loadBinding: c.loadBinding,
      dsrPollMs: 1,
      dsrWaitTimeoutMs: 5,
    });
    await t.open();
    await expect(t.write(new Uint8Array([1]))).rejects.toMatchObject({ code: 'timeout' });
    expect(t.isOpen).toBe(true);
    await t.close();
  });

  it('reports unavailable with the reason when the binding does not load', async () => {
    const t = new SerialTransport({
      path: '/dev/ttyMOCK0',
      settings: settings(),
      loadBinding: async () => ({ ok: false, reason: 'No native build was found' }),
    });
    const error = await t.open().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: 'unavailable' });
    expect(t.status).toBe('unavailable');
    expect(t.statusReason).toContain('No native build');
  });

  it('a missing port is disconnected, not a crash', async () => {
    const c = controllableBinding();
    const t = new SerialTransport({ path: '/dev/ttyNOPE', settings: settings(), loadBinding: c.loadBinding });
    await expect(t.open()).rejects.toBeInstanceOf(TransportError);
  });

  it('a read error on a held port becomes disconnected: onClose once, port closed, writes rejected', async () => {
    let failRead: ((e: Error) => void) | undefined;
    let closedCount = 0;
    const port: SerialBindingPort = {
      isOpen: true,
      read: () => new Promise((_, reject) => (failRead = reject)),
      write: async () => undefined,
      drain: async () => undefined,
      set: async () => undefined,
      get: async () => ({ cts: true, dsr: true, dcd: false }),
      close: async () => void (closedCount += 1),
    };
    const t = new SerialTransport({
      path: '/dev/ttyUSB9',
      settings: settings(),
      loadBinding: async () => ({ ok: true, module: { open: async () => port, list: async () => [] } }),
    });
    const reasons: string[] = [];
    t.onClose((r) => reasons.push(r));
    await t.open();
    await until(() => failRead !== undefined, { what: 'the read loop' });
    failRead?.(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' }));
    await until(() => reasons.length > 0, { what: 'onClose' });
    expect(reasons).toEqual(['disconnected']);
    expect(t.status).toBe('disconnected');
    expect(closedCount).toBe(1);
    await expect(t.write(new Uint8Array([1]))).rejects.toMatchObject({ code: 'disconnected' });
  });

  it('a drain failing with the binding\'s bare "Input/output error" is the device gone, not a passing io-error', async () => {
    // serialport reports a pulled device (or a pty whose other end closed) on drain with the text only.
    let closedCount = 0;
    const port: SerialBindingPort = {
      isOpen: true,
      read: () => new Promise(() => undefined),
      write: async () => undefined,
      drain: async () => {
        throw new Error('Input/output error, cannot drain');
      },
      set: async () => undefined,
      get: async () => ({ cts: true, dsr: true, dcd: false }),
      close: async () => void (closedCount += 1),
    };
    const t = new SerialTransport({
      path: '/dev/ttyUSB9',
      settings: settings(),
      loadBinding: async () => ({ ok: true, module: { open: async () => port, list: async () => [] } }),
    });
    const reasons: string[] = [];
    t.onClose((r) => reasons.push(r));
    await t.open();
    await expect(t.write(new Uint8Array([1]))).rejects.toMatchObject({ code: 'disconnected' });
    expect(reasons).toEqual(['disconnected']);
    expect(t.status).toBe('disconnected');
    expect(t.statusReason).toContain('Input/output error');
    expect(closedCount).toBe(1);
  });
});
