/**
 * USB HID devices through node-hid (hidraw backend on Linux). Each input report is delivered as
 * one chunk, so report boundaries survive (HID POS reassembly depends on them). On Linux the
 * report id is the first byte of a report only when the device uses numbered reports.
 * node-hid signals an unplug as an 'error' event on the read thread: it becomes 'disconnected',
 * the handle is closed once, and onClose fires once.
 */
import { BaseByteTransport, messageOf } from './byte-transport.base';
import { loadHid, type HidDeviceHandle, type HidModule, type Loaded } from './native-modules';
import { TransportError } from './transport';

export interface HidTransportOptions {
  /** hidraw path from discovery (node-hid `Device.path`). */
  path: string;
  id?: string;
  /** Sent with sendFeatureReport right after open (scanners that must be told to use HID POS). */
  enableFeatureReport?: readonly number[];
  /** Injected node-hid (a double in tests: no USB HID device exists on a build machine). */
  loadHid?: () => Promise<Loaded<HidModule>>;
}

export class HidTransport extends BaseByteTransport<HidDeviceHandle> {
  readonly id: string;

  constructor(private readonly options: HidTransportOptions) {
    super();
    this.id = options.id ?? `hid:${options.path}`;
  }

  async open(): Promise<void> {
    if (this.isOpen) return;
    const loaded = await (this.options.loadHid ?? loadHid)();
    if (!loaded.ok) {
      this.setStatus('unavailable', `node-hid unavailable: ${loaded.reason}`);
      throw new TransportError('unavailable', this.statusReason ?? 'unavailable');
    }
    let device: HidDeviceHandle;
    try {
      device = await loaded.module.HIDAsync.open(this.options.path, { nonExclusive: false });
    } catch (error) {
      const gone = !(await loaded.module.devicesAsync().catch(() => [])).some((d) => d.path === this.options.path);
      this.setStatus(gone ? 'disconnected' : 'closed', `open ${this.options.path} failed: ${messageOf(error)}`);
      throw new TransportError(gone ? 'disconnected' : 'io-error', this.statusReason ?? 'open failed');
    }
    this.link = device;
    device.on('data', (report: Buffer) => this.deliver(device, Uint8Array.from(report)));
    device.on('error', (error: unknown) => void this.lost(device, messageOf(error)));
    if (this.options.enableFeatureReport && this.options.enableFeatureReport.length > 0) {
      try {
        await device.sendFeatureReport([...this.options.enableFeatureReport]);
      } catch (error) {
        this.link = undefined;
        device.removeAllListeners();
        await device.close().catch(() => undefined);
        throw new TransportError('io-error', `enable feature report failed: ${messageOf(error)}`);
      }
    }
    this.opened(device);
  }

  /** Writes one output report; the first byte is the report id (0 when the device has none). */
  async write(bytes: Uint8Array): Promise<void> {
    const device = this.requireLink();
    try {
      await device.write(Buffer.from(bytes));
    } catch (error) {
      await this.lost(device, `write failed: ${messageOf(error)}`);
      throw new TransportError('disconnected', `${this.id} went away during a write`);
    }
  }

  protected async closeLink(device: HidDeviceHandle): Promise<void> {
    device.removeAllListeners('data');
    await device.close().catch(() => undefined);
    // node-hid may still report the read thread's end after close; keep a no-op handler.
    device.removeAllListeners('error');
    device.on('error', () => undefined);
  }

  protected override async releaseLostLink(device: HidDeviceHandle): Promise<void> {
    device.removeAllListeners('data');
    await device.close().catch(() => undefined);
  }
}
