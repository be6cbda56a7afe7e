import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  DelimiterFramer,
  InterByteTimeoutFramer,
  endsInsideUtf8Sequence,
  type FramerEvent,
  type Scheduler,
} from './serial-line.framer';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (events: FramerEvent[]) =>
  events.flatMap((e) => (e.kind === 'payload' ? [new TextDecoder().decode(e.bytes)] : [`<${e.code}>`]));

/** Splits bytes at the given cut lengths (0-length cuts allowed). */
function chunk(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let offset = 0;
  for (const c of cuts) {
    if (offset >= bytes.length) break;
    out.push(bytes.subarray(offset, offset + c));
    offset += c;
  }
  if (offset < bytes.length) out.push(bytes.subarray(offset));
  return out;
}

const vietnamese = 'Nguyễn Thị Lan|Số 1 Đường Lê Lợi, Phường Bến Thành';

describe('DelimiterFramer', () => {
  it('splits on CR and keeps Vietnamese split mid-letter intact', () => {
    const events: FramerEvent[] = [];
    const f = new DelimiterFramer([0x0d], (e) => events.push(e));
    for (const c of chunk(enc(`${vietnamese}\r079188012345\r`), [1, 2, 3, 5, 7, 1, 1, 1])) f.push(c);
    expect(dec(events)).toEqual([vietnamese, '079188012345']);
  });

  it('finds a two-byte delimiter split across chunks', () => {
    const events: FramerEvent[] = [];
    const f = new DelimiterFramer([0x0d, 0x0a], (e) => events.push(e));
    f.push(enc('AB\r'));
    f.push(enc('\nCD\r'));
    f.push(enc('\n'));
    expect(dec(events)).toEqual(['AB', 'CD']);
  });

  it('drops an over-long frame up to its delimiter, then recovers', () => {
    const events: FramerEvent[] = [];
    const f = new DelimiterFramer([0x0d], (e) => events.push(e), 8);
    f.push(enc('0123456789'));
    f.push(enc('ABC\rOK\r'));
    expect(dec(events)).toEqual(['<too-long>', 'OK']);
  });

  it('drops an unterminated partial frame after a silence instead of gluing it to the next scan', () => {
    const events: FramerEvent[] = [];
    let nowMs = 0;
    const f = new DelimiterFramer(
      [0x0d],
      (e) => events.push(e),
      8192,
      1000,
      () => nowMs,
    );
    f.push(Uint8Array.of(0xff, 0x00, 0x41));
    nowMs += 500;
    f.push(enc('B'));
    nowMs += 1001;
    f.push(enc('OK\r'));
    expect(events.map((e) => (e.kind === 'payload' ? new TextDecoder().decode(e.bytes) : e.code))).toEqual([
      'stale',
      'OK',
    ]);
  });

  it('property: any chunking yields the same frames', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => s.replace(/\r/gu, '')),
          { maxLength: 6 },
        ),
        fc.array(fc.nat(12), { maxLength: 60 }),
        (frames, cuts) => {
          const events: FramerEvent[] = [];
          const f = new DelimiterFramer([0x0d], (e) => events.push(e));
          for (const c of chunk(enc(frames.map((x) => `${x}\r`).join('')), cuts)) f.push(c);
          expect(dec(events)).toEqual(frames);
        },
      ),
    );
  });

  it('fuzz: random bytes and delimiters never throw', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 3 }),
        fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 30 }),
        (delimiter, chunks) => {
          const f = new DelimiterFramer([...delimiter], () => undefined, 64);
          for (const c of chunks) f.push(c);
          f.flush();
        },
      ),
    );
  });
});

describe('InterByteTimeoutFramer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('ends a frame when the line goes quiet', () => {
    const events: FramerEvent[] = [];
    const f = new InterByteTimeoutFramer(50, (e) => events.push(e));
    for (const c of chunk(enc(vietnamese), [3, 4, 5])) {
      f.push(c);
      vi.advanceTimersByTime(10);
    }
    expect(events).toEqual([]);
    vi.advanceTimersByTime(50);
    expect(dec(events)).toEqual([vietnamese]);
  });

  it('waits one more period when the quiet falls inside a UTF-8 sequence', () => {
    const events: FramerEvent[] = [];
    const f = new InterByteTimeoutFramer(50, (e) => events.push(e));
    const bytes = enc('Lợi');
    f.push(bytes.subarray(0, 2)); // "L" + first byte of "ợ"
    vi.advanceTimersByTime(60);
    expect(events).toEqual([]);
    f.push(bytes.subarray(2));
    vi.advanceTimersByTime(60);
    expect(dec(events)).toEqual(['Lợi']);
  });

  it('a timer that fires late (a busy PC) listens once more: bytes read after it still join the frame', () => {
    const events: FramerEvent[] = [];
    const clock = manualScheduler();
    const f = new InterByteTimeoutFramer(50, (e) => events.push(e), 8192, clock.scheduler);
    f.push(enc('079188'));
    clock.fire(300); // due at 50, ran at 300: the rest of the code may be waiting behind this timer
    expect(events).toEqual([]);
    f.push(enc('012345'));
    clock.fire(350); // on time, nothing new: the line was quiet while the agent listened
    expect(dec(events)).toEqual(['079188012345']);
  });

  it('a PC that stays busy still ends the frame after a few late periods', () => {
    const events: FramerEvent[] = [];
    const clock = manualScheduler();
    const f = new InterByteTimeoutFramer(50, (e) => events.push(e), 8192, clock.scheduler);
    f.push(enc('BHYT'));
    for (let at = 200; events.length === 0 && at < 10_000; at += 200) clock.fire(at);
    expect(dec(events)).toEqual(['BHYT']);
    expect(clock.now).toBeLessThanOrEqual(1000);
  });

  it('rejects an over-long burst once', () => {
    const events: FramerEvent[] = [];
    const f = new InterByteTimeoutFramer(50, (e) => events.push(e), 4);
    f.push(enc('abc'));
    f.push(enc('def'));
    f.push(enc('g'));
    vi.advanceTimersByTime(200);
    expect(dec(events)).toEqual(['<too-long>']);
  });

  it('fuzz: random chunks with random pauses never throw and leave no timer behind after dispose', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.uint8Array({ maxLength: 20 }), fc.nat(120)), { maxLength: 30 }), (steps) => {
        const f = new InterByteTimeoutFramer(50, () => undefined, 64);
        for (const [c, pause] of steps) {
          f.push(c);
          vi.advanceTimersByTime(pause);
        }
        f.dispose();
        expect(vi.getTimerCount()).toBe(0);
      }),
    );
  });
});

describe('endsInsideUtf8Sequence', () => {
  it('detects an unfinished multi-byte letter', () => {
    const b = enc('ễ');
    expect(endsInsideUtf8Sequence([b])).toBe(false);
    expect(endsInsideUtf8Sequence([b.subarray(0, 1)])).toBe(true);
    expect(endsInsideUtf8Sequence([b.subarray(0, 2)])).toBe(true);
    expect(endsInsideUtf8Sequence([enc('A')])).toBe(false);
  });
});

/** Timers fired by hand at chosen times, for a clock that runs late. */
function manualScheduler() {
  const state = { now: 0, due: undefined as (() => void) | undefined };
  const scheduler: Scheduler = {
    setTimeout: (fn) => (state.due = fn),
    clearTimeout: (handle) => {
      if (state.due === handle) state.due = undefined;
    },
    now: () => state.now,
  };
  return {
    scheduler,
    get now() {
      return state.now;
    },
    fire(atMs: number) {
      state.now = atMs;
      const due = state.due;
      state.due = undefined;
      due?.();
    },
  };
}
