/**
 * Chip-ID reader modules on a USB-serial bridge: APDUs tunnelled over a ByteTransport in the
 * framing the profile names (capabilities.framing). The one framing defined here is our own
 * protocol for such readers, not a vendor's (the profile marks it uncertain):
 *
 *   'stx-len16be-type-lrc-etx': STX 0x02 · length (2 bytes, big-endian, of the payload) · payload ·
 *   LRC (XOR of the two length bytes and the payload) · ETX 0x03. The payload's first byte is the
 *   message type: 0x01 command APDU → 0x81 response APDU; 0x02 power-on → 0x82 ATR;
 *   0x03 card status → 0x83 present (0/1); 0x7F error (second byte an error code).
 *
 * The deframer resyncs on garbage: it scans for STX, checks length, LRC and ETX, and drops a bad
 * candidate by one byte so a real frame starting inside it is still found. A candidate left
 * incomplete when the line goes quiet is dropped after `frameGapMs`.
 * The host is strictly request/response, one message at a time; card presence is polled with a
 * status message every `pollMs`; the card is powered lazily on the first APDU after an insertion.
 */
import { Listeners, TransportError, type ApduTransport, type ByteTransport, type Unsubscribe } from './transport';

export interface SerialReaderFraming {
  readonly name: string;
  readonly stx: number;
  readonly etx: number;
  /** Largest payload accepted; longer lengths are treated as garbage (quick resync). */
  readonly maxPayloadBytes: number;
}

export const SERIAL_READER_MESSAGE = {
  command: 0x01,
  response: 0x81,
  powerOn: 0x02,
  atr: 0x82,
  status: 0x03,
  statusReply: 0x83,
  error: 0x7f,
} as const;

/** Error codes carried in a 0x7F message. */
export const SERIAL_READER_ERROR = {
  noCard: 0x01,
  cardMute: 0x02,
  badMessage: 0x03,
  notPowered: 0x04,
} as const;

/** The framings this transport speaks, by the name a profile gives in capabilities.framing. */
export const SERIAL_READER_FRAMINGS: Readonly<Record<string, SerialReaderFraming>> = {
  'stx-len16be-type-lrc-etx': {
    name: 'stx-len16be-type-lrc-etx',
    stx: 0x02,
    etx: 0x03,
    // A short APDU response is at most 258 bytes; 1 KiB leaves room without letting a garbage
    // length hold the deframer for 64 KiB.
    maxPayloadBytes: 1024,
  },
};

export function serialReaderFraming(name: string | undefined): SerialReaderFraming | undefined {
  return name === undefined ? undefined : SERIAL_READER_FRAMINGS[name];
}

const HEADER_BYTES = 3;
const TRAILER_BYTES = 2;

export function lrcOf(lengthHi: number, lengthLo: number, payload: Uint8Array): number {
  let lrc = lengthHi ^ lengthLo;
  for (const b of payload) lrc ^= b;
  return lrc & 0xff;
}

/** One frame on the wire for `payload` (type byte first). */
export function encodeSerialReaderFrame(framing: SerialReaderFraming, payload: Uint8Array): Uint8Array {
  if (payload.length < 1 || payload.length > Math.min(framing.maxPayloadBytes, 0xffff))
    throw new RangeError(`payload of ${payload.length} bytes does not fit a frame`);
  const hi = (payload.length >> 8) & 0xff;
  const lo = payload.length & 0xff;
  const frame = new Uint8Array(HEADER_BYTES + payload.length + TRAILER_BYTES);
  frame[0] = framing.stx;
  frame[1] = hi;
  frame[2] = lo;
  frame.set(payload, HEADER_BYTES);
  frame[HEADER_BYTES + payload.length] = lrcOf(hi, lo, payload);
  frame[HEADER_BYTES + payload.length + 1] = framing.etx;
  return frame;
}

/** Counts of what the deframer threw away (no payload bytes: they may be chip data). */
export interface DeframerStats {
  frames: number;
  droppedBytes: number;
  badFrames: number;
}

/**
 * Incremental deframer. push() takes any chunk and returns the payloads of the complete valid
 * frames it closed; it never throws and keeps at most one candidate frame of bytes.
 */
export class SerialReaderDeframer {
  private buffer = new Uint8Array(0);
  readonly stats: DeframerStats = { frames: 0, droppedBytes: 0, badFrames: 0 };

  constructor(private readonly framing: SerialReaderFraming) {}

  /** True while bytes of an unfinished candidate frame are held. */
  get pending(): boolean {
    return this.buffer.length > 0;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    if (chunk.length === 0) return [];
    const joined = new Uint8Array(this.buffer.length + chunk.length);
    joined.set(this.buffer);
    joined.set(chunk, this.buffer.length);
    this.buffer = joined;
    return this.drain();
  }

  /** The line went quiet mid-candidate: give the candidate up and rescan what follows its STX. */
  expire(): Uint8Array[] {
    if (this.buffer.length === 0) return [];
    this.drop(1, true);
    return this.drain();
  }

  reset(): void {
    this.buffer = new Uint8Array(0);
  }

  private drain(): Uint8Array[] {
    const out: Uint8Array[] = [];
    const { stx, etx, maxPayloadBytes } = this.framing;
    for (;;) {
      const start = this.buffer.indexOf(stx);
      if (start < 0) {
        this.drop(this.buffer.length, false);
        return out;
      }
      if (start > 0) this.drop(start, false);
      const b = this.buffer;
      if (b.length < HEADER_BYTES) return out;
      const hi = b[1] ?? 0;
      const lo = b[2] ?? 0;
      const length = (hi << 8) | lo;
      if (length < 1 || length > maxPayloadBytes) {
        this.drop(1, true);
        continue;
      }
      const total = HEADER_BYTES + length + TRAILER_BYTES;
      if (b.length < total) return out;
      const payload = b.subarray(HEADER_BYTES, HEADER_BYTES + length);
      if (b[HEADER_BYTES + length] !== lrcOf(hi, lo, payload) || b[total - 1] !== etx) {
        this.drop(1, true);
        continue;
      }
      out.push(Uint8Array.from(payload));
      this.stats.frames++;
      this.buffer = b.subarray(total);
    }
  }

  private drop(n: number, badFrame: boolean): void {
    if (n <= 0) return;
    this.stats.droppedBytes += n;
    if (badFrame) this.stats.badFrames++;
    this.buffer = this.buffer.subarray(n);
  }
}

export interface SerialSmartReaderTransportOptions {
  /** The serial link (SerialTransport, or a SimulatedByteTransport in tests). */
  link: ByteTransport;
  /** The profile's capabilities.framing. */
  framing: string | undefined;
  id?: string;
  /** Card status poll period. */
  pollMs?: number;
  /** Default per-message timeout when transmit() gets none. */
  transmitTimeoutMs?: number;
  /** A candidate frame left unfinished this long with no new bytes is dropped. */
  frameGapMs?: number;
  /** Close the link on close() (default true). */
  ownsLink?: boolean;
}

interface Pending {
  expect: number;
  resolve: (payload: Uint8Array) => void;
  reject: (error: TransportError) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class SerialSmartReaderTransport implements ApduTransport {
  readonly id: string;
  private readonly framing: SerialReaderFraming | undefined;
  private deframer: SerialReaderDeframer | undefined;
  private readonly cardChanges = new Listeners<[boolean]>();
  private present = false;
  private powered = false;
  private atr_: Uint8Array | undefined;
  private open_ = false;
  private lost = false;
  private pending: Pending | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private pollTimer: ReturnType<typeof setInterval> | undefined;
  private gapTimer: ReturnType<typeof setTimeout> | undefined;
  private polling = false;
  private unsubscribes: Unsubscribe[] = [];

  constructor(private readonly options: SerialSmartReaderTransportOptions) {
    this.id = options.id ?? `serial-smart-reader:${options.link.id}`;
    this.framing = serialReaderFraming(options.framing);
  }

  get cardPresent(): boolean {
    return this.open_ && this.present;
  }
  /** ATR of the powered card (identifies the chip platform, no personal data). */
  get atr(): Uint8Array | undefined {
    return this.atr_;
  }
  /** What the deframer dropped so far (garbage on the line). */
  get deframerStats(): DeframerStats | undefined {
    return this.deframer?.stats;
  }

  onCardChange(listener: (present: boolean) => void): Unsubscribe {
    return this.cardChanges.add(listener);
  }

  /** Opens the link, asks for the card status once, then polls it every `pollMs`. */
  async open(): Promise<void> {
    if (this.open_) return;
    const framing = this.framing;
    if (!framing)
      throw new TransportError('unavailable', `${this.id}: unknown framing ${String(this.options.framing)}`);
    const link = this.options.link;
    if (!link.isOpen) await link.open();
    this.deframer = new SerialReaderDeframer(framing);
    this.lost = false;
    this.unsubscribes = [link.onData((chunk) => this.onChunk(chunk)), link.onClose(() => this.onLinkLost())];
    this.open_ = true;
    try {
      await this.pollStatus();
    } catch (error) {
      await this.close();
      throw error;
    }
    this.pollTimer = setInterval(() => void this.pollStatus().catch(() => undefined), this.options.pollMs ?? 500);
    this.pollTimer.unref?.();
  }

  transmit(command: Uint8Array, options: { timeoutMs?: number } = {}): Promise<Uint8Array> {
    const timeoutMs = options.timeoutMs ?? this.options.transmitTimeoutMs ?? 2000;
    return this.serialise(async () => {
      if (!this.present) throw new TransportError('disconnected', `${this.id}: no card in the field`);
      if (!this.powered) {
        const atr = await this.exchange(SERIAL_READER_MESSAGE.powerOn, new Uint8Array(0), timeoutMs);
        this.atr_ = atr;
        this.powered = true;
      }
      return this.exchange(SERIAL_READER_MESSAGE.command, command, timeoutMs);
    });
  }

  async close(): Promise<void> {
    if (!this.open_ && this.unsubscribes.length === 0) return;
    this.open_ = false;
    this.stopTimers();
    for (const u of this.unsubscribes.splice(0)) u();
    this.failPending(new TransportError('not-open', `${this.id} was closed`));
    this.setPresence(false);
    this.cardChanges.clear();
    if (this.options.ownsLink ?? true) await this.options.link.close().catch(() => undefined);
  }

  // ---- internals ------------------------------------------------------------------------------

  private async pollStatus(): Promise<void> {
    if (this.polling || !this.open_) return;
    this.polling = true;
    try {
      const reply = await this.serialise(() =>
        this.exchange(SERIAL_READER_MESSAGE.status, new Uint8Array(0), this.options.transmitTimeoutMs ?? 2000),
      );
      this.setPresence(reply[0] === 1);
    } finally {
      this.polling = false;
    }
  }

  private serialise<T>(task: () => Promise<T>): Promise<T> {
    const run = this.chain.then(task);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Sends one message and waits for its answer type (or an error message). */
  private async exchange(type: number, body: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    const framing = this.framing;
    if (!this.open_ || !framing) throw this.closedError();
    if (body.length + 1 > framing.maxPayloadBytes)
      throw new TransportError('io-error', `${this.id}: message of ${body.length} bytes is too long for the reader`);
    const payload = new Uint8Array(body.length + 1);
    payload[0] = type;
    payload.set(body, 1);
    const answer = new Promise<Uint8Array>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.pending?.timer !== timer) return;
        this.pending = undefined;
        reject(new TransportError('timeout', `${this.id}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending = { expect: type | 0x80, resolve, reject, timer };
    });
    try {
      await this.options.link.write(encodeSerialReaderFrame(framing, payload));
    } catch (error) {
      const pending = this.pending;
      if (pending) {
        clearTimeout(pending.timer);
        this.pending = undefined;
      }
      void answer.catch(() => undefined);
      if (error instanceof TransportError && error.code === 'disconnected') this.onLinkLost();
      throw error instanceof TransportError
        ? error
        : new TransportError('io-error', `${this.id}: write failed (${messageOf(error)})`);
    }
    return answer;
  }

  private onChunk(chunk: Uint8Array): void {
    const deframer = this.deframer;
    if (!deframer) return;
    this.handleFrames(deframer.push(chunk));
    this.armGapTimer();
  }

  private armGapTimer(): void {
    if (this.gapTimer) clearTimeout(this.gapTimer);
    this.gapTimer = undefined;
    if (!this.deframer?.pending) return;
    this.gapTimer = setTimeout(() => {
      this.gapTimer = undefined;
      const deframer = this.deframer;
      if (!deframer) return;
      this.handleFrames(deframer.expire());
      this.armGapTimer();
    }, this.options.frameGapMs ?? 200);
    this.gapTimer.unref?.();
  }

  private handleFrames(payloads: Uint8Array[]): void {
    for (const payload of payloads) {
      const type = payload[0];
      const pending = this.pending;
      // Unsolicited or late answers (after a timeout) are dropped.
      if (!pending) continue;
      if (type === SERIAL_READER_MESSAGE.error) {
        this.settle(pending);
        const code = payload[1];
        if (code === SERIAL_READER_ERROR.noCard) {
          this.setPresence(false);
          pending.reject(new TransportError('disconnected', `${this.id}: reader reports no card`));
        } else {
          if (code === SERIAL_READER_ERROR.notPowered) this.powered = false;
          pending.reject(new TransportError('io-error', `${this.id}: reader error 0x${hex(code ?? 0)}`));
        }
        continue;
      }
      if (type !== pending.expect) continue;
      this.settle(pending);
      pending.resolve(payload.subarray(1));
    }
  }

  private settle(pending: Pending): void {
    clearTimeout(pending.timer);
    if (this.pending === pending) this.pending = undefined;
  }

  private onLinkLost(): void {
    if (this.lost) return;
    this.lost = true;
    this.open_ = false;
    this.stopTimers();
    this.failPending(new TransportError('disconnected', `${this.id}: the reader link went away`));
    this.setPresence(false);
  }

  private failPending(error: TransportError): void {
    const pending = this.pending;
    if (!pending) return;
    this.settle(pending);
    pending.reject(error);
  }

  private setPresence(present: boolean): void {
    if (!present) {
      this.powered = false;
      this.atr_ = undefined;
    }
    if (present === this.present) return;
    this.present = present;
    this.cardChanges.emit(present);
  }

  private stopTimers(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.gapTimer) clearTimeout(this.gapTimer);
    this.pollTimer = undefined;
    this.gapTimer = undefined;
    this.deframer?.reset();
  }

  private closedError(): TransportError {
    return this.lost
      ? new TransportError('disconnected', `${this.id}: the reader link went away`)
      : new TransportError('not-open', `${this.id} is not open`);
  }
}

const hex = (n: number) => n.toString(16).padStart(2, '0');
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
