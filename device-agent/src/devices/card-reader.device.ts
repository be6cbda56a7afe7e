/**
 * The chip card reader as the rest of the agent sees it. When a card enters the field the reader
 * only says so (`card:present`, a readId and nothing else: no APDU is sent); the chip is read once
 * the patient has consented on the kiosk page (`consent(readId)`, vietnam.md §6). A card removed
 * before that ends the presentation with `card:failed` 'card-removed'; a withdrawn consent (the
 * page wiped its session) forgets it. The read uses the session's access key (CCCD QR scanned
 * just before, or a key typed by staff), and becomes the kiosk-flow events: `card:progress`
 * (bytes read / total) → `card:identity` as soon as DG1 + DG13 are in → `card:face` (JPEG in
 * memory, base64 only over the loopback socket; a JPEG 2000 face arrives converted to PNG)
 * → `card:authenticity`; or `card:failed` with a code, a patient hint and a staff reason.
 * One read at a time; a card pulled mid-read ends it with 'card-removed'. Nothing personal is
 * logged or kept: the face buffer is zeroed once the read ends.
 */
import { randomUUID } from 'node:crypto';
import {
  err,
  ok,
  type CardAuthenticityEvent,
  type CardFace,
  type CardFailure,
  type CardIdentity,
  type CardPresent,
  type CardProgress,
  type DeviceState,
  type Result,
} from '@kiosk/protocol';
import type { CardReaderProfile } from '@kiosk/hardware-profiles';
import {
  cardAuthenticityOf,
  cardFailureCodeOf,
  readChip,
  type ChipReadOptions,
  type FaceImage,
  type KeySource,
  type SessionKey,
  type TrustStore,
} from '../identity';
import { Listeners, TransportError, type Unsubscribe } from '../transports/transport';
import type { Logger } from '../logger';
import type { DeviceRegistry } from './device-registry';
import type { ReaderTransport } from './device-source';

export type CardEvent =
  | { type: 'card:present'; payload: CardPresent }
  | { type: 'card:progress'; payload: CardProgress }
  | { type: 'card:identity'; payload: CardIdentity; keySource: KeySource }
  | { type: 'card:face'; payload: CardFace }
  | { type: 'card:authenticity'; payload: CardAuthenticityEvent }
  /**
   * `access`: for the identification session, what the failure says about the key: none was
   * available ('no-key'), or the chip refused the one from `keySource` ('refused').
   */
  | { type: 'card:failed'; payload: CardFailure; access?: { outcome: 'no-key' | 'refused'; keySource?: KeySource } };

export type { KeySource, SessionKey };

/** The chip refused the key (every candidate it gives): another key may open it. */
const ACCESS_REFUSALS = new Set(['bad-access-key', 'bac-refused', 'pace-refused']);

export interface CardReaderOptions {
  id: string;
  profile: CardReaderProfile;
  transport: ReaderTransport;
  registry: DeviceRegistry;
  trustStore: () => TrustStore;
  /**
   * The identification session's key, asked for at each read when the reader's own optics give
   * none (or gave one the chip refused).
   */
  sessionKey: () => SessionKey | undefined;
  log: Logger;
  /** Passed to readChip (tests: deterministic randomness, a short APDU timeout). */
  readOptions?: Pick<
    ChipReadOptions,
    'apduTimeoutMs' | 'maxChunkBytes' | 'randomBytes' | 'now' | 'validityAt' | 'extendedLength'
  >;
}

/** Chip-read failures that a card leaving the field can cause. */
const LINK_FAILURES = new Set(['reader-error', 'bad-mac', 'secure-messaging-lost']);
/** How long a reader may take to report a removal after the failed APDU (pcscd polls some drivers every 400 ms). */
const REMOVAL_SETTLE_MS = 1000;

/** Faces larger than this are not sent (the protocol caps the base64 at 400 000 characters). */
const MAX_FACE_BYTES = 290_000;

export class CardReader {
  readonly id: string;
  readonly events = new Listeners<[CardEvent]>();
  private state_: DeviceState = 'disconnected';
  private reason_: string | undefined;
  private reading: Promise<void> | undefined;
  private rereadPending = false;
  private waitingForKey = false;
  /** The presentation (readId) whose printed MRZ the chip refused: the optics are not asked again for it. */
  private opticsRefusedFor: string | undefined;
  /** The card on the reader now: its readId and whether its holder consented to the read. */
  private presented: { readId: string; consented: boolean; readStarted: boolean } | undefined;
  private closed = false;
  private subscriptions: Unsubscribe[] = [];

  constructor(private readonly options: CardReaderOptions) {
    this.id = options.id;
    if (!options.registry.get(this.id)) this.publish();
  }

  get state(): DeviceState {
    return this.state_;
  }
  get cardPresent(): boolean {
    return this.options.transport.cardPresent;
  }
  /**
   * A card lies here and is being read, or waits for its holder's consent or for a key (none was
   * available, or the chip refused it): a QR scanned now belongs to this card.
   */
  get cardAwaitingRead(): boolean {
    if (this.closed || !this.cardPresent) return false;
    if (this.reading) return true;
    return this.presented !== undefined && (this.waitingForKey || !this.presented.readStarted);
  }
  /** Resolves when the read in progress (if any) has ended. */
  idle(): Promise<void> {
    return this.reading ?? Promise.resolve();
  }

  /** Opens the reader; a card already in the field is read at once. Never throws. */
  async start(): Promise<boolean> {
    const t = this.options.transport;
    try {
      await t.open?.();
    } catch (error) {
      const code = error instanceof TransportError ? error.code : 'io-error';
      this.setState(
        code === 'disconnected' ? 'disconnected' : 'error',
        code === 'unavailable' ? 'transport-unavailable' : code === 'disconnected' ? 'unplugged' : 'transport-error',
        error instanceof Error ? error.message : String(error),
      );
      return false;
    }
    this.subscriptions.push(
      t.onCardChange((present) => {
        if (present) this.onCardPresent();
        else this.onCardGone();
      }),
    );
    if (t.onClose)
      this.subscriptions.push(
        t.onClose(() => {
          this.options.registry.count(this.id, 'disconnects');
          this.setState('disconnected', 'unplugged');
        }),
      );
    this.setState('ready', undefined);
    if (t.cardPresent) this.onCardPresent();
    return true;
  }

  /**
   * The patient agreed to the privacy notice for the card announced with this readId: read it now.
   * Refused (nothing read) when no such card waits on this reader.
   */
  consent(readId: string): Result<null> {
    const p = this.presented;
    if (this.closed || !p || p.readId !== readId || !this.cardPresent)
      return err('no-card', 'no card waiting for consent with this readId', 'try-again');
    if (p.consented) return ok(null);
    p.consented = true;
    this.startRead(p.readId);
    return ok(null);
  }

  /**
   * The kiosk page wiped its session (patient declined, left, or the idle timer): a consent given
   * for the card on the reader no longer stands. The presentation itself holds only its random
   * readId (nothing was read), so a page that wiped just as the card arrived can still ask. A read
   * already running finishes (its holder consented and the card is still there).
   */
  withdrawConsent(): void {
    if (this.presented) this.presented.consented = false;
  }

  /**
   * A key just became available (QR scanned, staff typed it): a card that is lying on the reader
   * and was refused for want of a key is read again now if its holder's consent still stands, or
   * announced again so that the page asks for it.
   */
  keyAvailable(): void {
    if (!this.waitingForKey || !this.cardPresent || this.closed || this.reading) return;
    if (this.presented?.consented) this.startRead(this.presented.readId);
    else this.onCardPresent(true);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const u of this.subscriptions) u();
    this.subscriptions = [];
    await this.reading?.catch(() => undefined);
    await this.options.transport.close().catch(() => undefined);
  }

  /** A card entered the field: announce it (no personal data, nothing read) and wait for consent. */
  private onCardPresent(again = false): void {
    if (this.closed) return;
    if (this.reading) {
      this.rereadPending = true;
      return;
    }
    if (this.presented && !this.presented.consented && !again) return;
    const readId = randomUUID();
    this.presented = { readId, consented: false, readStarted: false };
    this.emit({ type: 'card:present', payload: { readId } });
  }

  /** The card left the field; one that was never consented to ends here, with nothing read. */
  private onCardGone(): void {
    this.waitingForKey = false;
    this.opticsRefusedFor = undefined;
    const p = this.presented;
    this.presented = undefined;
    if (!p || p.readStarted || this.reading) return;
    this.emit({
      type: 'card:failed',
      payload: { readId: p.readId, code: 'card-removed', reason: 'card-removed before consent' },
    });
  }

  private startRead(readId: string): void {
    if (this.presented?.readId === readId) this.presented.readStarted = true;
    this.reading = this.read(readId).finally(() => {
      this.reading = undefined;
      if (this.rereadPending && !this.closed) {
        this.rereadPending = false;
        // A card swapped during the read: the new one is announced and waits for its own consent.
        if (this.cardPresent) {
          if (this.presented?.readId === readId) this.presented = undefined;
          this.onCardPresent();
        }
      }
    });
  }

  private emit(event: CardEvent): void {
    try {
      this.events.emit(event);
    } catch (e) {
      this.options.log.warn({ reader: this.id, err: String(e).slice(0, 100) }, 'card event listener failed');
    }
  }

  private async read(readId: string): Promise<void> {
    const { registry, log } = this.options;
    this.waitingForKey = false;
    this.rereadPending = false;
    registry.count(this.id, 'reads');
    this.setState('busy', undefined);
    this.emit({ type: 'card:progress', payload: { readId, step: 'detected', percent: 0 } });
    const session = this.opticalKey(readId) ?? this.options.sessionKey();
    if (!session) {
      this.waitingForKey = true;
      this.fail(
        readId,
        {
          code: 'access-denied',
          hint: 'scan-qr-instead',
          reason: 'no-access-key: scan the CCCD QR or enter the ID and dates',
        },
        { outcome: 'no-key' },
      );
      this.settle();
      return;
    }
    let lastPercent = -1;
    let lastStep = '';
    let face: FaceImage | undefined;
    const started = performance.now();
    const result = await readChip(
      this.options.transport,
      { key: session.key, trustStore: this.options.trustStore(), ...this.options.readOptions },
      {
        onProgress: (p) => {
          if (p.percent === lastPercent && p.step === lastStep) return;
          lastPercent = p.percent;
          lastStep = p.step;
          this.emit({
            type: 'card:progress',
            payload: {
              readId,
              step: p.step,
              percent: p.percent,
              bytesRead: p.bytesRead,
              bytesTotal: p.bytesKnownTotal,
            },
          });
        },
        onIdentity: (e) => {
          this.emit({
            type: 'card:identity',
            payload: { readId, identity: e.identity, authenticity: cardAuthenticityOf(undefined) },
            keySource: session.source,
          });
        },
        onFace: (f) => {
          face = f;
          // JPEG as stored, or PNG the identity layer converted from JPEG 2000.
          const mime = f.mimeType === 'image/jpeg' || f.mimeType === 'image/png' ? f.mimeType : undefined;
          if (!mime || f.bytes.length > MAX_FACE_BYTES) {
            registry.noteError(this.id, `face not shown: ${f.mimeType}, ${f.bytes.length} bytes`);
            return;
          }
          this.emit({
            type: 'card:face',
            payload: { readId, mime, dataBase64: Buffer.from(f.bytes).toString('base64') },
          });
        },
        onAuthenticity: (a, verification) => {
          this.emit({
            type: 'card:authenticity',
            payload: { readId, authenticity: cardAuthenticityOf(a, verification) },
          });
        },
      },
    );
    face?.bytes.fill(0);
    face = undefined;
    const ms = Math.round(performance.now() - started);
    if (result.ok) {
      registry.count(this.id, 'readsOk');
      log.info(
        {
          reader: this.id,
          keySource: session.source,
          ms,
          apdus: result.value.stats.apdus,
          access: result.value.verification.access,
          pa: result.value.verification.pa,
          ca: result.value.verification.ca,
          aa: result.value.verification.aa,
          verified: result.value.verification.verified,
          ...(result.value.verification.unverifiedReasons.length > 0 && {
            unverified: result.value.verification.unverifiedReasons.join(','),
          }),
          ...(result.value.anomalies.length > 0 && { anomalies: result.value.anomalies.join(',') }),
        },
        'chip read',
      );
    } else {
      const e = result.error;
      // Some readers answer a pulled card with an empty or garbled response before they report
      // the removal: a link failure during which the card left the field is a removal.
      const removed =
        e.code === 'card-removed' || (LINK_FAILURES.has(e.code) && (await this.cardGone(REMOVAL_SETTLE_MS)));
      log.warn(
        { reader: this.id, keySource: session.source, ms, code: e.code, stage: e.stage, sw: e.sw, removed },
        'chip read failed',
      );
      const refused = !removed && ACCESS_REFUSALS.has(e.code);
      if (refused) this.waitingForKey = true;
      if (refused && session.source === 'mrz-optics') this.opticsRefusedFor = readId;
      this.fail(
        readId,
        removed
          ? { code: 'card-removed', hint: 'hold-card-still', reason: `card-removed: ${e.code}: ${e.message}` }
          : { code: cardFailureCodeOf(e.code), hint: e.hint, reason: `${e.code}: ${e.message}` },
        refused ? { outcome: 'refused', keySource: session.source } : undefined,
      );
    }
    this.settle();
  }

  /** True when the card is out of the field now or leaves it within `ms`. */
  private cardGone(ms: number): Promise<boolean> {
    if (!this.options.transport.cardPresent) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        off();
        resolve(false);
      }, ms);
      const off = this.options.transport.onCardChange((present) => {
        if (present) return;
        clearTimeout(timer);
        off();
        resolve(true);
      });
    });
  }

  /**
   * A reader with MRZ optics (a profile capability) reads the printed MRZ of the card lying on it:
   * the first key source, unless the chip already refused it for this presentation.
   */
  private opticalKey(readId: string): SessionKey | undefined {
    if (!this.options.profile.capabilities.mrzOptics || this.opticsRefusedFor === readId) return undefined;
    const lines = this.options.transport.printedMrz?.();
    return lines && lines.length > 0
      ? { key: { kind: 'mrz', mrz: lines.join('\n') }, source: 'mrz-optics' }
      : undefined;
  }

  private fail(
    readId: string,
    failure: Omit<CardFailure, 'readId'>,
    access?: { outcome: 'no-key' | 'refused'; keySource?: KeySource },
  ): void {
    this.options.registry.count(this.id, 'readsFailed');
    if (failure.reason) this.options.registry.noteError(this.id, failure.reason);
    this.emit({ type: 'card:failed', payload: { readId, ...failure }, ...(access && { access }) });
  }

  /** After a read: ready again, unless the reader went away meanwhile. */
  private settle(): void {
    if (this.state_ === 'busy') this.setState('ready', undefined);
  }

  private publish(lastError?: string): void {
    if (this.closed) return;
    this.options.registry.update({
      id: this.id,
      class: 'card-reader',
      profileId: this.options.profile.id,
      state: this.state_,
      ...(this.reason_ !== undefined && { reason: this.reason_ }),
      ...(lastError !== undefined && { lastError }),
    });
  }

  private setState(state: DeviceState, reason: string | undefined, lastError?: string): void {
    if (state === this.state_ && reason === this.reason_ && lastError === undefined) return;
    this.state_ = state;
    this.reason_ = reason;
    this.publish(lastError);
  }
}
