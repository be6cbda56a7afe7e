/**
 * USB HID devices through node-hid (hidraw backend on Linux). Each input report is delivered as
 * one chunk, so report boundaries survive (HID POS reassembly depends on them). On Linux the
 * report id is the first byte of a report only when the device uses numbered reports.
 * node-hid signals an unplug as an 'error' event on the read thread: it becomes 'disconnected',
 * the handle is closed once, and onClose fires once.
 */
import { loadHid, type HidDeviceHandle, type HidModule, type Loaded } from './native-modules';
import type { TransportStatus } from './serial.transport';
import { Listeners, TransportError, type ByteTransport, type TransportErrorCode } from './transport';

export interface HidTransportOptions {
  /** hidraw path from discovery (node-hid `Device.path`). */
  path: string;
  id?: string;
  /** Sent with sendFeatureReport right after open (scanners that must be told to use HID POS). */
  enableFeatureReport?: readonly number[];
  /** Injected node-hid (a double in tests: no USB HID device exists on a build machine). */
  loadHid?: () => Promise<Loaded<HidModule>>;
}

export class HidTransport implements ByteTransport {
  readonly id: string;
  private device: HidDeviceHandle | undefined;
  private status_: TransportStatus = 'closed';
  private reason_: string | undefined;
  private readonly data = new Listeners<[Uint8Array]>();
  private readonly closed = new Listeners<[TransportErrorCode]>();

  constructor(private readonly options: HidTransportOptions) {
    this.id = options.id ?? `hid:${options.path}`;
  }

  get isOpen(): boolean {
    return this.status_ === 'open';
  }
  get status(): TransportStatus {
    return this.status_;
  }
  get statusReason(): string | undefined {
    return this.reason_;
  }

  async open(): Promise<void> {
    if (this.status_ === 'open') return;
    const loaded = await (this.options.loadHid ?? loadHid)();
    if (!loaded.ok) {
      this.setStatus('unavailable', `node-hid unavailable: ${loaded.reason}`);
      throw new TransportError('unavailable', this.reason_ ?? 'unavailable');
    }
    let device: HidDeviceHandle;
    try {
      device = await loaded.module.HIDAsync.open(this.options.path, { nonExclusive: false });
    } catch (error) {
      const gone = !(await loaded.module.devicesAsync().catch(() => [])).some((d) => d.path === this.options.path);
      this.setStatus(gone ? 'disconnected' : 'closed', `open ${this.options.path} failed: ${messageOf(error)}`);
      throw new TransportError(gone ? 'disconnected' : 'io-error', this.reason_ ?? 'open failed');
    }
    this.device = device;
    device.on('data', (report: Buffer) => {
      if (this.device === device) this.data.emit(Uint8Array.from(report));
    });
    device.on('error', (error: unknown) => void this.lost(device, messageOf(error)));
    if (this.options.enableFeatureReport && this.options.enableFeatureReport.length > 0) {
      try {
        await device.sendFeatureReport([...this.options.enableFeatureReport]);
      } catch (error) {
        this.device = undefined;
        device.removeAllListeners();
        await device.close().catch(() => undefined);
        throw new TransportError('io-error', `enable feature report failed: ${messageOf(error)}`);
      }
    }
    this.setStatus('open', undefined);
  }

  /** Writes one output report; the first byte is the report id (0 when the device has none). */
  async write(bytes: Uint8Array): Promise<void> {
    const device = this.device;
    if (!device || this.status_ !== 'open') {
      throw this.status_ === 'disconnected'
        ? new TransportError('disconnected', `${this.id} is disconnected`)
        : new TransportError('not-open', `${this.id} is not open`);
    }
    try {
      await device.write(Buffer.from(bytes));
    } catch (error) {
      await this.lost(device, `write failed: ${messageOf(error)}`);
      throw new TransportError('disconnected', `${this.id} went away during a write`);
    }
  }

  onData(listener: (chunk: Uint8Array) => void) {
    return this.data.add(listener);
  }
  onClose(listener: (reason: TransportErrorCode) => void) {
    return this.closed.add(listener);
  }

  async close(): Promise<void> {
    const device = this.device;
    this.device = undefined;
    if (this.status_ === 'open') this.setStatus('closed', undefined);
    if (device) {
      device.removeAllListeners('data');
      await device.close().catch(() => undefined);
      // node-hid may still report the read thread's end after close; keep a no-op handler.
      device.removeAllListeners('error');
      device.on('error', () => undefined);
    }
  }

  private async lost(device: HidDeviceHandle, reason: string): Promise<void> {
    if (this.device !== device) return;
    this.device = undefined;
    this.setStatus('disconnected', reason);
    device.removeAllListeners('data');
    await device.close().catch(() => undefined);
    this.closed.emit('disconnected');
  }

  private setStatus(status: TransportStatus, reason: string | undefined): void {
    this.status_ = status;
    this.reason_ = reason;
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
