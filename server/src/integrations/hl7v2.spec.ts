import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeHl7, hl7Timestamp, parseAck } from './hl7v2-message';
import { MllpDecoder, mllpFrame } from './mllp.codec';

describe('HL7 v2 text', () => {
  it('escapes every delimiter and keeps segments on one line', () => {
    expect(escapeHl7('a|b^c&d~e\\f\r\ng')).toBe('a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f g');
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(escapeHl7(s)).not.toMatch(/[|^&~\r\n]/u);
      }),
    );
  });
  it('writes facility-time timestamps', () => {
    expect(hl7Timestamp('2026-11-21T20:05:09.000Z', '+07:00')).toBe('20261122030509+0700');
  });
  it('reads AA, and AE with its ERR segment', () => {
    expect(parseAck('MSH|^~\\&|HIS|92012|KIOSK|92012|20261122||ACK^A04^ACK|1|P|2.5\rMSA|AA|CTRL1')).toEqual({
      code: 'AA',
      controlId: 'CTRL1',
    });
    expect(
      parseAck(
        'MSH|^~\\&|HIS||KIOSK||20261122||ACK|2|P|2.5\nMSA|AE|CTRL2|bad PID\nERR|||207^Application internal error|E',
      ),
    ).toEqual({ code: 'AE', controlId: 'CTRL2', text: 'bad PID / Application internal error', errorCode: '207' });
    expect(parseAck('MSH|^~\\&|x\rMSA|ZZ|1')).toBeUndefined();
    expect(parseAck('not hl7')).toBeUndefined();
  });
  it('never throws on any input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.anything()), (v) => {
        parseAck(v);
        if (typeof v === 'string') parseAck(`MSH|^~\\&|${v}\rMSA|${v}`);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('MLLP framing', () => {
  it('frames as 0x0B … 0x1C 0x0D in UTF-8', () => {
    expect([...mllpFrame('Ả')]).toEqual([0x0b, 0xe1, 0xba, 0xa2, 0x1c, 0x0d]);
  });
  it('decodes the same messages however the stream is split', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc
            .string({ minLength: 1 })
            .map((s) => [...s].filter((ch) => ch !== '\u000b' && ch !== '\u001c').join(''))
            .filter((s) => s.length > 0),
          {
            maxLength: 5,
          },
        ),
        fc.array(fc.nat(), { maxLength: 10 }),
        (messages, cuts) => {
          const stream = Buffer.concat([Buffer.from('noise'), ...messages.map(mllpFrame)]);
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
          const decoder = new MllpDecoder();
          const out: string[] = [];
          let at = 0;
          for (const p of [...points, stream.length]) {
            out.push(...decoder.push(stream.subarray(at, p)));
            at = p;
          }
          expect(out).toEqual(messages);
        },
      ),
    );
  });
  it('drops a frame over the cap and carries on; random bytes never throw', () => {
    const decoder = new MllpDecoder(8);
    expect(decoder.push(Buffer.concat([mllpFrame('0123456789'), mllpFrame('ok')]))).toEqual(['ok']);
    expect(decoder.dropped).toBe(1);
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), (chunks) => {
        const d = new MllpDecoder(16);
        for (const c of chunks) d.push(Buffer.from(c));
      }),
    );
  });
});
