import fc from 'fast-check';
import { catalogue, type PrinterProfile } from '@kiosk/hardware-profiles';
import type { Ticket } from '@kiosk/protocol';
import { describe, expect, it, vi } from 'vitest';
import { commandBoundaries, decodeEscPos, EscPosStreamParser, addToReceipt, emptyReceipt } from './escpos.decoder';
import { encodeItems, encodeTicket } from './escpos.encoder';
import { encodeCp1258 } from './codepages';
import { normalizeSpace } from './text';
import { asciiTicket, simulatedPrinterProfile, vietnameseTicket } from './test-fixtures';
import { CPU_BOUND_SPEC_TIMEOUT_MS } from '../spec-helpers/timeouts';

vi.setConfig({ testTimeout: CPU_BOUND_SPEC_TIMEOUT_MS });

const bytes = (...parts: (number[] | string)[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p, 'latin1')] : p)));

describe('decodeEscPos', () => {
  it('decodes text with alignment, size and bold', () => {
    const r = decodeEscPos(bytes([0x1b, 0x40, 0x1b, 0x61, 1, 0x1b, 0x45, 1, 0x1d, 0x21, 0x11], 'Hi', [0x0a]));
    expect(r.blocks[0]).toMatchObject({
      kind: 'text',
      text: 'Hi',
      align: 'center',
      bold: true,
      widthMul: 2,
      heightMul: 2,
    });
  });

  it('decodes QR store + print, raster images and cuts', () => {
    const r = decodeEscPos(
      bytes(
        [0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x43, 6],
        [0x1d, 0x28, 0x6b, 0x07, 0x00, 0x31, 0x50, 0x30],
        'TK:1',
        [0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x51, 0x30],
        [0x1d, 0x76, 0x30, 0x00, 2, 0, 2, 0, 0xff, 0x00, 0x0f, 0xf0],
        [0x1d, 0x56, 0x01],
      ),
    );
    expect(r.qrPayloads).toEqual(['TK:1']);
    expect(r.blocks[0]).toMatchObject({ kind: 'qr', moduleDots: 6 });
    expect(r.blocks[1]).toMatchObject({
      kind: 'raster',
      widthDots: 16,
      heightDots: 2,
      bits: Uint8Array.of(0xff, 0, 0x0f, 0xf0),
    });
    expect(r.cuts).toEqual(['partial']);
    expect(r.unknown).toEqual([]);
  });

  it('flags unknown commands and a truncated stream', () => {
    const r = decodeEscPos(bytes([0x1b, 0x99], 'x', [0x0a, 0x07, 0x1d, 0x76, 0x30, 0, 10, 0]));
    expect(r.unknown.map((u) => u.reason)).toEqual([
      'unknown ESC 0x99',
      'control byte 0x07',
      'stream ends inside a command',
    ]);
    expect(r.truncated).toBe(true);
    expect(r.lines).toEqual(['x']);
  });

  it('reads CP1258 text through the profile code pages, tone marks included', () => {
    const encoded = encodeCp1258('Nguyễn Thị Ngọc Điệp')!;
    const r = decodeEscPos(bytes([0x1b, 0x74, 52], [...encoded], [0x0a]), {
      codePages: [{ encoding: 'cp1258', number: 52 }],
    });
    expect(r.lines).toEqual(['Nguyễn Thị Ngọc Điệp']);
  });

  it('gives the same result whatever the chunking', () => {
    const job = encodeTicket(asciiTicket, simulatedPrinterProfile({ nativeQr: false })).bytes;
    const whole = decodeEscPos(job);
    for (const size of [1, 3, 7, 64]) {
      const r = emptyReceipt();
      const parser = new EscPosStreamParser((e) => addToReceipt(r, e));
      for (let i = 0; i < job.length; i += size) parser.push(job.subarray(i, i + size));
      parser.end();
      expect(r.lines).toEqual(whole.lines);
      expect(r.blocks.length).toBe(whole.blocks.length);
      expect(r.unknown).toEqual([]);
    }
  });

  it('reports DLE EOT real-time queries found in the stream', () => {
    expect(decodeEscPos(bytes([0x10, 0x04, 1, 0x10, 0x04, 4])).statusQueries).toEqual([1, 4]);
  });
});

// ---- properties: the decoder reads bytes from the wire (the simulated printer, the CLI's preview) --

/** Bytes that start or fill ESC/POS commands, so random input reaches deep into the parser. */
const escPosByte = fc.oneof(
  fc.constantFrom(0x1b, 0x1d, 0x10, 0x1c, 0x0a, 0x00, 0x28, 0x6b, 0x76, 0x30, 0x38, 0x4c, 0x2a, 0x44, 0x04, 0x14),
  fc.integer({ min: 0, max: 255 }),
);
const wireBytes = fc.oneof(
  fc.uint8Array({ maxLength: 400 }),
  fc.array(escPosByte, { maxLength: 400 }).map((a) => Uint8Array.from(a)),
);

/** Decodes in chunks; every command end lies after the previous one and within the input. */
function decodeChecked(bytes: Uint8Array, cuts: readonly number[]): void {
  const ends: number[] = [];
  const receipt = emptyReceipt();
  const parser = new EscPosStreamParser(
    (e) => addToReceipt(receipt, e),
    {},
    (end) => ends.push(end),
  );
  let offset = 0;
  for (const cut of [...cuts, bytes.length]) {
    const next = Math.min(bytes.length, offset + cut);
    parser.push(bytes.subarray(offset, next));
    offset = next;
  }
  const { truncated } = parser.end();
  for (let i = 0; i < ends.length; i++) expect(ends[i]).toBeGreaterThan(i === 0 ? 0 : ends[i - 1]!);
  expect(ends.at(-1) ?? 0).toBeLessThanOrEqual(bytes.length);
  // Whatever was not consumed as whole commands is reported, never dropped silently.
  expect(truncated).toBe((ends.at(-1) ?? 0) < bytes.length);
}

const printers = catalogue.filter((p): p is PrinterProfile => p.class === 'printer');
const word = fc.stringMatching(/^[A-Za-z0-9]{1,12}$/u);
const words = (maxChars: number) =>
  fc
    .array(word, { minLength: 1, maxLength: 8 })
    .map((w) => w.join(' '))
    .filter((t) => t.length <= maxChars);
const asciiTicketArb: fc.Arbitrary<Ticket> = fc.record({
  hospitalName: words(36),
  department: words(36),
  room: fc.stringMatching(/^[0-9]{1,3}$/u),
  floor: fc.integer({ min: 0, max: 20 }),
  number: fc.stringMatching(/^[A-Z][0-9]{1,4}$/u),
  serviceType: fc.constantFrom('insurance' as const, 'fee-paying' as const),
  priority: fc.constant('normal' as const),
  issuedAt: fc.constant('2025-06-02T01:15:00Z'),
  lookupCode: fc.stringMatching(/^[A-Z0-9]{6,12}$/u),
  maskedName: words(36),
  footer: words(80),
});

describe('decodeEscPos properties', () => {
  it('random bytes, in any chunks, never throw and never stall (every step consumes input)', () => {
    fc.assert(
      fc.property(wireBytes, fc.array(fc.nat(64), { maxLength: 10 }), (bytes, cuts) => decodeChecked(bytes, cuts)),
      { numRuns: 2000 },
    );
  });

  it('a GS 8 L length with its top bit set is read unsigned, not as a step backwards', () => {
    const r = decodeEscPos(Uint8Array.of(0x1d, 0x38, 0x4c, 0xf9, 0xff, 0xff, 0xff, 0x41));
    expect(r.truncated).toBe(true);
    expect(r.unknown.at(-1)?.reason).toBe('stream ends inside a command');
  });

  it('every truncation of an encoded ticket decodes without throwing, lines as far as they got', () => {
    const jobs = [asciiTicket, vietnameseTicket].flatMap((t) =>
      [simulatedPrinterProfile(), simulatedPrinterProfile({ nativeQr: false })].map((p) => encodeTicket(t, p).bytes),
    );
    fc.assert(
      fc.property(fc.constantFrom(...jobs), fc.double({ min: 0, max: 1, noNaN: true }), (job, at) => {
        const whole = decodeEscPos(job);
        const cut = job.subarray(0, Math.floor(job.length * at));
        const part = decodeEscPos(cut);
        decodeChecked(cut, []);
        // Every complete line of the prefix is the whole job's line; only the last may be cut short.
        const complete = part.lines.slice(0, -1);
        expect(complete).toEqual(whole.lines.slice(0, complete.length));
        expect(part.blocks.length).toBeLessThanOrEqual(whole.blocks.length);
      }),
      { numRuns: 300 },
    );
  });

  it('encoded ASCII tickets decode back to their text, QR and cut, on every catalogue printer', () => {
    fc.assert(
      fc.property(asciiTicketArb, fc.constantFrom(...printers), (ticket, profile) => {
        const job = encodeTicket(ticket, profile);
        const receipt = decodeEscPos(job.bytes, { codePages: profile.capabilities.codePages });
        expect(receipt.unknown).toEqual([]);
        expect(receipt.truncated).toBe(false);
        const text = receipt.lines.join(' ');
        for (const field of [ticket.hospitalName, ticket.department, ticket.maskedName, ticket.footer])
          expect(text).toContain(normalizeSpace(field ?? ''));
        expect(receipt.lines).toContain(ticket.number);
        expect(receipt.lines).toContain(ticket.lookupCode);
        if (profile.capabilities.nativeQr) expect(receipt.qrPayloads).toEqual([`TK:${ticket.lookupCode}`]);
        expect(receipt.cuts).toHaveLength(profile.capabilities.cutter === 'none' ? 0 : 1);
        // The encoder's split points are the decoder's command ends.
        const ends = new Set(commandBoundaries(job.bytes));
        expect(job.boundaries.every((b) => ends.has(b))).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('Vietnamese text through a reliable CP1258 code page decodes back to itself', () => {
    const letter = fc.constantFrom(
      ...'aăâbcdđeêghiklmnoôơpqrstuưvxyàằầèềìòồờùừỳáắấéếíóốớúứýảẳẩẻểỉỏổởủửỷãẵẫẽễĩõỗỡũữỹạặậẹệịọộợụựỵ',
    );
    const viWord = fc.array(letter, { minLength: 1, maxLength: 8 }).map((l) => l.join(''));
    const profile = simulatedPrinterProfile({ codePages: [{ encoding: 'cp1258', number: 52, reliable: true }] });
    fc.assert(
      fc.property(fc.array(viWord, { minLength: 1, maxLength: 6 }), (ws) => {
        const text = ws.join(' ');
        fc.pre(encodeCp1258(text) !== undefined);
        const job = encodeItems([{ kind: 'text', text, align: 'left' }], profile);
        const receipt = decodeEscPos(job.bytes, { codePages: profile.capabilities.codePages });
        // The feeds at the end print as empty lines.
        expect(receipt.lines.filter((l) => l !== '').join(' ')).toBe(text.normalize('NFC'));
      }),
      { numRuns: 300 },
    );
  });
});
