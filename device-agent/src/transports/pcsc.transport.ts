/**
 * PC/SC readers through the `smartcard` N-API binding, always in SHARED mode so pcscd and other
 * readers of the same card (the OS, a diagnostics tool) are not locked out. Card presence comes
 * from the binding's native ReaderMonitor. The card is connected lazily on the first transmit
 * after an insertion, T=1 or T=0 as the card offers. Transmits are serialised per card.
 * Faults are TransportErrors with a finer `detail`: a card pulled mid-read is
 * ('disconnected', 'card-removed'); an unplugged reader is ('disconnected', 'reader-removed').
 */
import {
  loadPcsc,
  type Loaded,
  type PcscCard,
  type PcscContext,
  type PcscModule,
  type PcscMonitorEvent,
  type PcscReaderMonitor,
} from './native-modules';
import {
  Listeners,
  TransportError,
  type ApduTransport,
  type TransportErrorCode,
  type TransportStatus,
} from './transport';

export type PcscErrorDetail =
  | 'service-unavailable'
  | 'binding-unavailable'
  | 'reader-missing'
  | 'reader-removed'
  | 'no-card'
  | 'card-removed'
  | 'card-unresponsive'
  | 'sharing-violation'
  | 'transmit-timeout'
  | 'transmit-failed';

export class PcscTransportError extends TransportError {
  constructor(
    code: TransportErrorCode,
    readonly detail: PcscErrorDetail,
    message: string,
  ) {
    super(code, message);
    this.name = 'PcscTransportError';
  }
}

export interface PcscTransportOptions {
  /** Exact PC/SC reader name (from discovery). */
  readerName: string;
  id?: string;
  /** Response buffer size; 258 is a short APDU, 65538 covers extended-length answers. */
  maxRecvLength?: number;
  /** Default per-APDU timeout when transmit() gets none. */
  transmitTimeoutMs?: number;
  loadPcsc?: () => Promise<Loaded<PcscModule>>;
}

export class PcscTransport implements ApduTransport {
  readonly id: string;
  private pcsc: PcscModule | undefined;
  private context: PcscContext | undefined;
  private monitor: PcscReaderMonitor | undefined;
  private card: PcscCard | undefined;
  private present = false;
  private atr_: Uint8Array | undefined;
  private status_: TransportStatus = 'closed';
  private reason_: string | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly cardChanges = new Listeners<[boolean]>();
  private readonly closed = new Listeners<[TransportErrorCode]>();

  constructor(private readonly options: PcscTransportOptions) {
    this.id = options.id ?? `pcsc:${options.readerName}`;
  }

  get cardPresent(): boolean {
    return this.present;
  }
  /** ATR of the present card (not personal data: it identifies the chip platform). */
  get atr(): Uint8Array | undefined {
    return this.atr_;
  }
  get status(): TransportStatus {
    return this.status_;
  }
  get statusReason(): string | undefined {
    return this.reason_;
  }

  async open(): Promise<void> {
    if (this.status_ === 'open') return;
    const loaded = await (this.options.loadPcsc ?? loadPcsc)();
    if (!loaded.ok) throw this.unavailable('binding-unavailable', `smartcard binding unavailable: ${loaded.reason}`);
    const pcsc = loaded.module;
    let context: PcscContext;
    try {
      context = new pcsc.Context();
    } catch (error) {
      throw this.unavailable(
        'service-unavailable',
        `PC/SC service unavailable (is pcscd running?): ${messageOf(error)}`,
      );
    }
    const reader = safeList(context).find((r) => r.name === this.options.readerName);
    if (!reader) {
      context.close();
      this.setStatus('disconnected', 'reader not present');
      throw new PcscTransportError('disconnected', 'reader-missing', `${this.id}: reader not present`);
    }
    this.pcsc = pcsc;
    this.context = context;
    this.setPresence(
      (reader.state & pcsc.SCARD_STATE_PRESENT) !== 0 && (reader.state & pcsc.SCARD_STATE_MUTE) === 0,
      reader.atr,
    );
    this.setStatus('open', undefined);
    try {
      const monitor = new pcsc.ReaderMonitor();
      monitor.start((event) => this.onMonitorEvent(event));
      this.monitor = monitor;
    } catch (error) {
      await this.close();
      throw this.unavailable('service-unavailable', `PC/SC monitor failed: ${messageOf(error)}`);
    }
  }

  onCardChange(listener: (present: boolean) => void) {
    return this.cardChanges.add(listener);
  }
  /** The reader went away (unplugged, pcscd stopped). Not called on a deliberate close(). */
  onClose(listener: (reason: TransportErrorCode) => void) {
    return this.closed.add(listener);
  }

  transmit(command: Uint8Array, options: { timeoutMs?: number } = {}): Promise<Uint8Array> {
    const run = this.chain.then(() =>
      this.transmitNow(Uint8Array.from(command), options.timeoutMs ?? this.options.transmitTimeoutMs ?? 5000),
    );
    this.chain = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    const { monitor, context, card } = this;
    this.monitor = undefined;
    this.context = undefined;
    this.card = undefined;
    if (this.status_ === 'open') this.setStatus('closed', undefined);
    try {
      monitor?.stop();
    } catch {
      // already stopped
    }
    disconnectQuietly(card, this.pcsc);
    try {
      context?.close();
    } catch {
      // already closed
    }
  }

  private async transmitNow(command: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    const pcsc = this.pcsc;
    if (!pcsc || !this.context || this.status_ !== 'open') {
      throw this.status_ === 'disconnected'
        ? new PcscTransportError('disconnected', 'reader-removed', `${this.id} is disconnected`)
        : new PcscTransportError('not-open', 'reader-missing', `${this.id} is not open`);
    }
    const card = this.card ?? (await this.connect(pcsc));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new PcscTransportError('timeout', 'transmit-timeout', `${this.id}: no answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      const response = await Promise.race([
        card.transmit(Buffer.from(command), { maxRecvLength: this.options.maxRecvLength ?? 65538 }),
        timeout,
      ]);
      return Uint8Array.from(response);
    } catch (error) {
      if (error instanceof PcscTransportError) throw error;
      throw this.mapCardError(card, error);
    } finally {
      clearTimeout(timer);
    }
  }

  private async connect(pcsc: PcscModule): Promise<PcscCard> {
    const reader = safeList(this.context).find((r) => r.name === this.options.readerName);
    if (!reader) throw new PcscTransportError('disconnected', 'reader-removed', `${this.id}: reader went away`);
    try {
      this.card = await reader.connect(pcsc.SCARD_SHARE_SHARED, pcsc.SCARD_PROTOCOL_T0 | pcsc.SCARD_PROTOCOL_T1);
    } catch (error) {
      const message = messageOf(error);
      if (/unresponsive/iu.test(message)) {
        throw new PcscTransportError('io-error', 'card-unresponsive', `${this.id}: card does not answer (${message})`);
      }
      if (/sharing/iu.test(message))
        throw new PcscTransportError('io-error', 'sharing-violation', `${this.id}: ${message}`);
      this.setPresence(false, null);
      throw new PcscTransportError('not-open', 'no-card', `${this.id}: no card (${message})`);
    }
    this.atr_ = this.card.atr ? Uint8Array.from(this.card.atr) : this.atr_;
    return this.card;
  }

  private mapCardError(card: PcscCard, error: unknown): PcscTransportError {
    const message = messageOf(error);
    if (/removed|no smart card|reset|not transacted|no longer/iu.test(message) || !card.connected) {
      disconnectQuietly(card, this.pcsc);
      if (this.card === card) this.card = undefined;
      this.setPresence(false, null);
      return new PcscTransportError('disconnected', 'card-removed', `${this.id}: card removed (${message})`);
    }
    if (/unknown reader|reader unavailable|service/iu.test(message)) {
      this.readerLost(message);
      return new PcscTransportError('disconnected', 'reader-removed', `${this.id}: reader went away (${message})`);
    }
    return new PcscTransportError('io-error', 'transmit-failed', `${this.id}: transmit failed (${message})`);
  }

  private onMonitorEvent(event: PcscMonitorEvent): void {
    if (event.reader !== this.options.readerName || !this.pcsc) return;
    switch (event.type) {
      case 'card-inserted':
        this.setPresence(true, event.atr);
        break;
      case 'card-removed':
        disconnectQuietly(this.card, this.pcsc);
        this.card = undefined;
        this.setPresence(false, null);
        break;
      case 'reader-detached':
        this.readerLost('reader detached');
        break;
      case 'reader-attached':
        if (this.status_ === 'disconnected' && this.context) {
          this.setStatus('open', undefined);
          this.setPresence((event.state & this.pcsc.SCARD_STATE_PRESENT) !== 0, event.atr);
        }
        break;
      case 'error':
        break;
    }
  }

  private readerLost(reason: string): void {
    if (this.status_ !== 'open') return;
    disconnectQuietly(this.card, this.pcsc);
    this.card = undefined;
    this.setPresence(false, null);
    this.setStatus('disconnected', reason);
    this.closed.emit('disconnected');
  }

  private setPresence(present: boolean, atr: Buffer | null): void {
    this.atr_ = present && atr ? Uint8Array.from(atr) : present ? this.atr_ : undefined;
    if (present === this.present) return;
    this.present = present;
    this.cardChanges.emit(present);
  }

  private unavailable(detail: PcscErrorDetail, reason: string): PcscTransportError {
    this.setStatus('unavailable', reason);
    return new PcscTransportError('unavailable', detail, reason);
  }

  private setStatus(status: TransportStatus, reason: string | undefined): void {
    this.status_ = status;
    this.reason_ = reason;
  }
}

/** Reader names known to pcscd, or a reason why none can be listed. */
export async function listPcscReaders(
  load: () => Promise<Loaded<PcscModule>> = loadPcsc,
): Promise<{ ok: true; readers: string[] } | { ok: false; reason: string }> {
  const loaded = await load();
  if (!loaded.ok) return { ok: false, reason: `smartcard binding unavailable: ${loaded.reason}` };
  let context: PcscContext;
  try {
    context = new loaded.module.Context();
  } catch (error) {
    return { ok: false, reason: `PC/SC service unavailable: ${messageOf(error)}` };
  }
  try {
    return { ok: true, readers: safeList(context).map((r) => r.name) };
  } finally {
    context.close();
  }
}

function safeList(context: PcscContext | undefined) {
  if (!context) return [];
  try {
    return context.listReaders();
  } catch {
    // SCARD_E_NO_READERS_AVAILABLE is thrown, not returned as an empty list.
    return [];
  }
}

function disconnectQuietly(card: PcscCard | undefined, pcsc: PcscModule | undefined): void {
  if (!card) return;
  try {
    card.disconnect(pcsc?.SCARD_LEAVE_CARD);
  } catch {
    // the card or reader is already gone
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
