/**
 * Real devices: DeviceDiscovery (serial, usblp, HID, PC/SC; polled, so hot-plug is seen within
 * about two intervals) → classifyDevice → the profile's transport settings → the transport
 * factory. A source whose native binding does not load is reported as a transport problem and
 * only its devices are missing; unknown serial ports are listed for the CLI but not opened.
 */
import {
  classifyDevice,
  createApduTransport,
  createByteTransport,
  SerialSmartReaderTransport,
  DeviceDiscovery,
  transportSettingsFor,
  type DiscoveredDevice,
  type DiscoverySources,
} from '../transports';
import { err, ok, type Result, type TransportProblem } from '@kiosk/protocol';
import { DeviceSourceEvents } from './device-source-events';
import type { DeviceSource, FoundDevice, ReaderTransport, TransportOpener } from './device-source';

export function foundFromDiscovered(device: DiscoveredDevice): FoundDevice | undefined {
  // A dual reader's SAM slot is listed as a reader of its own; ID cards never go there.
  if (device.transport === 'pcsc' && /\bSAM\b/u.test(device.openPath)) return undefined;
  const classified = classifyDevice(device);
  if (!classified) return undefined;
  return {
    // The key is the device id in health reports, which allow 128 characters.
    key: device.key.slice(0, 128),
    class: classified.class,
    profile: classified.profile,
    score: classified.score,
    transport: device.transport,
    openPath: device.openPath,
  };
}

export class HardwareDeviceSource extends DeviceSourceEvents implements DeviceSource {
  readonly discovery: DeviceDiscovery;
  private readonly known = new Map<string, FoundDevice>();
  private readonly unmatched_ = new Map<string, DiscoveredDevice>();
  private problems_: TransportProblem[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: { intervalMs?: number; sources?: DiscoverySources } = {}) {
    super();
    this.discovery = new DeviceDiscovery({
      intervalMs: options.intervalMs ?? 1000,
      ...(options.sources && { sources: options.sources }),
    });
    this.discovery.onAttach((d) => {
      const found = foundFromDiscovered(d);
      if (!found) {
        this.unmatched_.set(d.key, d);
        return;
      }
      this.known.set(d.key, found);
      this.attached.emit(found);
    });
    this.discovery.onDetach((d) => {
      this.unmatched_.delete(d.key);
      const found = this.known.get(d.key);
      if (!found) return;
      this.known.delete(d.key);
      this.detached.emit(found);
    });
  }

  get devices(): FoundDevice[] {
    return [...this.known.values()];
  }
  /** Ports seen but recognised by no profile (an unknown tty could be anything). */
  get unmatched(): DiscoveredDevice[] {
    return [...this.unmatched_.values()];
  }
  get problems(): TransportProblem[] {
    return this.problems_;
  }

  async start(): Promise<void> {
    await this.discovery.start();
    this.checkProblems();
    this.timer = setInterval(() => this.checkProblems(), this.options.intervalMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    this.discovery.stop();
    clearInterval(this.timer);
  }

  private checkProblems(): void {
    const next = this.discovery.problems.map((p) => ({ transport: p.source, reason: p.reason }));
    if (JSON.stringify(next) === JSON.stringify(this.problems_)) return;
    this.problems_ = next;
    this.problemListeners.emit(next);
  }
}

export const hardwareOpener: TransportOpener = {
  byte(device) {
    if (device.transport === 'simulated' || device.transport === 'tcp' || device.transport === 'pcsc')
      return err('wrong-transport-kind', `${device.transport} devices are not opened by discovery`);
    const settings = transportSettingsFor(device.profile, device.transport);
    if (!settings)
      return err('no-transport-settings', `profile ${device.profile.id} has no ${device.transport} settings`);
    const created = createByteTransport(settings, device.openPath);
    return created.ok ? ok({ transport: created.value, settings }) : created;
  },
  apdu(device) {
    // A serial smart reader: APDUs framed on a serial line, as its profile's framing says.
    if (device.transport === 'serial' && device.profile.class === 'card-reader') {
      const serial = transportSettingsFor(device.profile, 'serial');
      if (!serial) return err('no-transport-settings', `profile ${device.profile.id} has no serial settings`);
      const line = createByteTransport(serial, device.openPath);
      if (!line.ok) return line;
      return ok(new SerialSmartReaderTransport({ link: line.value, framing: device.profile.capabilities.framing }));
    }
    const settings = transportSettingsFor(device.profile, 'pcsc');
    if (!settings) return err('no-transport-settings', `profile ${device.profile.id} has no pcsc settings`);
    // The PC/SC transport also reports the reader going away (onClose), which the factory's type leaves out.
    return createApduTransport(settings, device.openPath) as Result<ReaderTransport>;
  },
};
