/**
 * The scanner as the rest of the agent sees it: scans as text with their symbology, a state and
 * counters. It joins a decoder to a ByteTransport: HID POS report assembly when the transport is
 * HID, otherwise serial framing from the profile (delimiter or inter-byte timeout). A profile has
 * one primary protocol but may list several transports (most scanners do HID POS and CDC): the
 * transport actually used picks the decoder. Listeners never see a duplicate read within
 * `duplicateWindowMs`. Nothing here logs payloads.
 */
import { err, ok, type DeviceHealth, type DeviceState, type Result } from '@kiosk/protocol';
import type { ScannerProfile, TransportSettings } from '@kiosk/hardware-profiles';
import { Listeners, TransportError, type ByteTransport, type Unsubscribe } from '../transports/transport';
import {
  DelimiterFramer,
  DuplicateFilter,
  HidPosAssembler,
  InterByteTimeoutFramer,
  decodeScan,
  symbologyName,
  type Framer,
  type FramerEvent,
  type HidPosLayout,
  type Scheduler,
} from '../scanners';

export interface ScanMeta {
  scannerId: string;
  /** 'qr', 'code128' … from the AIM id, when the scanner sent one. */
  symbology?: string;
  aimId?: string;
  /** The bytes were not valid UTF-8 (decoded with U+FFFD). */
  invalidUtf8?: boolean;
}

export type ScanListener = (payload: string, meta: ScanMeta) => void;

export type ScannerCounter = 'scans' | 'duplicates' | 'rejected' | 'invalidUtf8' | 'disconnects' | 'listenerErrors';

export interface BarcodeScannerOptions {
  id: string;
  profile: ScannerProfile;
  transport: ByteTransport;
  /** The profile transport in use; decides the decoder. Default: the profile's first transport. */
  transportSettings?: TransportSettings;
  duplicateWindowMs?: number;
  maxPayloadBytes?: number;
  hidPosLayout?: Partial<HidPosLayout>;
  /** Serial frames start with an AIM id (scanner option "transmit AIM symbology identifier"). */
  leadingAimId?: boolean;
  now?: () => number;
  scheduler?: Scheduler;
}

const defaultInterByteTimeoutMs = 50;

export class BarcodeScanner {
  readonly id: string;
  readonly profileId: string;
  private state_: DeviceState = 'disconnected';
  private reason_: string | undefined;
  private lastError_: string | undefined;
  private readonly counters_: Record<ScannerCounter, number> = {
    scans: 0,
    duplicates: 0,
    rejected: 0,
    invalidUtf8: 0,
    disconnects: 0,
    listenerErrors: 0,
  };
  private readonly scans = new Listeners<[string, ScanMeta]>();
  private readonly states = new Listeners<[DeviceState, string | undefined]>();
  private readonly duplicates: DuplicateFilter;
  private readonly now: () => number;
  private readonly mode: 'hid-pos' | 'serial-line';
  private framer: Framer | undefined;
  private assembler: HidPosAssembler | undefined;
  private subscriptions: Unsubscribe[] = [];

  constructor(private readonly options: BarcodeScannerOptions) {
    this.id = options.id;
    this.profileId = options.profile.id;
    this.now = options.now ?? (() => Date.now());
    this.duplicates = new DuplicateFilter(options.duplicateWindowMs ?? 2000);
    const settings = options.transportSettings ?? options.profile.transports[0];
    this.mode = settings?.kind === 'hid' ? 'hid-pos' : 'serial-line';
  }

  get state(): DeviceState {
    return this.state_;
  }
  /** Machine code of a non-ready state: 'transport-unavailable', 'unplugged' … */
  get reason(): string | undefined {
    return this.reason_;
  }
  get counters(): Readonly<Record<ScannerCounter, number>> {
    return { ...this.counters_ };
  }

  /** A throwing listener is counted ('listenerErrors'); it never stops the scanner or starves other listeners. */
  onScan(listener: ScanListener): Unsubscribe {
    return this.scans.add((payload, meta) => {
      try {
        listener(payload, meta);
      } catch {
        this.counters_.listenerErrors += 1;
      }
    });
  }
  onStateChange(listener: (state: DeviceState, reason: string | undefined) => void): Unsubscribe {
    return this.states.add(listener);
  }

  /** Opens the transport and starts decoding. Faults come back as a Result and as state. */
  async start(): Promise<Result<void>> {
    if (this.state_ === 'ready') return ok(undefined);
    this.detach();
    try {
      await this.options.transport.open();
    } catch (error) {
      const code = error instanceof TransportError ? error.code : 'io-error';
      const message = error instanceof Error ? error.message : String(error);
      this.lastError_ = message.slice(0, 200);
      if (code === 'disconnected') this.setState('disconnected', 'unplugged');
      else this.setState('error', code === 'unavailable' ? 'transport-unavailable' : 'transport-error');
      return err(code === 'unavailable' ? 'transport-unavailable' : code, message);
    }
    this.attach();
    this.setState('ready', undefined);
    return ok(undefined);
  }

  async stop(): Promise<void> {
    this.detach();
    await this.options.transport.close();
    this.setState('disconnected', 'stopped');
  }

  /** Same as stop(): the agent's ScanSource shape. */
  close(): Promise<void> {
    return this.stop();
  }

  health(): Omit<DeviceHealth, 'changedAt'> {
    return {
      id: this.id,
      class: 'scanner',
      profileId: this.profileId,
      state: this.state_,
      ...(this.reason_ !== undefined && { reason: this.reason_ }),
      counters: { ...this.counters_ },
      ...(this.lastError_ !== undefined && { lastError: this.lastError_ }),
    };
  }

  private attach(): void {
    const t = this.options.transport;
    const maxBytes = this.options.maxPayloadBytes ?? 8192;
    if (this.mode === 'hid-pos') {
      const assembler = new HidPosAssembler({
        maxPayloadBytes: maxBytes,
        ...(this.options.hidPosLayout && { layout: this.options.hidPosLayout }),
      });
      this.assembler = assembler;
      this.subscriptions.push(
        t.onData((report) => {
          for (const event of assembler.push(report, this.now())) {
            if (event.kind === 'payload') this.deliver(event.bytes, event.aimId);
            else this.reject(event.code);
          }
        }),
      );
    } else {
      const framer = this.createFramer(maxBytes, (event) => {
        if (event.kind === 'payload') this.deliver(event.bytes, undefined);
        else this.reject(event.code);
      });
      this.framer = framer;
      this.subscriptions.push(t.onData((chunk) => framer.push(chunk)));
    }
    this.subscriptions.push(
      t.onClose(() => {
        this.framer?.dispose();
        this.assembler?.reset();
        this.counters_.disconnects += 1;
        this.detach();
        this.setState('disconnected', 'unplugged');
      }),
    );
  }

  private detach(): void {
    for (const unsubscribe of this.subscriptions) unsubscribe();
    this.subscriptions = [];
    this.framer?.dispose();
    this.framer = undefined;
    this.assembler = undefined;
  }

  private createFramer(maxBytes: number, emit: (event: FramerEvent) => void): Framer {
    const settings =
      this.options.transportSettings ??
      this.options.profile.transports.find((t) => t.kind === 'serial' || t.kind === 'simulated');
    const framing = settings?.kind === 'serial' || settings?.kind === 'simulated' ? settings.framing : undefined;
    if (framing?.kind === 'delimiter') return new DelimiterFramer(framing.delimiter, emit, maxBytes, 1000, this.now);
    return new InterByteTimeoutFramer(
      framing?.timeoutMs ?? defaultInterByteTimeoutMs,
      emit,
      maxBytes,
      this.options.scheduler,
    );
  }

  private deliver(bytes: Uint8Array, aimId: string | undefined): void {
    const decoded = decodeScan(bytes, { leadingAimId: this.options.leadingAimId === true && aimId === undefined });
    if (decoded.text.length === 0) return;
    if (!this.duplicates.accept(decoded.text, this.now())) {
      this.counters_.duplicates += 1;
      return;
    }
    const aim = aimId ?? decoded.aimId;
    const meta: ScanMeta = {
      scannerId: this.id,
      ...(aim !== undefined && { aimId: aim, symbology: symbologyName(aim) }),
      ...(!decoded.validUtf8 && { invalidUtf8: true }),
    };
    this.counters_.scans += 1;
    if (!decoded.validUtf8) this.counters_.invalidUtf8 += 1;
    this.scans.emit(decoded.text, meta);
  }

  private reject(code: string): void {
    this.counters_.rejected += 1;
    this.lastError_ = `frame rejected: ${code}`;
  }

  private setState(state: DeviceState, reason: string | undefined): void {
    if (state === this.state_ && reason === this.reason_) return;
    this.state_ = state;
    this.reason_ = reason;
    this.states.emit(state, reason);
  }
}
