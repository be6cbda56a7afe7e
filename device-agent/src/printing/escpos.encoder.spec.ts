import { describe, expect, it, vi } from 'vitest';
import { encodeTicket } from './escpos.encoder';
import { commandBoundaries, decodeEscPos } from './escpos.decoder';
import { asciiTicket, simulatedPrinterProfile, vietnameseTicket } from './test-fixtures';
import { CPU_BOUND_SPEC_TIMEOUT_MS } from '../spec-helpers/timeouts';

vi.setConfig({ testTimeout: CPU_BOUND_SPEC_TIMEOUT_MS });

const hex = (bytes: number[]) => Buffer.from(bytes).toString('hex');

describe('encodeTicket', () => {
  const profile = simulatedPrinterProfile();

  it('starts with ESC @ and ends with the cut the profile supports', () => {
    const bytes = encodeTicket(asciiTicket, profile).bytes;
    expect(hex([...bytes.subarray(0, 2)])).toBe('1b40');
    expect(hex([...bytes.subarray(-4)])).toBe('1d564118');
    const partial = encodeTicket(asciiTicket, simulatedPrinterProfile({ cutter: 'partial' })).bytes;
    expect(hex([...partial.subarray(-4)])).toBe('1d564218');
    const none = decodeEscPos(encodeTicket(asciiTicket, simulatedPrinterProfile({ cutter: 'none' })).bytes);
    expect(none.cuts).toEqual([]);
  });

  it('prints the ticket text, a large number and the TK: QR natively', () => {
    const bytes = encodeTicket(asciiTicket, profile).bytes;
    const receipt = decodeEscPos(bytes);
    expect(receipt.unknown).toEqual([]);
    expect(receipt.lines).toContain('Benh vien Da khoa Trung uong');
    expect(receipt.qrPayloads).toEqual(['TK:Q7K2M9']);
    const number = receipt.blocks.find((b) => b.kind === 'text' && b.text === 'A012');
    expect(number).toMatchObject({ widthMul: 4, heightMul: 4, align: 'center', bold: true });
    expect(receipt.cuts).toEqual(['full']);
  });

  it('prints the time in Vietnam and can fall back to unaccented text', () => {
    const receipt = decodeEscPos(encodeTicket(vietnameseTicket, profile, { nonAscii: 'ascii' }).bytes);
    expect(receipt.lines).toContain('08:15 02/06/2025');
    expect(receipt.lines).toContain('Benh vien Da khoa Trung uong Can Tho');
  });

  it('draws the QR as a raster when the model has no native QR', () => {
    const receipt = decodeEscPos(encodeTicket(asciiTicket, simulatedPrinterProfile({ nativeQr: false })).bytes);
    expect(receipt.qrPayloads).toEqual([]);
    const raster = receipt.blocks.find((b) => b.kind === 'raster');
    expect(raster).toBeDefined();
    expect(raster!.kind === 'raster' && raster!.widthDots).toBeLessThanOrEqual(576);
  });

  it('keeps every native line within the columns of a 58 mm printer', () => {
    const narrow = simulatedPrinterProfile({ paperWidthMm: 58, dotsPerLine: 384, columns: { fontA: 32, fontB: 42 } });
    const receipt = decodeEscPos(
      encodeTicket({ ...vietnameseTicket, number: 'A0123456789' }, narrow, { nonAscii: 'ascii' }).bytes,
    );
    for (const b of receipt.blocks) {
      if (b.kind === 'text') expect([...b.text].length * 12 * b.widthMul).toBeLessThanOrEqual(384);
      if (b.kind === 'raster') expect(b.widthDots).toBeLessThanOrEqual(384);
    }
  });

  it('returns where the job may be split: only where a command ends, never inside a raster or the QR', () => {
    for (const [ticket, p] of [
      [vietnameseTicket, profile],
      [asciiTicket, simulatedPrinterProfile({ nativeQr: false })],
      [asciiTicket, simulatedPrinterProfile({ cutter: 'none' })],
    ] as const) {
      const job = encodeTicket(ticket, p);
      const commandEnds = new Set(commandBoundaries(job.bytes));
      expect(job.boundaries.at(-1)).toBe(job.bytes.length);
      for (let i = 1; i < job.boundaries.length; i++) expect(job.boundaries[i]).toBeGreaterThan(job.boundaries[i - 1]!);
      for (const b of job.boundaries) expect(commandEnds.has(b)).toBe(true);
      for (const block of decodeEscPos(job.bytes).blocks) {
        if (block.kind !== 'raster') continue;
        const end = block.offset + 8 + block.widthBytes * block.rows;
        expect(job.boundaries.filter((b) => b > block.offset && b < end)).toEqual([]);
      }
    }
  });

  it('counts the paper the job feeds: every raster row, plus the lines, the QR and the feeds', () => {
    const job = encodeTicket(vietnameseTicket, profile);
    const receipt = decodeEscPos(job.bytes);
    const rasterRows = receipt.blocks.reduce((n, b) => n + (b.kind === 'raster' ? b.heightDots : 0), 0);
    expect(rasterRows).toBeGreaterThan(0);
    expect(job.heightDots).toBeGreaterThan(rasterRows + 30 * receipt.lines.length);
    // About 8 cm of paper for this ticket at 203 dpi; far from 0 and from a metre.
    expect((job.heightDots / profile.capabilities.dpi) * 25.4).toBeGreaterThan(40);
    expect((job.heightDots / profile.capabilities.dpi) * 25.4).toBeLessThan(300);
  });
});
