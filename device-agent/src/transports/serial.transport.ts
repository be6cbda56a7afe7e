/**
 * Serial ports (RS-232, USB-CDC, USB-serial bridges) through the serialport binding, with the
 * profile's settings. Flow control: 'rtscts' and 'xonxoff' are done by the kernel (termios);
 * 'dtrdsr' is not a termios mode, so DTR is raised on open and DSR is polled before each chunk.
 * A device pulled mid-operation ends the read loop: the port is closed (no leaked fd), pending
 * writes reject with 'disconnected' and onClose fires once.
 */
import type { TransportSettings } from '@kiosk/hardware-profiles';
import { BaseByteTransport, errnoCode, messageOf } from './byte-transport.base';
import { loadSerialBinding, type Loaded, type SerialBinding, type SerialBindingPort } from './native-modules';
import { TransportError } from './transport';

export type SerialSettings = Extract<TransportSettings, { kind: 'serial' }>;

export interface SerialTransportOptions {
  path: string;
  settings: SerialSettings;
  id?: string;
  /** dtrdsr: DSR poll period while the device holds DSR low. */
  dsrPollMs?: number;
  /** dtrdsr: a write fails with 'timeout' when DSR stays low this long. */
  dsrWaitTimeoutMs?: number;
  /** dtrdsr: bytes written between DSR checks (the device's receive buffer must hold this much). */
  dsrChunkBytes?: number;
  /** Injected binding loader (serialport's MockBinding in unit tests). */
  loadBinding?: () => Promise<Loaded<SerialBinding>>;
}

const lostCodes = new Set(['EIO', 'ENXIO', 'EBADF', 'ENODEV', 'ENOENT', 'UNKNOWN']);

export class SerialTransport extends BaseByteTransport<SerialBindingPort> {
  readonly id: string;
  private writeChain: Promise<void> = Promise.resolve();

  constructor(private readonly options: SerialTransportOptions) {
    super();
    this.id = options.id ?? `serial:${options.path}`;
  }

  async open(): Promise<void> {
    if (this.isOpen) return;
    const loaded = await (this.options.loadBinding ?? loadSerialBinding)();
    if (!loaded.ok) {
      this.setStatus('unavailable', `serialport binding unavailable: ${loaded.reason}`);
      throw new TransportError('unavailable', this.statusReason ?? 'unavailable');
    }
    const s = this.options.settings;
    let port: SerialBindingPort;
    try {
      port = await loaded.module.open({
        path: this.options.path,
        baudRate: s.baudRate,
        dataBits: s.dataBits,
        stopBits: s.stopBits,
        parity: s.parity,
        rtscts: s.flowControl === 'rtscts',
        xon: s.flowControl === 'xonxoff',
        xoff: s.flowControl === 'xonxoff',
        lock: true,
      });
    } catch (error) {
      const code = errnoCode(error);
      const lost = code === 'ENOENT' || code === 'ENXIO' || code === 'ENODEV';
      this.setStatus(lost ? 'disconnected' : 'closed', `open ${this.options.path} failed: ${messageOf(error)}`);
      throw new TransportError(lost ? 'disconnected' : 'io-error', this.statusReason ?? 'open failed');
    }
    if (s.flowControl === 'dtrdsr') {
      try {
        await port.set({ dtr: true, rts: true });
      } catch (error) {
        await port.close().catch(() => undefined);
        throw new TransportError('io-error', `raising DTR on ${this.options.path} failed: ${messageOf(error)}`);
      }
    }
    this.opened(port);
    void this.readLoop(port);
  }

  write(bytes: Uint8Array): Promise<void> {
    const run = this.writeChain.then(() => this.writeNow(Uint8Array.from(bytes)));
    this.writeChain = run.catch(() => undefined);
    return run;
  }

  protected async closeLink(port: SerialBindingPort): Promise<void> {
    if (port.isOpen) await port.close().catch(() => undefined);
  }

  private async writeNow(bytes: Uint8Array): Promise<void> {
    const port = this.requireLink();
    const dtrdsr = this.options.settings.flowControl === 'dtrdsr';
    const chunkBytes = dtrdsr ? Math.max(1, this.options.dsrChunkBytes ?? 256) : bytes.length || 1;
    try {
      for (let offset = 0; offset < bytes.length; offset += chunkBytes) {
        if (dtrdsr) await this.waitForDsr(port);
        await port.write(Buffer.from(bytes.subarray(offset, offset + chunkBytes)));
        await port.drain();
      }
    } catch (error) {
      if (error instanceof TransportError) throw error;
      if (this.link !== port || isLost(error)) {
        await this.lost(port, `write failed: ${messageOf(error)}`);
        throw new TransportError('disconnected', `${this.id} went away during a write`);
      }
      throw new TransportError('io-error', `${this.id} write failed: ${messageOf(error)}`);
    }
  }

  private async waitForDsr(port: SerialBindingPort): Promise<void> {
    const pollMs = this.options.dsrPollMs ?? 20;
    const deadline = Date.now() + (this.options.dsrWaitTimeoutMs ?? 10_000);
    for (;;) {
      if (this.link !== port) throw this.notOpenError();
      const { dsr } = await port.get();
      if (dsr) return;
      if (Date.now() >= deadline)
        throw new TransportError('timeout', `${this.id}: DSR stayed low (device busy or offline)`);
      await delay(pollMs);
    }
  }

  private async readLoop(port: SerialBindingPort): Promise<void> {
    const buffer = Buffer.alloc(4096);
    for (;;) {
      try {
        const { bytesRead } = await port.read(buffer, 0, buffer.length);
        if (this.link !== port) return;
        if (bytesRead > 0) this.deliver(port, Uint8Array.from(buffer.subarray(0, bytesRead)));
      } catch (error) {
        // A cancelled read is our own close(); anything else on a port we still hold is the device going away.
        if (this.link !== port || (error as { canceled?: boolean }).canceled === true) return;
        await this.lost(port, `read failed: ${messageOf(error)}`);
        return;
      }
    }
  }
}

function isLost(error: unknown): boolean {
  if ((error as { disconnect?: boolean } | null)?.disconnect === true) return true;
  const code = errnoCode(error);
  return code !== undefined && lostCodes.has(code);
}
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
