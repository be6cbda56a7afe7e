/**
 * An in-memory byte link in the style of serialport's MockBinding: the peer side
 * (`emitData`) plays the device, `recording` keeps every byte written, and faults can
 * be injected (unplug, slow link, garbage). A personality (printer, scanner) answers writes.
 */
import { Listeners, TransportError, type ByteTransport, type TransportErrorCode } from './transport';

export interface SimulatedLinkOptions {
  /** Bits per second of the simulated wire; 0 = instantaneous. 10 bits per byte (8N1). */
  baudRate?: number;
}

export class SimulatedByteTransport implements ByteTransport {
  readonly recording: Uint8Array[] = [];
  private open_ = false;
  private unplugged = false;
  private readonly data = new Listeners<[Uint8Array]>();
  private readonly closed = new Listeners<[TransportErrorCode]>();
  private readonly written = new Listeners<[Uint8Array]>();
  baudRate: number;

  constructor(
    readonly id: string,
    options: SimulatedLinkOptions = {},
  ) {
    this.baudRate = options.baudRate ?? 0;
  }

  get isOpen(): boolean {
    return this.open_;
  }

  async open(): Promise<void> {
    if (this.unplugged) throw new TransportError('disconnected', `${this.id} is unplugged`);
    this.open_ = true;
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (!this.open_) throw new TransportError(this.unplugged ? 'disconnected' : 'not-open', `${this.id} is not open`);
    const copy = Uint8Array.from(bytes);
    if (this.baudRate > 0) await delay((copy.length * 10 * 1000) / this.baudRate);
    if (!this.open_) throw new TransportError('disconnected', `${this.id} went away during a write`);
    this.recording.push(copy);
    this.written.emit(copy);
  }

  onData(listener: (chunk: Uint8Array) => void) {
    return this.data.add(listener);
  }
  onClose(listener: (reason: TransportErrorCode) => void) {
    return this.closed.add(listener);
  }

  async close(): Promise<void> {
    this.open_ = false;
  }

  // ---- the device side ----------------------------------------------------------------------

  /** Bytes from the simulated device to the host. */
  emitData(chunk: Uint8Array | string): void {
    if (!this.open_) return;
    this.data.emit(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : Uint8Array.from(chunk));
  }
  /** The device side sees every host write. */
  onHostWrite(listener: (chunk: Uint8Array) => void) {
    return this.written.add(listener);
  }
  unplug(): void {
    this.unplugged = true;
    if (this.open_) {
      this.open_ = false;
      this.closed.emit('disconnected');
    }
  }
  replug(): void {
    this.unplugged = false;
  }
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
