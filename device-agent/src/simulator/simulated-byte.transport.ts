/**
 * An in-memory byte link in the style of serialport's MockBinding: the peer side
 * (`emitData`) plays the device, `recording` keeps every byte written, and faults can
 * be injected (unplug, slow link, garbage). A personality (printer, scanner) answers writes.
 * It is a BaseByteTransport like the real ones, so status, onClose and a write on a lost
 * link behave as on hardware.
 */
import { BaseByteTransport } from '../transports/byte-transport.base';
import { Listeners, TransportError, type Unsubscribe } from '../transports/transport';

export interface SimulatedLinkOptions {
  /** Bits per second of the simulated wire; 0 = instantaneous. 10 bits per byte (8N1). */
  baudRate?: number;
}

/** One open session of the simulated link (a new one per open, as a reopened port is a new fd). */
interface SimulatedSession {
  readonly seq: number;
}

export class SimulatedByteTransport extends BaseByteTransport<SimulatedSession> {
  readonly recording: Uint8Array[] = [];
  private unplugged = false;
  private sessions = 0;
  private readonly written = new Listeners<[Uint8Array]>();
  baudRate: number;

  constructor(
    readonly id: string,
    options: SimulatedLinkOptions = {},
  ) {
    super();
    this.baudRate = options.baudRate ?? 0;
  }

  async open(): Promise<void> {
    if (this.isOpen) return;
    if (this.unplugged) {
      this.setStatus('disconnected', 'unplugged');
      throw new TransportError('disconnected', `${this.id} is unplugged`);
    }
    this.opened({ seq: ++this.sessions });
  }

  async write(bytes: Uint8Array): Promise<void> {
    const session = this.requireLink();
    const copy = Uint8Array.from(bytes);
    if (this.baudRate > 0) await delay((copy.length * 10 * 1000) / this.baudRate);
    if (this.link !== session) throw new TransportError('disconnected', `${this.id} went away during a write`);
    this.recording.push(copy);
    this.written.emit(copy);
  }

  protected async closeLink(): Promise<void> {
    // Nothing to release: the link is memory.
  }
  protected override releaseLostLink(): void {
    // As closeLink; returning nothing makes onClose fire within unplug().
  }

  // ---- the device side ----------------------------------------------------------------------

  /** Bytes from the simulated device to the host (dropped while the host has the link closed). */
  emitData(chunk: Uint8Array | string): void {
    const session = this.link;
    if (session === undefined) return;
    this.deliver(session, typeof chunk === 'string' ? new TextEncoder().encode(chunk) : Uint8Array.from(chunk));
  }
  /** The device side sees every host write. */
  onHostWrite(listener: (chunk: Uint8Array) => void): Unsubscribe {
    return this.written.add(listener);
  }
  unplug(): void {
    this.unplugged = true;
    const session = this.link;
    if (session !== undefined) void this.lost(session, 'unplugged');
  }
  replug(): void {
    this.unplugged = false;
  }
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
