/**
 * From found devices to working ones: a source (hardware discovery, or the simulator) reports
 * devices as they attach and detach; each becomes a transport (the opener) and a device class
 * (ReceiptPrinter over the ESC/POS driver, BarcodeScanner, CardReader). A device that is present
 * but will not open is retried with exponential backoff; a detached one is closed at once (no
 * leaked handle) and stays in the registry as 'disconnected'. Work per device is serialised, so
 * an unplug during an open is handled after it. Nothing here throws to its caller.
 */
import type { DeviceClass, DeviceProfile, TransportSettings } from '@kiosk/hardware-profiles';
import { err, type Result, type TransportProblem } from '@kiosk/protocol';
import { EscPosPrinterDriver, type EscPosPrinterDriverOptions } from '../printing';
import { BarcodeScanner, type ScanMeta } from './barcode-scanner.device';
import type { TrustStore } from '../identity';
import { Listeners, type ByteTransport, type Unsubscribe } from '../transports/transport';
import type { Logger } from '../logger';
import {
  CardReader,
  type CardEvent,
  type CardReaderOptions,
  type ReaderTransport,
  type SessionKey,
} from './card-reader.device';
import type { DeviceRegistry } from './device-registry';
import { ReceiptPrinter } from './receipt-printer.device';

/** A device a source has found and matched to a profile. */
export interface FoundDevice {
  /** Stable while plugged in; also the device id in the registry. */
  key: string;
  class: DeviceClass;
  profile: DeviceProfile;
  /** Match score (0 = generic profile). */
  score: number;
  transport: 'serial' | 'hid' | 'pcsc' | 'usb-printer' | 'tcp' | 'simulated';
  /** What the transport opens: a device path, a reader name, a simulated link id. */
  openPath: string;
}

export interface DeviceSource {
  start(): Promise<void>;
  stop(): void;
  onAttach(listener: (device: FoundDevice) => void): Unsubscribe;
  onDetach(listener: (device: FoundDevice) => void): Unsubscribe;
  onProblems(listener: (problems: TransportProblem[]) => void): Unsubscribe;
  readonly devices: FoundDevice[];
  readonly problems: TransportProblem[];
}

export interface TransportOpener {
  byte(device: FoundDevice): Result<{ transport: ByteTransport; settings?: TransportSettings }>;
  apdu(device: FoundDevice): Result<ReaderTransport>;
}

export interface DeviceManagerOptions {
  source: DeviceSource;
  opener: TransportOpener;
  registry: DeviceRegistry;
  log: Logger;
  trustStore: () => TrustStore;
  sessionKey: () => SessionKey | undefined;
  duplicateWindowMs?: number;
  /** Reopen delays: initialMs · 2ⁿ up to maxMs. */
  backoff?: { initialMs: number; maxMs: number };
  printer?: EscPosPrinterDriverOptions;
  readOptions?: CardReaderOptions['readOptions'];
}

type Handle =
  | { class: 'printer'; device: ReceiptPrinter }
  | { class: 'scanner'; device: BarcodeScanner }
  | { class: 'card-reader'; device: CardReader };

type HandleOf<C extends Handle['class']> = Extract<Handle, { class: C }>['device'];

interface Slot {
  found: FoundDevice;
  present: boolean;
  handle: Handle | undefined;
  chain: Promise<void>;
  failures: number;
  retry: NodeJS.Timeout | undefined;
  /** Listeners on transports that outlive a handle (the simulator reuses its links): removed on release. */
  cleanup: Unsubscribe[];
}

export class DeviceManager {
  /** Scans from every scanner; the payload is raw: classify it, never log it. */
  readonly scans = new Listeners<[string, ScanMeta]>();
  readonly cardEvents = new Listeners<[CardEvent]>();
  private readonly slots = new Map<string, Slot>();
  private readonly unsubscribes: Unsubscribe[] = [];
  private stopped = false;

  constructor(private readonly options: DeviceManagerOptions) {}

  /** Starts the source; devices present at start are open (or failed) when this resolves. */
  async start(): Promise<void> {
    const { source, registry } = this.options;
    this.unsubscribes.push(
      source.onAttach((d) => this.attached(d)),
      source.onDetach((d) => this.detached(d)),
      source.onProblems((p) => registry.setTransportProblems(p)),
    );
    await source.start();
    registry.setTransportProblems(source.problems);
    await Promise.all([...this.slots.values()].map((s) => s.chain));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.options.source.stop();
    for (const u of this.unsubscribes) u();
    const closing = [...this.slots.values()].map((slot) => {
      clearTimeout(slot.retry);
      return this.enqueue(slot, () => this.release(slot));
    });
    await Promise.all(closing);
  }

  /** The open printers, ready ones first. */
  printers(): ReceiptPrinter[] {
    const list = this.handles('printer');
    const rank = (p: ReceiptPrinter) =>
      p.state === 'ready' ? 0 : p.state === 'degraded' || p.state === 'busy' ? 1 : 2;
    return list.sort((a, b) => rank(a) - rank(b));
  }
  printer(id?: string): ReceiptPrinter | undefined {
    return id === undefined ? this.printers()[0] : this.printers().find((p) => p.id === id);
  }
  scanners(): BarcodeScanner[] {
    return this.handles('scanner');
  }
  readers(): CardReader[] {
    return this.handles('card-reader');
  }
  /** The patient consented on the kiosk page: the reader holding the card announced as readId reads it. */
  consentToRead(readId: string): Result<null> {
    // A reader that does not hold this card refuses without side effects.
    for (const r of this.readers()) {
      const accepted = r.consent(readId);
      if (accepted.ok) return accepted;
    }
    return err('no-card', 'no card waiting for consent with this readId', 'try-again');
  }
  /** The kiosk session was wiped: consents given and cards waiting for one are forgotten. */
  withdrawConsent(): void {
    for (const r of this.readers()) r.withdrawConsent();
  }
  /** A new session key: readers holding a card refused for want of one try again. */
  keyAvailable(): void {
    for (const r of this.readers()) r.keyAvailable();
  }
  /** Settles when pending opens and closes have run (tests). */
  async settled(): Promise<void> {
    await Promise.all([...this.slots.values()].map((s) => s.chain));
  }

  private handles<C extends Handle['class']>(cls: C): HandleOf<C>[] {
    const out: HandleOf<C>[] = [];
    for (const s of this.slots.values()) if (s.handle?.class === cls) out.push(s.handle.device as HandleOf<C>);
    return out;
  }

  private enqueue(slot: Slot, work: () => Promise<void>): Promise<void> {
    const run = slot.chain.then(work).catch((e: unknown) => {
      this.options.log.error({ device: slot.found.key, err: String(e).slice(0, 200) }, 'device manager step failed');
    });
    slot.chain = run;
    return run;
  }

  private attached(found: FoundDevice): void {
    if (this.stopped) return;
    let slot = this.slots.get(found.key);
    if (!slot) {
      slot = {
        found,
        present: true,
        handle: undefined,
        chain: Promise.resolve(),
        failures: 0,
        retry: undefined,
        cleanup: [],
      };
      this.slots.set(found.key, slot);
    } else {
      slot.found = found;
      slot.present = true;
      slot.failures = 0;
    }
    this.options.log.info(
      { device: found.key, class: found.class, profile: found.profile.id, score: found.score },
      'device attached',
    );
    const s = slot;
    void this.enqueue(s, () => this.open(s));
  }

  private detached(found: FoundDevice): void {
    const slot = this.slots.get(found.key);
    if (!slot) return;
    slot.present = false;
    clearTimeout(slot.retry);
    slot.retry = undefined;
    this.options.log.info({ device: found.key, class: found.class }, 'device detached');
    void this.enqueue(slot, async () => {
      await this.release(slot);
      this.mark(slot, 'disconnected', 'unplugged');
    });
  }

  private mark(slot: Slot, state: 'disconnected' | 'error', reason: string, lastError?: string): void {
    this.options.registry.update({
      id: slot.found.key,
      class: slot.found.class,
      profileId: slot.found.profile.id,
      state,
      reason,
      ...(lastError !== undefined && { lastError }),
    });
  }

  private async release(slot: Slot): Promise<void> {
    const h = slot.handle;
    slot.handle = undefined;
    for (const u of slot.cleanup.splice(0)) u();
    if (h) await h.device.close().catch(() => undefined);
  }

  private scheduleRetry(slot: Slot): void {
    if (this.stopped || !slot.present || slot.retry) return;
    const { initialMs, maxMs } = this.options.backoff ?? { initialMs: 500, maxMs: 30_000 };
    const delay = Math.min(maxMs, initialMs * 2 ** Math.min(slot.failures, 16));
    slot.failures++;
    slot.retry = setTimeout(() => {
      slot.retry = undefined;
      void this.enqueue(slot, () => this.open(slot));
    }, delay);
    slot.retry.unref();
  }

  /** Link lost while discovery still lists the device (a glitch, a reset): reopen with backoff. */
  private lost(slot: Slot, handle: Handle): void {
    if (slot.handle !== handle || !slot.present || this.stopped) return;
    this.registryCount(slot, 'disconnects');
    void this.enqueue(slot, async () => {
      if (slot.handle !== handle) return;
      await this.release(slot);
      this.mark(slot, 'disconnected', 'link-lost');
      this.scheduleRetry(slot);
    });
  }

  private registryCount(slot: Slot, counter: string): void {
    this.options.registry.count(slot.found.key, counter);
  }

  private async open(slot: Slot): Promise<void> {
    if (!slot.present || slot.handle || this.stopped) return;
    const found = slot.found;
    const ok = await (found.class === 'printer'
      ? this.openPrinter(slot)
      : found.class === 'scanner'
        ? this.openScanner(slot)
        : this.openReader(slot));
    if (ok) slot.failures = 0;
  }

  private async openPrinter(slot: Slot): Promise<boolean> {
    const { found } = slot;
    if (found.profile.class !== 'printer') return false;
    const link = this.options.opener.byte(found);
    if (!link.ok) {
      this.mark(slot, 'error', 'transport-unavailable', link.error.message);
      return false;
    }
    const driver = new EscPosPrinterDriver(link.value.transport, found.profile, this.options.printer);
    const printer = new ReceiptPrinter(found.key, found.profile, driver, this.options.registry);
    await printer.start();
    if (!printer.linkOpen) {
      await printer.close();
      this.mark(slot, 'error', 'open-failed', 'the printer link did not open');
      this.scheduleRetry(slot);
      return false;
    }
    // A link that drops while the device is still listed is reopened by the driver's own status poll.
    slot.handle = { class: 'printer', device: printer };
    return true;
  }

  private async openScanner(slot: Slot): Promise<boolean> {
    const { found, registry } = { found: slot.found, registry: this.options.registry };
    if (found.profile.class !== 'scanner') return false;
    const link = this.options.opener.byte(found);
    if (!link.ok) {
      this.mark(slot, 'error', 'transport-unavailable', link.error.message);
      return false;
    }
    const scanner = new BarcodeScanner({
      id: found.key,
      profile: found.profile,
      transport: link.value.transport,
      ...(link.value.settings && { transportSettings: link.value.settings }),
      ...(this.options.duplicateWindowMs !== undefined && { duplicateWindowMs: this.options.duplicateWindowMs }),
    });
    const handle: Handle = { class: 'scanner', device: scanner };
    const publish = () => registry.update(scanner.health());
    scanner.onStateChange((state) => {
      publish();
      if (state === 'disconnected') this.lost(slot, handle);
    });
    scanner.onScan((payload, meta) => {
      publish();
      this.scans.emit(payload, meta);
    });
    const started = await scanner.start();
    publish();
    if (!started.ok) {
      await scanner.close().catch(() => undefined);
      this.mark(
        slot,
        started.error.code === 'disconnected' ? 'disconnected' : 'error',
        'open-failed',
        started.error.message,
      );
      this.scheduleRetry(slot);
      return false;
    }
    slot.handle = handle;
    return true;
  }

  private async openReader(slot: Slot): Promise<boolean> {
    const { found } = slot;
    if (found.profile.class !== 'card-reader') return false;
    const link = this.options.opener.apdu(found);
    if (!link.ok) {
      this.mark(slot, 'error', 'transport-unavailable', link.error.message);
      return false;
    }
    const reader = new CardReader({
      id: found.key,
      profile: found.profile,
      transport: link.value,
      registry: this.options.registry,
      trustStore: this.options.trustStore,
      sessionKey: this.options.sessionKey,
      log: this.options.log,
      ...(this.options.readOptions && { readOptions: this.options.readOptions }),
    });
    const handle: Handle = { class: 'card-reader', device: reader };
    reader.events.add((e) => this.cardEvents.emit(e));
    const off = link.value.onClose?.(() => this.lost(slot, handle));
    if (off) slot.cleanup.push(off);
    // Set before start(): a card already on the reader is read at once and must find its reader listed.
    slot.handle = handle;
    if (!(await reader.start())) {
      await this.release(slot);
      this.scheduleRetry(slot);
      return false;
    }
    return true;
  }
}
