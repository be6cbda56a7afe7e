import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCommandApdu, encodeCommandApdu, type CommandApdu } from './apdu';
import { hex } from './bytes';

describe('command APDUs', () => {
  it('encodes the four short cases', () => {
    expect(hex(encodeCommandApdu({ cla: 0, ins: 0x84, p1: 0, p2: 0, le: 8 }))).toBe('0084000008');
    expect(hex(encodeCommandApdu({ cla: 0, ins: 0xa4, p1: 4, p2: 0x0c, data: Uint8Array.of(1, 2) }))).toBe(
      '00A4040C020102',
    );
    expect(hex(encodeCommandApdu({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 256 }))).toBe('00B0000000');
    expect(hex(encodeCommandApdu({ cla: 0, ins: 0xb0, p1: 0, p2: 0 }))).toBe('00B00000');
  });

  it('round-trips short and extended APDUs (fuzz)', () => {
    const apdu = fc.record(
      {
        cla: fc.integer({ min: 0, max: 255 }),
        ins: fc.integer({ min: 0, max: 255 }),
        p1: fc.integer({ min: 0, max: 255 }),
        p2: fc.integer({ min: 0, max: 255 }),
        data: fc.uint8Array({ minLength: 1, maxLength: 600 }),
        le: fc.integer({ min: 1, max: 65536 }),
      },
      { requiredKeys: ['cla', 'ins', 'p1', 'p2'] },
    );
    fc.assert(
      fc.property(apdu, (a: CommandApdu) => {
        const r = decodeCommandApdu(encodeCommandApdu(a));
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expect(r.value.le).toBe(a.le);
        expect(hex(r.value.data ?? new Uint8Array(0))).toBe(hex(a.data ?? new Uint8Array(0)));
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => void decodeCommandApdu(b)),
      { numRuns: 2000 },
    );
  });
});
