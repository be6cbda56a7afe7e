import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyboardWedgeDetector, type WedgeVerdict } from './keyboard-wedge';

function type(d: KeyboardWedgeDetector, text: string, gapMs: number, start = 0, terminator = 'Enter'): WedgeVerdict[] {
  const keys = [...text, terminator];
  return keys.map((key, i) => d.feed({ key, timeStamp: start + i * gapMs }));
}

describe('KeyboardWedgeDetector', () => {
  it('a fast burst ending in Enter is a scan', () => {
    const verdicts = type(new KeyboardWedgeDetector(), '8935049500384', 8);
    expect(verdicts.at(-1)).toEqual({ kind: 'scan', payload: '8935049500384' });
    expect(verdicts.slice(0, -1).every((v) => v.kind === 'buffering')).toBe(true);
  });

  it('Tab also terminates; shift keys inside a burst are ignored', () => {
    const d = new KeyboardWedgeDetector();
    d.feed({ key: 'Shift', timeStamp: 0 });
    const v = type(d, 'ABCD', 5, 1, 'Tab');
    expect(v.at(-1)).toEqual({ kind: 'scan', payload: 'ABCD' });
  });

  it('human typing (80+ ms apart) is never a scan', () => {
    const verdicts = type(new KeyboardWedgeDetector(), 'hello', 120);
    expect(verdicts.some((v) => v.kind === 'scan')).toBe(false);
  });

  it('a human pause hands the held-back keys back as typing', () => {
    const d = new KeyboardWedgeDetector();
    d.feed({ key: 'a', timeStamp: 0 });
    expect(d.feed({ key: 'b', timeStamp: 200 })).toEqual({ kind: 'typing', keys: 'a' });
    expect(d.poll(1000)).toEqual({ kind: 'typing', keys: 'b' });
  });

  it('too short a burst is typing (key repeat, fast fingers)', () => {
    expect(type(new KeyboardWedgeDetector(), 'ab', 5).at(-1)).toEqual({ kind: 'typing', keys: 'ab' });
  });

  it('scanners without a suffix: a quiet burst ends the scan when configured', () => {
    const d = new KeyboardWedgeDetector({ endWithoutTerminatorMs: 60 });
    for (const [i, key] of [...'12345678'].entries()) d.feed({ key, timeStamp: i * 5 });
    expect(d.poll(50)).toBeUndefined();
    expect(d.poll(120)).toEqual({ kind: 'scan', payload: '12345678' });
  });

  it('keeps non-ASCII characters the page received', () => {
    expect(type(new KeyboardWedgeDetector(), 'Nguyễn', 4).at(-1)).toEqual({ kind: 'scan', payload: 'Nguyễn' });
  });

  it('fuzz: any key sequence never throws and never loses characters silently', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.oneof(fc.string({ minLength: 1, maxLength: 1 }), fc.constantFrom('Enter', 'Tab', 'Shift', 'Backspace')),
            fc.nat(200),
          ),
        ),
        (events) => {
          const d = new KeyboardWedgeDetector();
          let t = 0;
          let fed = '';
          let returned = '';
          const collect = (v: WedgeVerdict | undefined) => {
            if (v?.kind === 'scan') returned += v.payload;
            if (v?.kind === 'typing') returned += v.keys;
          };
          for (const [key, gap] of events) {
            t += gap;
            if ([...key].length === 1) fed += key;
            collect(d.feed({ key, timeStamp: t }));
          }
          collect(d.poll(t + 10_000));
          expect(returned).toBe(fed);
        },
      ),
    );
  });
});
