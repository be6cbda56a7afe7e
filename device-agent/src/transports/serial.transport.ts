/**
 * Serial ports (RS-232, USB-CDC, USB-serial bridges) through the serialport binding, with the
 * profile's settings. Flow control: 'rtscts' and 'xonxoff' are done by the kernel (termios);
 * 'dtrdsr' is not a termios mode, so DTR is raised on open and DSR is polled before each chunk.
 * A device pulled mid-operation ends the read loop: the port is closed (no leaked fd), pending
 * writes reject with 'disconnected' and onClose fires once.
 */
import type { TransportSettings } from '@kiosk/hardware-profiles';
import { loadSerialBinding, type Loaded, type SerialBinding, type SerialBindingPort } from './native-modules';
import { Listeners, TransportError, type ByteTransport, type TransportErrorCode } from './transport';

export type SerialSettings = Extract<TransportSettings, { kind: 'serial' }>;

/** Lasting state of a transport, for device status (faults are status, not exceptions). */
export type TransportStatus = 'closed' | 'open' | 'disconnected' | 'unavailable';

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

export class SerialTransport implements ByteTransport {
  readonly id: string;
  private port: SerialBindingPort | undefined;
  private status_: TransportStatus = 'closed';
  private reason_: string | undefined;
  private readonly data = new Listeners<[Uint8Array]>();
  private readonly closed = new Listeners<[TransportErrorCode]>();
  private writeChain: Promise<void> = Promise.resolve();

  constructor(private readonly options: SerialTransportOptions) {
    this.id = options.id ?? `serial:${options.path}`;
  }

  get isOpen(): boolean {
    return this.status_ === 'open';
  }
  get status(): TransportStatus {
    return this.status_;
  }
  /** Why the transport is 'unavailable' or 'disconnected' (no personal data). */
  get statusReason(): string | undefined {
    return this.reason_;
  }

  async open(): Promise<void> {
    if (this.status_ === 'open') return;
    const loaded = await (this.options.loadBinding ?? loadSerialBinding)();
    if (!loaded.ok) {
      this.setStatus('unavailable', `serialport binding unavailable: ${loaded.reason}`);
      throw new TransportError('unavailable', this.reason_ ?? 'unavailable');
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
      throw new TransportError(lost ? 'disconnected' : 'io-error', this.reason_ ?? 'open failed');
    }
    this.port = port;
    if (s.flowControl === 'dtrdsr') {
      try {
        await port.set({ dtr: true, rts: true });
      } catch (error) {
        await port.close().catch(() => undefined);
        this.port = undefined;
        throw new TransportError('io-error', `raising DTR on ${this.options.path} failed: ${messageOf(error)}`);
      }
    }
    this.setStatus('open', undefined);
    void this.readLoop(port);
  }

  write(bytes: Uint8Array): Promise<void> {
    const run = this.writeChain.then(() => this.writeNow(Uint8Array.from(bytes)));
    this.writeChain = run.catch(() => undefined);
    return run;
  }

  onData(listener: (chunk: Uint8Array) => void) {
    return this.data.add(listener);
  }
  onClose(listener: (reason: TransportErrorCode) => void) {
    return this.closed.add(listener);
  }

  async close(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    if (this.status_ === 'open') this.setStatus('closed', undefined);
    if (port?.isOpen) await port.close().catch(() => undefined);
  }

  private async writeNow(bytes: Uint8Array): Promise<void> {
    const port = this.port;
    if (!port || this.status_ !== 'open') throw this.notOpenError();
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
      if (this.port !== port || isLost(error)) {
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
      if (this.port !== port) throw this.notOpenError();
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
        if (this.port !== port) return;
        if (bytesRead > 0) this.data.emit(Uint8Array.from(buffer.subarray(0, bytesRead)));
      } catch (error) {
        // A cancelled read is our own close(); anything else on a port we still hold is the device going away.
        if (this.port !== port || (error as { canceled?: boolean }).canceled === true) return;
        await this.lost(port, `read failed: ${messageOf(error)}`);
        return;
      }
    }
  }

  private async lost(port: SerialBindingPort, reason: string): Promise<void> {
    if (this.port !== port) return;
    this.port = undefined;
    this.setStatus('disconnected', reason);
    await port.close().catch(() => undefined);
    this.closed.emit('disconnected');
  }

  private notOpenError(): TransportError {
    return this.status_ === 'disconnected'
      ? new TransportError('disconnected', `${this.id} is disconnected`)
      : new TransportError('not-open', `${this.id} is not open`);
  }

  private setStatus(status: TransportStatus, reason: string | undefined): void {
    this.status_ = status;
    this.reason_ = reason;
  }
}

function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  const m = /\b(E[A-Z]{2,})\b/u.exec(messageOf(error));
  return m?.[1];
}
function isLost(error: unknown): boolean {
  if ((error as { disconnect?: boolean } | null)?.disconnect === true) return true;
  const code = errnoCode(error);
  return code !== undefined && lostCodes.has(code);
}
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
