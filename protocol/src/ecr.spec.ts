import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  asciiBytes,
  ECR_ACK,
  ECR_NAK,
  encodeEcrFrame,
  encodeEcrMessage,
  encodeEcrMessageFrame,
  parseEcrFrame,
  parseEcrMessage,
  scanEcr,
  type EcrMessage,
} from './ecr';

const ascii = asciiBytes;
const frameOf = (text: string): Uint8Array => {
  const framed = encodeEcrFrame(ascii(text));
  if (!framed.ok) throw new Error(framed.error.message);
  return framed.value;
};

describe('ECR framing', () => {
  it('frames as STX, BCD length, data, ETX, XOR of LEN..ETX', () => {
    const frame = frameOf('TYPE=LAST');
    expect([...frame.slice(0, 3)]).toEqual([0x02, 0x00, 0x09]);
    expect(frame[12]).toBe(0x03);
    let lrc = 0;
    for (const b of frame.slice(1, 13)) lrc ^= b;
    expect(frame[13]).toBe(lrc);
    expect(parseEcrFrame(frame)).toEqual({ ok: true, value: ascii('TYPE=LAST') });
  });

  it('writes lengths above 99 in BCD', () => {
    const frame = frameOf('X'.repeat(1234));
    expect([frame[1], frame[2]]).toEqual([0x12, 0x34]);
    expect(encodeEcrFrame(new Uint8Array(10_000)).ok).toBe(false);
  });

  it('finds ACK, NAK, frames and keeps an incomplete frame for later', () => {
    const a = frameOf('TYPE=STATUS');
    const b = frameOf('TYPE=LAST');
    const stream = Uint8Array.from([ECR_ACK, 0x41, ...a, ECR_NAK, ...b.slice(0, 5)]);
    const scan = scanEcr(stream);
    expect(scan.items.map((i) => i.kind)).toEqual(['ack', 'frame', 'nak']);
    expect(scan.skipped).toBe(1);
    expect([...scan.rest]).toEqual([...b.slice(0, 5)]);
    const next = scanEcr(Uint8Array.from([...scan.rest, ...b.slice(5)]));
    expect(next.items).toEqual([{ kind: 'frame', data: ascii('TYPE=LAST') }]);
  });

  it('reports a bad LRC as a broken frame (to be NAKed) and goes on after it', () => {
    const bad = frameOf('TYPE=STATUS');
    bad[bad.length - 1] = (bad[bad.length - 1] ?? 0) ^ 0xff;
    const scan = scanEcr(Uint8Array.from([...bad, ...frameOf('TYPE=LAST')]));
    expect(scan.items.map((i) => (i.kind === 'bad-frame' ? i.error : i.kind))).toEqual(['bad-lrc', 'frame']);
  });
});

const messages: EcrMessage[] = [
  { type: 'sale', amountVnd: 30_000, reference: 'KP0123456789' },
  { type: 'void', rrn: '123456789012', reference: 'KP0123456789' },
  { type: 'last' },
  { type: 'status' },
  { type: 'abort' },
  { type: 'status-result', terminalId: 'T0000001', state: 'busy' },
  {
    type: 'result',
    for: 'sale',
    outcome: 'approved',
    terminalId: 'T0000001',
    reference: 'KP0123456789',
    amountVnd: 30_000,
    approvalCode: 'A1B2C3',
    rrn: '633012345678',
    scheme: 'NAPAS',
    last4: '1234',
  },
  { type: 'result', for: 'sale', outcome: 'declined', terminalId: 'T0000001', declineReason: 'INSUFFICIENT FUNDS' },
  { type: 'result', for: 'last', outcome: 'none', terminalId: 'T0000001' },
];

describe('ECR messages', () => {
  it('round-trips every kind of message', () => {
    for (const message of messages)
      expect(parseEcrMessage(encodeEcrMessage(message))).toEqual({ ok: true, value: message });
  });

  it('writes a sale as pipe-separated fields with a 12-digit amount', () => {
    expect(String.fromCharCode(...encodeEcrMessage(messages[0] as EcrMessage))).toBe(
      'TYPE=SALE|AMT=000000030000|CUR=704|REF=KP0123456789',
    );
  });

  it('keeps only the last 4 digits of a PAN, even one the terminal forgot to mask', () => {
    const parsed = parseEcrMessage(
      ascii('TYPE=SALE_R|RC=00|TID=T0000001|PAN=4111111111111111|APP=A1B2C3|RRN=633012345678'),
    );
    expect(parsed.ok && parsed.value).toMatchObject({ last4: '1111' });
    expect(JSON.stringify(parsed)).not.toContain('411111');
  });

  it('refuses unknown types, repeated keys, control bytes and missing fields with a code', () => {
    expect(parseEcrMessage(ascii('TYPE=REFUND'))).toMatchObject({ ok: false, error: { code: 'unknown-message' } });
    expect(parseEcrMessage(ascii('TYPE=LAST|TYPE=LAST'))).toMatchObject({ ok: false, error: { code: 'bad-data' } });
    expect(parseEcrMessage(Uint8Array.from([0x54, 0x00]))).toMatchObject({ ok: false, error: { code: 'bad-data' } });
    expect(parseEcrMessage(ascii('TYPE=SALE_R|RC=00'))).toMatchObject({ ok: false, error: { code: 'bad-message' } });
  });
});

describe('ECR parser never throws', () => {
  const parseAll = (bytes: Uint8Array) => {
    const scan = scanEcr(bytes);
    for (const item of scan.items) if (item.kind === 'frame') parseEcrMessage(item.data);
    parseEcrFrame(bytes);
    parseEcrMessage(bytes);
    return scan;
  };

  it('on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const scan = parseAll(bytes);
        expect(scan.rest.length).toBeLessThanOrEqual(bytes.length);
      }),
    );
  });

  const validFrame = fc.constantFrom(...messages).map((m) => {
    const framed = encodeEcrMessageFrame(m);
    if (!framed.ok) throw new Error('unframeable');
    return framed.value;
  });

  it('on truncated frames: nothing, or the rest kept for later', () => {
    fc.assert(
      fc.property(validFrame, fc.nat(), (frame, cut) => {
        const scan = parseAll(frame.slice(0, cut % frame.length));
        expect(scan.items.filter((i) => i.kind === 'frame')).toEqual([]);
      }),
    );
  });

  it('on bit-flipped frames: a frame that still parses is the one sent or a typed error', () => {
    fc.assert(
      fc.property(validFrame, fc.nat(), fc.integer({ min: 0, max: 7 }), (frame, at, bit) => {
        const flipped = Uint8Array.from(frame);
        const i = at % flipped.length;
        flipped[i] = (flipped[i] ?? 0) ^ (1 << bit);
        const scan = parseAll(flipped);
        // A single flipped bit in LEN..LRC is always caught by the LRC or the framing.
        expect(scan.items.some((item) => item.kind === 'frame' && i > 0)).toBe(false);
      }),
    );
  });

  it('on random field lists', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.constantFrom('TYPE', 'RC', 'TID', 'PAN', 'AMT', 'REF', 'RRN', 'X'), fc.string({ maxLength: 20 })),
        ),
        (fields) => {
          const result = parseEcrMessage(ascii(fields.map(([k, v]) => `${k}=${v}`).join('|')));
          expect(typeof result.ok).toBe('boolean');
        },
      ),
    );
  });
});
