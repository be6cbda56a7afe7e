import { describe, expect, it } from 'vitest';
import { decodeEscPos, EscPosStreamParser, addToReceipt, emptyReceipt } from './escpos.decoder';
import { encodeTicket } from './escpos.encoder';
import { encodeCp1258 } from './codepages';
import { asciiTicket, simulatedPrinterProfile } from './test-fixtures';

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
