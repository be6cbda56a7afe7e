/**
 * From found devices to working ones: a source (hardware discovery, or the simulator) reports
 * devices as they attach and detach; each gets the driver its profile's protocol names (see
 * device-drivers.ts), which builds the device over a link from the opener. A device that is
 * present but will not open is retried with exponential backoff; a detached one is closed at once
 * (no leaked handle) and stays in the registry as 'disconnected'. Work per device is serialised,
 * so an unplug during an open is handled after it. Nothing here throws to its caller.
 */
import { err, type Result } from '@kiosk/protocol';
import type { EscPosPrinterDriverOptions } from '../printing';
import type { TrustStore } from '../identity';
import { Listeners, type Unsubscribe } from '../transports/transport';
import type { Logger } from '../logger';
import { BarcodeScanner, type ScanMeta } from './barcode-scanner.device';
import { CardReader, type CardEvent, type CardReaderOptions, type SessionKey } from './card-reader.device';
import { standardDrivers, type DriverRegistry, type ManagedDevice } from './device-drivers';
import type { DeviceRegistry } from './device-registry';
import type { DeviceSource, FoundDevice, TransportOpener } from './device-source';
import { ReceiptPrinter } from './receipt-printer.device';

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
  /** The drivers by protocol; default the agent's own (standardDrivers), feeding `scans` and `cardEvents`. */
  drivers?: (events: { scans: DeviceManager['scans']; cardEvents: DeviceManager['cardEvents'] }) => DriverRegistry;
}

interface Slot {
  found: FoundDevice;
  present: boolean;
  handle: ManagedDevice | undefined;
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
  private readonly drivers: DriverRegistry;
  private stopped = false;

  constructor(private readonly options: DeviceManagerOptions) {
    const events = { scans: this.scans, cardEvents: this.cardEvents };
    this.drivers = options.drivers?.(events) ?? standardDrivers({ ...options, ...events });
  }

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

  /** The open devices of one kind (ReceiptPrinter, BarcodeScanner, CardReader …). */
  devicesOf<T extends object>(kind: abstract new (...args: never[]) => T): T[] {
    const out: T[] = [];
    for (const s of this.slots.values()) if (s.handle?.device instanceof kind) out.push(s.handle.device);
    return out;
  }

  /** The open printers, ready ones first. */
  printers(): ReceiptPrinter[] {
    const list = this.devicesOf(ReceiptPrinter);
    const rank = (p: ReceiptPrinter) =>
      p.state === 'ready' ? 0 : p.state === 'degraded' || p.state === 'busy' ? 1 : 2;
    return list.sort((a, b) => rank(a) - rank(b));
  }
  printer(id?: string): ReceiptPrinter | undefined {
    return id === undefined ? this.printers()[0] : this.printers().find((p) => p.id === id);
  }
  scanners(): BarcodeScanner[] {
    return this.devicesOf(BarcodeScanner);
  }
  readers(): CardReader[] {
    return this.devicesOf(CardReader);
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
  /** A card lies on a reader being read, or waiting for consent or for a key. */
  cardAwaitingRead(): boolean {
    return this.readers().some((r) => r.cardAwaitingRead);
  }
  /** Settles when pending opens and closes have run (tests). */
  async settled(): Promise<void> {
    await Promise.all([...this.slots.values()].map((s) => s.chain));
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
    if (h) await h.close().catch(() => undefined);
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
  private lost(slot: Slot, handle: ManagedDevice): void {
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
    if (await this.openWithDriver(slot)) slot.failures = 0;
  }

  /** The same life cycle for every kind of device; what differs is in its driver. */
  private async openWithDriver(slot: Slot): Promise<boolean> {
    const { found } = slot;
    const driver = this.drivers.forProfile(found.profile);
    if (!driver.ok) {
      this.mark(slot, 'error', 'no-driver', driver.error.message);
      return false;
    }
    const made: { device?: ManagedDevice } = {};
    // A loss reported while the device starts is acted on once start() has said how it went.
    let starting = true;
    let lostWhileStarting = false;
    const created = driver.value.create({
      found,
      opener: this.options.opener,
      registry: this.options.registry,
      log: this.options.log,
      lost: () => {
        if (!made.device) return;
        if (starting) lostWhileStarting = true;
        else this.lost(slot, made.device);
      },
      onRelease: (cleanup) => slot.cleanup.push(cleanup),
    });
    if (!created.ok) {
      for (const u of slot.cleanup.splice(0)) u();
      this.mark(slot, 'error', 'transport-unavailable', created.error.message);
      return false;
    }
    const device = created.value;
    made.device = device;
    // Listed before start(): a card already on a reader is read at once and must find its reader listed.
    slot.handle = device;
    const started = await device.start();
    starting = false;
    if (started.ok) {
      if (lostWhileStarting) this.lost(slot, device);
      return true;
    }
    await this.release(slot);
    if (started.registryState)
      this.mark(slot, started.registryState.state, 'open-failed', started.registryState.message);
    this.scheduleRetry(slot);
    return false;
  }
}
