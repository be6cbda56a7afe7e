/**
 * What a person would see: a decoded receipt drawn onto paper of the profile's width, as a
 * 1-bit image and a PNG. Native text is drawn in an emulation of the printer's font A cell
 * (12×24 dots, scaled by GS !), rasters and QR codes dot for dot, cuts as a dashed line.
 * Anything wider than the paper is reported in `overflows` (a real printer would wrap or clip).
 */
import QRCode from 'qrcode';
import { PNG } from 'pngjs';
import type { PrinterProfile } from '@kiosk/hardware-profiles';
import type { Align } from './escpos.commands';
import type { DecodedBlock, DecodedReceipt } from './escpos.decoder';
import { geometryOf } from './escpos.encoder';
import { bundledTextRasterizer, type OutlineTextRasterizer } from './text-raster';

export interface ReceiptImage {
  widthDots: number;
  heightDots: number;
  /** One byte per dot: 1 = black. */
  dots: Uint8Array;
  /** Blocks that did not fit the paper width (dots wanted). */
  overflows: { offset: number; kind: DecodedBlock['kind']; widthDots: number }[];
}

export interface PreviewOptions {
  dotsPerLine: number;
  /** Font A character width in dots. Default 12. */
  charWidthDots?: number;
  /** Native line pitch for a 1× line. Default 30 (ESC 2). */
  lineSpacingDots?: number;
  /** Blank margin (dots) drawn around the paper. Default 16. */
  marginDots?: number;
  rasterizer?: OutlineTextRasterizer;
}

export function previewOptionsFor(profile: PrinterProfile): PreviewOptions {
  const geo = geometryOf(profile);
  return { dotsPerLine: geo.dotsPerLine, charWidthDots: geo.charWidthDots };
}

export function renderReceipt(receipt: DecodedReceipt, options: PreviewOptions): ReceiptImage {
  const width = options.dotsPerLine;
  const charW = options.charWidthDots ?? 12;
  const pitch = options.lineSpacingDots ?? 30;
  const rasterizer = options.rasterizer ?? bundledTextRasterizer();
  const rows: Uint8Array[] = [];
  const overflows: ReceiptImage['overflows'] = [];
  let y = 0;

  const ensure = (h: number) => {
    while (rows.length < y + h) rows.push(new Uint8Array(width));
  };
  const xFor = (align: Align, w: number) =>
    align === 'center' ? Math.floor((width - w) / 2) : align === 'right' ? width - w : 0;
  const set = (x: number, yy: number) => {
    if (x >= 0 && x < width) rows[yy]![x] = 1;
  };

  for (const block of receipt.blocks) {
    switch (block.kind) {
      case 'text': {
        const cellW = charW * block.widthMul;
        const cellH = 24 * block.heightMul;
        const perLine = Math.max(1, Math.floor(width / cellW));
        const chars = [...block.text];
        if (chars.length > perLine)
          overflows.push({ offset: block.offset, kind: 'text', widthDots: chars.length * cellW });
        // The printer wraps a line longer than the paper onto the next line.
        const pieces = chars.length === 0 ? [''] : [];
        for (let i = 0; i < chars.length; i += perLine) pieces.push(chars.slice(i, i + perLine).join(''));
        for (const piece of pieces) {
          const advance = Math.max(pitch - 24 + cellH, cellH);
          ensure(advance);
          if (piece.trim()) {
            const img = rasterizer.renderCells(piece, { widthDots: cellW, heightDots: cellH, bold: block.bold });
            const x0 = xFor(block.align, img.width);
            for (let yy = 0; yy < img.height; yy++)
              for (let xx = 0; xx < img.width; xx++)
                if (img.coverage[yy * img.width + xx]! >= 0.45) set(x0 + xx, y + yy);
            if (block.underline) for (let xx = 0; xx < img.width; xx++) set(x0 + xx, y + cellH - 1);
          }
          y += advance;
        }
        break;
      }
      case 'raster': {
        if (block.widthDots > width)
          overflows.push({ offset: block.offset, kind: 'raster', widthDots: block.widthDots });
        ensure(block.heightDots);
        const x0 = Math.max(0, xFor(block.align, block.widthDots));
        for (let r = 0; r < block.rows; r++) {
          for (let c = 0; c < block.widthBytes * 8; c++) {
            if (!(block.bits[r * block.widthBytes + (c >> 3)]! & (0x80 >> (c & 7)))) continue;
            for (let sy = 0; sy < block.scaleY; sy++)
              for (let sx = 0; sx < block.scaleX; sx++) set(x0 + c * block.scaleX + sx, y + r * block.scaleY + sy);
          }
        }
        y += block.heightDots;
        break;
      }
      case 'qr': {
        const qr = QRCode.create(block.payload, { errorCorrectionLevel: block.errorCorrection });
        const size = qr.modules.size * block.moduleDots;
        if (size > width) overflows.push({ offset: block.offset, kind: 'qr', widthDots: size });
        ensure(size);
        const x0 = Math.max(0, xFor(block.align, size));
        for (let yy = 0; yy < size; yy++)
          for (let xx = 0; xx < size; xx++)
            if (qr.modules.get(Math.floor(yy / block.moduleDots), Math.floor(xx / block.moduleDots)))
              set(x0 + xx, y + yy);
        y += size;
        break;
      }
      case 'barcode': {
        // Drawn as a framed box with the human-readable data: enough to see where it goes.
        const h = block.heightDots;
        const w = Math.min(width, (block.data.length * 11 + 35) * block.moduleDots);
        if ((block.data.length * 11 + 35) * block.moduleDots > width)
          overflows.push({ offset: block.offset, kind: 'barcode', widthDots: w });
        ensure(h);
        const x0 = xFor(block.align, w);
        for (let xx = 0; xx < w; xx += 2 * block.moduleDots)
          for (let yy = 0; yy < h; yy++) for (let t = 0; t < block.moduleDots; t++) set(x0 + xx + t, y + yy);
        y += h;
        break;
      }
      case 'feed':
        ensure(block.dots);
        y += block.dots;
        break;
      case 'cut':
        ensure(block.feedDots + 8);
        y += block.feedDots + 4;
        for (let xx = 0; xx < width; xx++) if (xx % 12 < 7) set(xx, y);
        y += 4;
        break;
    }
  }
  ensure(1);
  const dots = new Uint8Array(width * rows.length);
  rows.forEach((row, i) => dots.set(row, i * width));
  return { widthDots: width, heightDots: rows.length, dots, overflows };
}

/** PNG of the receipt on grey "table", paper white, dots black. */
export function receiptPng(image: ReceiptImage, marginDots = 16): Buffer {
  const w = image.widthDots + 2 * marginDots;
  const h = image.heightDots + 2 * marginDots;
  const png = new PNG({ width: w, height: h });
  for (let yy = 0; yy < h; yy++) {
    for (let xx = 0; xx < w; xx++) {
      const inside = xx >= marginDots && xx < w - marginDots && yy >= marginDots && yy < h - marginDots;
      const black = inside && image.dots[(yy - marginDots) * image.widthDots + (xx - marginDots)] === 1;
      const v = !inside ? 0xc8 : black ? 0x10 : 0xff;
      const o = (yy * w + xx) * 4;
      png.data[o] = v;
      png.data[o + 1] = v;
      png.data[o + 2] = v;
      png.data[o + 3] = 0xff;
    }
  }
  return PNG.sync.write(png);
}

/** Decoded receipt → PNG bytes for the given printer. */
export function renderReceiptPng(
  receipt: DecodedReceipt,
  options: PreviewOptions,
): { png: Buffer; image: ReceiptImage } {
  const image = renderReceipt(receipt, options);
  return { png: receiptPng(image, options.marginDots), image };
}
