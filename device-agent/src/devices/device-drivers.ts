/**
 * Drivers chosen from the profile, as zigbee-herdsman-converters chooses converters from device
 * definitions: each driver names the profile protocols it speaks (`profile.protocol`) and builds
 * the device from the link the opener makes. The device manager looks a driver up by protocol and
 * runs the same life cycle for every device, so a new kind of device is a driver added here (and
 * profiles naming its protocol), not an edit to the manager.
 *
 *   escpos                      → ReceiptPrinter over EscPosPrinterDriver (byte link)
 *   hid-pos, serial-line        → BarcodeScanner (the link in use picks HID POS or serial framing)
 *   pcsc, serial-smart-reader   → CardReader, ICAO chip reads (APDU link: PC/SC, or APDUs framed
 *                                 on a serial line as the profile's capabilities.framing says)
 *
 *   ecr                         → CardTerminal over EcrTerminalDriver (byte link: serial, TCP)
 *
 * 'keyboard-wedge' scanners have no driver here: the OS owns keyboards, the kiosk page reads them.
 */
import type { DeviceClass, DeviceProfile } from '@kiosk/hardware-profiles';
import { err, ok, type Result } from '@kiosk/protocol';
import type { TrustStore } from '../identity';
import type { Logger } from '../logger';
import { EscPosPrinterDriver, type EscPosPrinterDriverOptions } from '../printing';
import type { Listeners, Unsubscribe } from '../transports/transport';
import { BarcodeScanner, type ScanMeta } from './barcode-scanner.device';
import { CardReader, type CardEvent, type CardReaderOptions, type SessionKey } from './card-reader.device';
import type { DeviceRegistry } from './device-registry';
import type { FoundDevice, TransportOpener } from './device-source';
import { ReceiptPrinter } from './receipt-printer.device';
import { CardTerminal } from '../payments/card-terminal.device';

/** What the manager holds for an open device, whatever its kind. */
export interface ManagedDevice {
  readonly id: string;
  /** What the rest of the agent uses: a ReceiptPrinter, a BarcodeScanner, a CardReader … */
  readonly device: object;
  /**
   * Opens the link and starts the device. On failure the manager closes it and tries again with
   * backoff; `registryState` is what the registry should say (absent: the device said it itself).
   */
  start(): Promise<{ ok: true } | { ok: false; registryState?: { state: 'error' | 'disconnected'; message: string } }>;
  close(): Promise<void>;
}

/** What a driver gets to build one device. */
export interface DriverContext {
  found: FoundDevice;
  opener: TransportOpener;
  registry: DeviceRegistry;
  log: Logger;
  /** The device's link went away while the source still lists it: the manager reopens it with backoff. */
  lost(): void;
  /** Runs when the device is released (listeners on links that outlive it: the simulator reuses its links). */
  onRelease(cleanup: Unsubscribe): void;
}

export interface DeviceDriver {
  /** A name for logs. */
  readonly name: string;
  readonly class: DeviceClass;
  /** The `profile.protocol` values this driver speaks. */
  readonly protocols: readonly string[];
  /** Builds the device over a new link; no I/O yet (start() opens it). An error means no link could be made. */
  create(context: DriverContext): Result<ManagedDevice>;
}

/** Drivers by protocol; a protocol belongs to one driver. */
export class DriverRegistry {
  private readonly byProtocol = new Map<string, DeviceDriver>();

  constructor(drivers: readonly DeviceDriver[]) {
    for (const driver of drivers) this.register(driver);
  }

  register(driver: DeviceDriver): void {
    for (const protocol of driver.protocols) {
      const taken = this.byProtocol.get(protocol);
      if (taken) throw new Error(`protocol ${protocol} already has the driver ${taken.name}`);
      this.byProtocol.set(protocol, driver);
    }
  }

  /** The driver for this profile: its protocol's, provided it drives the profile's class. */
  forProfile(profile: DeviceProfile): Result<DeviceDriver> {
    const driver = this.byProtocol.get(profile.protocol);
    if (!driver) return err('no-driver', `no driver speaks ${profile.protocol} (profile ${profile.id})`);
    if (driver.class !== profile.class)
      return err('no-driver', `${driver.name} drives ${driver.class}s, profile ${profile.id} is a ${profile.class}`);
    return ok(driver);
  }

  get protocols(): string[] {
    return [...this.byProtocol.keys()];
  }
}

/** Options of the drivers the agent ships, and where their devices' events go. */
export interface StandardDriverOptions {
  trustStore: () => TrustStore;
  sessionKey: () => SessionKey | undefined;
  duplicateWindowMs?: number;
  printer?: EscPosPrinterDriverOptions;
  readOptions?: CardReaderOptions['readOptions'];
  /** Scans from every scanner; the payload is raw: classify it, never log it. */
  scans: Listeners<[string, ScanMeta]>;
  cardEvents: Listeners<[CardEvent]>;
}

export function escPosPrinterDriver(options: Pick<StandardDriverOptions, 'printer'>): DeviceDriver {
  return {
    name: 'escpos-printer',
    class: 'printer',
    protocols: ['escpos'],
    create({ found, opener, registry }) {
      const { profile } = found;
      if (profile.class !== 'printer') return err('no-driver', `${profile.id} is not a printer`);
      const link = opener.byte(found);
      if (!link.ok) return link;
      const driver = new EscPosPrinterDriver(link.value.transport, profile, options.printer);
      const printer = new ReceiptPrinter(found.key, profile, driver, registry);
      return ok({
        id: printer.id,
        device: printer,
        async start() {
          await printer.start();
          // A link that drops later while the device is still listed is reopened by the driver's own status poll.
          return printer.linkOpen
            ? { ok: true }
            : { ok: false, registryState: { state: 'error', message: 'the printer link did not open' } };
        },
        close: () => printer.close(),
      });
    },
  };
}

export function barcodeScannerDriver(
  options: Pick<StandardDriverOptions, 'duplicateWindowMs' | 'scans'>,
): DeviceDriver {
  return {
    name: 'barcode-scanner',
    class: 'scanner',
    protocols: ['hid-pos', 'serial-line'],
    create({ found, opener, registry, lost }) {
      const { profile } = found;
      if (profile.class !== 'scanner') return err('no-driver', `${profile.id} is not a scanner`);
      const link = opener.byte(found);
      if (!link.ok) return link;
      const scanner = new BarcodeScanner({
        id: found.key,
        profile,
        transport: link.value.transport,
        ...(link.value.settings && { transportSettings: link.value.settings }),
        ...(options.duplicateWindowMs !== undefined && { duplicateWindowMs: options.duplicateWindowMs }),
      });
      const publish = () => registry.update(scanner.health());
      scanner.onStateChange((state) => {
        publish();
        if (state === 'disconnected') lost();
      });
      scanner.onScan((payload, meta) => {
        publish();
        options.scans.emit(payload, meta);
      });
      return ok({
        id: scanner.id,
        device: scanner,
        async start() {
          const started = await scanner.start();
          publish();
          if (started.ok) return { ok: true };
          const state = started.error.code === 'disconnected' ? 'disconnected' : 'error';
          return { ok: false, registryState: { state, message: started.error.message } };
        },
        close: () => scanner.close(),
      });
    },
  };
}

export function chipCardReaderDriver(
  options: Pick<StandardDriverOptions, 'trustStore' | 'sessionKey' | 'readOptions' | 'cardEvents'>,
): DeviceDriver {
  return {
    name: 'icao-card-reader',
    class: 'card-reader',
    protocols: ['pcsc', 'serial-smart-reader'],
    create({ found, opener, registry, log, lost, onRelease }) {
      const { profile } = found;
      if (profile.class !== 'card-reader') return err('no-driver', `${profile.id} is not a card reader`);
      const link = opener.apdu(found);
      if (!link.ok) return link;
      const reader = new CardReader({
        id: found.key,
        profile,
        transport: link.value,
        registry,
        trustStore: options.trustStore,
        sessionKey: options.sessionKey,
        log,
        ...(options.readOptions && { readOptions: options.readOptions }),
      });
      reader.events.add((e) => options.cardEvents.emit(e));
      const off = link.value.onClose?.(() => lost());
      if (off) onRelease(off);
      return ok({
        id: reader.id,
        device: reader,
        // The reader publishes its own state when it does not open.
        start: async () => ((await reader.start()) ? { ok: true } : { ok: false }),
        close: () => reader.close(),
      });
    },
  };
}

/** A bank's card terminal on its ECR link (the agent names it in its configuration: card-terminal.setup.ts). */
export function ecrCardTerminalDriver(): DeviceDriver {
  return {
    name: 'ecr-card-terminal',
    class: 'payment-terminal',
    protocols: ['ecr'],
    create({ found, opener, registry, log }) {
      const { profile } = found;
      if (profile.class !== 'payment-terminal') return err('no-driver', `${profile.id} is not a payment terminal`);
      const link = opener.byte(found);
      if (!link.ok) return link;
      const terminal = new CardTerminal({ id: found.key, profile, transport: link.value.transport, registry, log });
      return ok({
        id: terminal.id,
        device: terminal,
        start: async () => ((await terminal.start()) ? { ok: true } : { ok: false }),
        close: () => terminal.close(),
      });
    },
  };
}

/** The drivers the agent ships. */
export function standardDrivers(options: StandardDriverOptions): DriverRegistry {
  return new DriverRegistry([
    escPosPrinterDriver(options),
    barcodeScannerDriver(options),
    chipCardReaderDriver(options),
    ecrCardTerminalDriver(),
  ]);
}
