import { describe, expect, it } from 'vitest';
import { encodeTicket } from './escpos.encoder';
import { decodeEscPos } from './escpos.decoder';
import { asciiTicket, simulatedPrinterProfile, vietnameseTicket } from './test-fixtures';

const hex = (bytes: number[]) => Buffer.from(bytes).toString('hex');

describe('encodeTicket', () => {
  const profile = simulatedPrinterProfile();

  it('starts with ESC @ and ends with the cut the profile supports', () => {
    const bytes = encodeTicket(asciiTicket, profile);
    expect(hex([...bytes.subarray(0, 2)])).toBe('1b40');
    expect(hex([...bytes.subarray(-4)])).toBe('1d564118');
    const partial = encodeTicket(asciiTicket, simulatedPrinterProfile({ cutter: 'partial' }));
    expect(hex([...partial.subarray(-4)])).toBe('1d564218');
    const none = decodeEscPos(encodeTicket(asciiTicket, simulatedPrinterProfile({ cutter: 'none' })));
    expect(none.cuts).toEqual([]);
  });

  it('prints the ticket text, a large number and the TK: QR natively', () => {
    const bytes = encodeTicket(asciiTicket, profile);
    const receipt = decodeEscPos(bytes);
    expect(receipt.unknown).toEqual([]);
    expect(receipt.lines).toContain('Benh vien Da khoa Trung uong');
    expect(receipt.qrPayloads).toEqual(['TK:Q7K2M9']);
    const number = receipt.blocks.find((b) => b.kind === 'text' && b.text === 'A012');
    expect(number).toMatchObject({ widthMul: 4, heightMul: 4, align: 'center', bold: true });
    expect(receipt.cuts).toEqual(['full']);
  });

  it('prints the time in Vietnam and can fall back to unaccented text', () => {
    const receipt = decodeEscPos(encodeTicket(vietnameseTicket, profile, { nonAscii: 'ascii' }));
    expect(receipt.lines).toContain('08:15 02/06/2025');
    expect(receipt.lines).toContain('Benh vien Da khoa Trung uong Can Tho');
  });

  it('draws the QR as a raster when the model has no native QR', () => {
    const receipt = decodeEscPos(encodeTicket(asciiTicket, simulatedPrinterProfile({ nativeQr: false })));
    expect(receipt.qrPayloads).toEqual([]);
    const raster = receipt.blocks.find((b) => b.kind === 'raster');
    expect(raster).toBeDefined();
    expect(raster!.kind === 'raster' && raster!.widthDots).toBeLessThanOrEqual(576);
  });

  it('keeps every native line within the columns of a 58 mm printer', () => {
    const narrow = simulatedPrinterProfile({ paperWidthMm: 58, dotsPerLine: 384, columns: { fontA: 32, fontB: 42 } });
    const receipt = decodeEscPos(
      encodeTicket({ ...vietnameseTicket, number: 'A0123456789' }, narrow, { nonAscii: 'ascii' }),
    );
    for (const b of receipt.blocks) {
      if (b.kind === 'text') expect([...b.text].length * 12 * b.widthMul).toBeLessThanOrEqual(384);
      if (b.kind === 'raster') expect(b.widthDots).toBeLessThanOrEqual(384);
    }
  });
});
