/**
 * Frames a serial/CDC scanner's byte stream into scans, per the profile: a suffix delimiter
 * (usually CR) or an inter-byte timeout (the line goes quiet). Frames are bytes: UTF-8 is decoded
 * only once a frame is complete, so a Vietnamese letter split across chunks stays intact, and an
 * inter-byte timeout that fires inside a UTF-8 sequence waits one more period before ending the
 * frame. The line counts as quiet only for a period the agent was free to listen: a timer that
 * runs late (a busy kiosk PC) may fire before the read loop has delivered bytes that arrived in
 * time, so it listens once more instead of cutting a scan in two. Never throws; an over-long
 * frame is dropped as 'too-long'.
 */
import { concat } from './hid-pos.parser';

export type FramerEvent = { kind: 'payload'; bytes: Uint8Array } | { kind: 'rejected'; code: 'too-long' | 'stale' };

export interface Framer {
  push(chunk: Uint8Array): void;
  /** Ends the frame in progress (e.g. the transport closed). */
  flush(): void;
  dispose(): void;
}

/** Timer functions, injectable so specs use fake timers and browsers could reuse the code. */
export interface Scheduler {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Monotonic milliseconds; default performance.now(). */
  now?(): number;
}
const realScheduler: Scheduler = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  now: () => performance.now(),
};

/** Extra periods a late timer may listen for before the frame ends regardless (a PC that stays busy). */
const MAX_LATE_RELISTENS = 4;

export class DelimiterFramer implements Framer {
  private buffer = new Uint8Array(0);
  /** An over-long frame is being discarded up to its delimiter. */
  private overflow = false;
  private readonly delimiter: Uint8Array;
  private lastByteAt = 0;

  /**
   * `staleAfterMs`: a scanner sends a code in one burst, so an unterminated partial frame followed
   * by this long a silence is line noise (or a cut-off code): it is dropped ('stale') instead of
   * being glued in front of the next scan.
   */
  constructor(
    delimiter: readonly number[],
    private readonly emit: (event: FramerEvent) => void,
    private readonly maxFrameBytes = 8192,
    private readonly staleAfterMs = 1000,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.delimiter = Uint8Array.from(delimiter.length > 0 ? delimiter : [0x0d]);
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const at = this.now();
    if ((this.buffer.length > 0 || this.overflow) && at - this.lastByteAt > this.staleAfterMs) {
      if (!this.overflow) this.emit({ kind: 'rejected', code: 'stale' });
      this.dispose();
    }
    this.lastByteAt = at;
    const d = this.delimiter;
    const buffer = concat([this.buffer, chunk]);
    // A delimiter may straddle the previous chunk and this one.
    let searchFrom = Math.max(0, this.buffer.length - (d.length - 1));
    let start = 0;
    for (let at = indexOf(buffer, d, searchFrom); at >= 0; at = indexOf(buffer, d, searchFrom)) {
      this.end(buffer.subarray(start, at));
      start = at + d.length;
      searchFrom = start;
    }
    let rest = buffer.subarray(start);
    if (!this.overflow && rest.length > this.maxFrameBytes) {
      this.overflow = true;
      this.emit({ kind: 'rejected', code: 'too-long' });
    }
    // While discarding, keep only enough bytes to recognise a split delimiter.
    if (this.overflow) rest = rest.subarray(Math.max(0, rest.length - (d.length - 1)));
    this.buffer = rest.slice();
  }

  flush(): void {
    if (this.buffer.length > 0) this.end(this.buffer);
    this.dispose();
  }

  dispose(): void {
    this.buffer = new Uint8Array(0);
    this.overflow = false;
  }

  private end(frame: Uint8Array): void {
    if (this.overflow) this.overflow = false;
    else if (frame.length > this.maxFrameBytes) this.emit({ kind: 'rejected', code: 'too-long' });
    else this.emit({ kind: 'payload', bytes: frame.slice() });
  }
}

export class InterByteTimeoutFramer implements Framer {
  private parts: Uint8Array[] = [];
  private size = 0;
  private overflow = false;
  private timer: unknown;
  private armedAt = 0;
  private extended = false;
  private relistens = 0;

  constructor(
    private readonly timeoutMs: number,
    private readonly emit: (event: FramerEvent) => void,
    private readonly maxFrameBytes = 8192,
    private readonly scheduler: Scheduler = realScheduler,
  ) {}

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (!this.overflow) {
      if (this.size + chunk.length > this.maxFrameBytes) {
        this.overflow = true;
        this.parts = [];
        this.size = 0;
        this.emit({ kind: 'rejected', code: 'too-long' });
      } else {
        this.parts.push(Uint8Array.from(chunk));
        this.size += chunk.length;
      }
    }
    this.extended = false;
    this.relistens = 0;
    this.arm();
  }

  flush(): void {
    this.disarm();
    if (this.size > 0 && !this.overflow) this.emit({ kind: 'payload', bytes: concat(this.parts, this.size) });
    this.reset();
  }

  dispose(): void {
    this.disarm();
    this.reset();
  }

  private onQuiet(): void {
    this.timer = undefined;
    // Fired more than half a period late: the agent was busy, and bytes that came in meanwhile may
    // still wait behind this timer in the event loop. Quiet means a period spent listening.
    const lateMs = this.now() - this.armedAt - this.timeoutMs;
    if (lateMs > this.timeoutMs / 2 && this.relistens < MAX_LATE_RELISTENS) {
      this.relistens += 1;
      this.arm();
      return;
    }
    if (!this.extended && !this.overflow && endsInsideUtf8Sequence(this.parts)) {
      this.extended = true;
      this.arm();
      return;
    }
    this.flush();
  }

  private arm(): void {
    this.disarm();
    this.armedAt = this.now();
    this.timer = this.scheduler.setTimeout(() => this.onQuiet(), this.timeoutMs);
  }
  private now(): number {
    return this.scheduler.now ? this.scheduler.now() : performance.now();
  }
  private disarm(): void {
    if (this.timer !== undefined) this.scheduler.clearTimeout(this.timer);
    this.timer = undefined;
  }
  private reset(): void {
    this.parts = [];
    this.size = 0;
    this.overflow = false;
    this.extended = false;
    this.relistens = 0;
  }
}

/** True when the bytes end in the middle of a UTF-8 multi-byte sequence. */
export function endsInsideUtf8Sequence(parts: readonly Uint8Array[]): boolean {
  const last = parts[parts.length - 1];
  if (!last || last.length === 0) return false;
  const bytes = last.length >= 4 || parts.length === 1 ? last : concat(parts);
  for (let back = 1; back <= Math.min(4, bytes.length); back += 1) {
    const b = bytes[bytes.length - back] ?? 0;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: look further back for the lead
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back;
  }
  return false;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0] ?? 0;
  for (
    let i = haystack.indexOf(first, from);
    i >= 0 && i <= haystack.length - needle.length;
    i = haystack.indexOf(first, i + 1)
  ) {
    let match = true;
    for (let j = 1; j < needle.length; j += 1) {
      if (haystack[i + j] !== needle[j]) {
        match = false;
        break;
      }
    }
    if (match) return i;
  }
  return -1;
}
