/**
 * Keyboard-wedge scanner detection for the browser (the OS owns keyboards, so only the page sees
 * these keys). A scanner "types" 1–20 ms apart and ends with Enter or Tab; people type 80+ ms
 * apart. A burst of at least `minLength` characters with every gap ≤ `maxGapMs`, closed by a
 * terminator, is a scan. Keyboard layouts mangle non-ASCII, so Vietnamese QR text through a
 * wedge is unreliable: prefer HID POS or CDC. Pure TypeScript, no DOM or Node APIs: feed it
 * `{ key, timeStamp }` from keydown events — the event's own `timeStamp` (when the OS took the key
 * from the device), never the time the handler runs: a busy kiosk PC handles a scanner's keys late
 * and bunched, but their stamps keep the scanner's spacing.
 */

export interface WedgeKey {
  /** KeyboardEvent.key: a single character, or a name such as 'Enter', 'Tab', 'Shift'. */
  key: string;
  /** KeyboardEvent.timeStamp (ms). */
  timeStamp: number;
}

export interface KeyboardWedgeOptions {
  /** Largest gap between two keys of one scan (default 30 ms). */
  maxGapMs?: number;
  /** Shortest scan (default 4 characters): shorter bursts are fast typing or key repeat. */
  minLength?: number;
  terminators?: readonly string[];
  /** Scanners configured without a suffix: a burst that goes quiet this long counts (0 = off). */
  endWithoutTerminatorMs?: number;
}

export type WedgeVerdict =
  /** The key belongs to a burst in progress: the page may hold it back from inputs. */
  | { kind: 'buffering' }
  /** A complete scan; the keys of the burst should not reach an input. */
  | { kind: 'scan'; payload: string }
  /** Not a scan: these keys (possibly held back) belong to the person typing. */
  | { kind: 'typing'; keys: string };

const ignoredKeys = new Set(['Shift', 'Control', 'Alt', 'Meta', 'CapsLock', 'AltGraph', 'Dead', 'Unidentified']);

export class KeyboardWedgeDetector {
  private readonly maxGapMs: number;
  private readonly minLength: number;
  private readonly terminators: ReadonlySet<string>;
  private readonly endWithoutTerminatorMs: number;
  private buffer = '';
  private lastAt = Number.NEGATIVE_INFINITY;

  constructor(options: KeyboardWedgeOptions = {}) {
    this.maxGapMs = options.maxGapMs ?? 30;
    this.minLength = options.minLength ?? 4;
    this.terminators = new Set(options.terminators ?? ['Enter', 'Tab']);
    this.endWithoutTerminatorMs = options.endWithoutTerminatorMs ?? 0;
  }

  feed(event: WedgeKey): WedgeVerdict {
    if (ignoredKeys.has(event.key))
      return this.buffer.length > 0 ? { kind: 'buffering' } : { kind: 'typing', keys: '' };
    const gap = event.timeStamp - this.lastAt;
    const inBurst = this.buffer.length > 0 && gap >= 0 && gap <= this.maxGapMs;
    if (this.terminators.has(event.key)) {
      if (inBurst && [...this.buffer].length >= this.minLength) {
        const payload = this.buffer;
        this.reset();
        return { kind: 'scan', payload };
      }
      const keys = this.buffer;
      this.reset();
      return { kind: 'typing', keys };
    }
    if ([...event.key].length !== 1) {
      const keys = this.buffer;
      this.reset();
      return { kind: 'typing', keys };
    }
    if (this.buffer.length > 0 && !inBurst) {
      // The gap was human: what was held back was typing; this key may start a new burst.
      const keys = this.buffer;
      this.buffer = event.key;
      this.lastAt = event.timeStamp;
      return { kind: 'typing', keys };
    }
    this.buffer += event.key;
    this.lastAt = event.timeStamp;
    return { kind: 'buffering' };
  }

  /**
   * Call from a timer while buffering: ends a burst that went quiet. Returns a scan (when
   * `endWithoutTerminatorMs` allows it) or the held-back keys as typing; undefined while it may go on.
   */
  poll(nowMs: number): WedgeVerdict | undefined {
    if (this.buffer.length === 0) return undefined;
    const quietMs = nowMs - this.lastAt;
    if (
      this.endWithoutTerminatorMs > 0 &&
      quietMs >= this.endWithoutTerminatorMs &&
      [...this.buffer].length >= this.minLength
    ) {
      const payload = this.buffer;
      this.reset();
      return { kind: 'scan', payload };
    }
    if (quietMs > Math.max(this.maxGapMs, this.endWithoutTerminatorMs)) {
      const keys = this.buffer;
      this.reset();
      return { kind: 'typing', keys };
    }
    return undefined;
  }

  reset(): void {
    this.buffer = '';
    this.lastAt = Number.NEGATIVE_INFINITY;
  }
}
