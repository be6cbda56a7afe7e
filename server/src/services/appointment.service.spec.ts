import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bookingCodeSchema } from '@kiosk/protocol';
import { newBookingCode, timingOf } from './appointment.service';

describe('appointment window', () => {
  const window = { earlyMin: 30, lateMin: 15 };
  const at = '2026-03-02T02:00:00.000Z';
  const plus = (min: number) => new Date(Date.parse(at) + min * 60_000);

  it('early before the window, on time inside it (edges included), late after it', () => {
    expect(timingOf(at, plus(-31), window)).toBe('early');
    expect(timingOf(at, plus(-30), window)).toBe('on-time');
    expect(timingOf(at, plus(0), window)).toBe('on-time');
    expect(timingOf(at, plus(15), window)).toBe('on-time');
    expect(timingOf(at, plus(16), window)).toBe('late');
  });

  it('moves monotonically from early to late as time passes', () => {
    fc.assert(
      fc.property(fc.integer({ min: -600, max: 600 }), fc.integer({ min: 0, max: 600 }), (a, d) => {
        const order = { early: 0, 'on-time': 1, late: 2 };
        expect(order[timingOf(at, plus(a), window)]).toBeLessThanOrEqual(order[timingOf(at, plus(a + d), window)]);
      }),
    );
  });
});

describe('booking codes', () => {
  it('are what the kiosk accepts as a typed code', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), (bytes) => {
        const code = newBookingCode(() => bytes);
        expect(bookingCodeSchema.parse(code)).toBe(code);
      }),
    );
  });
});
