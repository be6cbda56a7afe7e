/**
 * Golden test over the whole printer catalogue: a ticket with long Vietnamese names is encoded
 * for each model, decoded back as the printer would read it, checked (native text, QR, every
 * raster line against a re-render, nothing wider than the paper) and drawn to
 * artifacts/printing/<profile>.png for a person to look at.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { catalogue, type PrinterProfile } from '@kiosk/hardware-profiles';
import {
  bundledTextRasterizer,
  decodeEscPos,
  encodeTicket,
  formatIssuedAt,
  geometryOf,
  layoutTicket,
  previewOptionsFor,
  renderReceiptPng,
  type RasterBlock,
} from '@kiosk/device-agent';
import { vietnameseTicket as ticket } from '@kiosk/device-agent/testing';

const ARTIFACTS = fileURLToPath(new URL('../../artifacts/printing/', import.meta.url));

const printers = catalogue.filter((p): p is PrinterProfile => p.class === 'printer');
const isAscii = (s: string) => /^[\x20-\x7e]*$/u.test(s);

/** The raster text lines the ticket should produce, rendered independently of the byte stream. */
function expectedRasterLines(profile: PrinterProfile) {
  const geo = geometryOf(profile);
  const r = bundledTextRasterizer();
  const out: { text: string; bits: Uint8Array; widthBytes: number; rows: number }[] = [];
  for (const item of layoutTicket(ticket)) {
    if (item.kind !== 'text' || isAscii(item.text)) continue;
    const style = { bold: !!item.bold, scale: 1, lineHeightDots: 24 };
    for (const line of r.wrap(item.text, geo.dotsPerLine, style)) {
      const bmp = r.render(line, geo.dotsPerLine, style)!;
      out.push({ text: line, bits: bmp.bits, widthBytes: bmp.widthBytes, rows: bmp.heightDots });
    }
  }
  return out;
}

describe('printing golden: every printer profile in the catalogue', () => {
  it('has printer profiles to test', () => {
    expect(printers.length).toBeGreaterThan(0);
  });

  it.each(printers.map((p) => [p.id, p] as const))('%s prints the Vietnamese ticket correctly', (id, profile) => {
    const geo = geometryOf(profile);
    const bytes = encodeTicket(ticket, profile).bytes;
    const receipt = decodeEscPos(bytes, { codePages: profile.capabilities.codePages });

    expect(receipt.unknown).toEqual([]);
    expect(receipt.truncated).toBe(false);

    // Native text: the number, the codes and the time.
    for (const line of ['STT', 'B127', 'BHYT', 'X4P9TR', formatIssuedAt(ticket.issuedAt)])
      expect(receipt.lines).toContain(line);
    const number = receipt.blocks.find((b) => b.kind === 'text' && b.text === 'B127');
    expect(number).toMatchObject({ widthMul: 4, heightMul: 4 });
    for (const b of receipt.blocks) {
      if (b.kind === 'text') {
        expect(isAscii(b.text), `native line ${JSON.stringify(b.text)} is ASCII`).toBe(true);
        expect([...b.text].length * geo.charWidthDots * b.widthMul).toBeLessThanOrEqual(geo.dotsPerLine);
      }
    }

    // QR: native, or a raster whose modules match the TK: payload.
    const rasters = receipt.blocks.filter((b): b is RasterBlock => b.kind === 'raster');
    let textRasters = rasters;
    if (profile.capabilities.nativeQr) {
      expect(receipt.qrPayloads).toEqual(['TK:X4P9TR']);
    } else {
      expect(receipt.qrPayloads).toEqual([]);
      const qr = QRCode.create('TK:X4P9TR', { errorCorrectionLevel: 'M' });
      const qrBlock = rasters.find(
        (r) => r.rows === r.widthDots - (r.widthDots % qr.modules.size) && r.rows % qr.modules.size === 0,
      );
      expect(qrBlock, 'a raster QR').toBeDefined();
      const m = qrBlock!.rows / qr.modules.size;
      for (let y = 0; y < qr.modules.size; y++) {
        for (let x = 0; x < qr.modules.size; x++) {
          const px = x * m + (m >> 1);
          const py = y * m + (m >> 1);
          const black = (qrBlock!.bits[py * qrBlock!.widthBytes + (px >> 3)]! & (0x80 >> (px & 7))) !== 0;
          expect(black).toBe(!!qr.modules.get(y, x));
        }
      }
      textRasters = rasters.filter((r) => r !== qrBlock);
    }

    // Raster text: same lines, dot for dot, as an independent re-render; the names are whole.
    const expected = expectedRasterLines(profile);
    expect(textRasters.map((r) => `${r.widthBytes}x${r.rows}`)).toEqual(
      expected.map((e) => `${e.widthBytes}x${e.rows}`),
    );
    textRasters.forEach((r, i) =>
      expect(Buffer.from(r.bits).equals(Buffer.from(expected[i]!.bits)), expected[i]!.text).toBe(true),
    );
    const printedText = expected.map((e) => e.text).join(' ');
    for (const name of [
      'Nguyễn Thị Ngọc Điệp',
      'Khoa Tai Mũi Họng',
      'Tầng 3',
      'Bệnh viện Đa khoa Trung ương',
      'Cần Thơ',
    ]) {
      expect(printedText).toContain(name);
    }
    for (const r of textRasters) {
      expect(r.widthDots).toBeLessThanOrEqual(geo.dotsPerLine);
      expect(r.rows).toBeGreaterThanOrEqual(10);
      expect(r.rows).toBeLessThanOrEqual(40);
      expect(r.bits.some((b) => b !== 0)).toBe(true);
    }

    // The cut the model has.
    const cutter = profile.capabilities.cutter;
    expect(receipt.cuts).toEqual(cutter === 'none' ? [] : [cutter === 'partial' ? 'partial' : 'full']);

    // What a person would see.
    const { png, image } = renderReceiptPng(receipt, previewOptionsFor(profile));
    expect(image.overflows).toEqual([]);
    expect(image.widthDots).toBe(geo.dotsPerLine);
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(`${ARTIFACTS}${id}.png`, png);
  });
});
