import { describe, expect, it } from 'vitest';
import { bundledTextRasterizer, fillEdges } from './text-raster';
import { encodeTicket } from './escpos.encoder';
import { decodeEscPos, type RasterBlock } from './escpos.decoder';
import { encodeCp1258, decodeCp1258 } from './codepages';
import { asciiTicket, simulatedPrinterProfile, vietnameseTicket } from './test-fixtures';

const style = { bold: false, scale: 1, lineHeightDots: 24 };
const narrow = simulatedPrinterProfile({ paperWidthMm: 58, dotsPerLine: 384, columns: { fontA: 32, fontB: 42 } });

describe('scanline fill', () => {
  it('fills a square exactly, with fractional coverage on its edges', () => {
    // clockwise square (1.5, 1) – (4.5, 3): two vertical edges
    const edges = Float64Array.of(1.5, 1, 1.5, 3, -1, 4.5, 1, 4.5, 3, 1);
    const c = fillEdges(edges, 6, 4);
    expect([...c.subarray(6, 12)].map((v) => +v.toFixed(2))).toEqual([0, 0.5, 1, 1, 0.5, 0]);
    expect([...c.subarray(0, 6)].every((v) => v === 0)).toBe(true);
  });
});

describe('Vietnamese raster text', () => {
  const r = bundledTextRasterizer();

  it('renders a line cropped to the ink, within the paper width', () => {
    const bmp = r.render('Nguyễn Thị Ngọc Điệp', 576, style)!;
    expect(bmp.widthBytes * 8).toBeLessThan(576);
    expect(bmp.heightDots).toBeGreaterThan(15);
    // first and last row and column carry ink (cropped)
    const row = (y: number) => bmp.bits.subarray(y * bmp.widthBytes, (y + 1) * bmp.widthBytes);
    expect(row(0).some((b) => b)).toBe(true);
    expect(row(bmp.heightDots - 1).some((b) => b)).toBe(true);
    expect(bmp.bits.some((b, i) => i % bmp.widthBytes === 0 && (b & 0x80) !== 0)).toBe(true);
  });

  it('replaces characters the font lacks (emoji) instead of failing', () => {
    expect(r.sanitize('Bé Na 👶🏻 ❤️ 中')).toBe('Bé Na ?? ? ?');
    expect(r.render('👨‍👩‍👧', 576, style)).toBeDefined();
    const bytes = encodeTicket({ ...vietnameseTicket, maskedName: 'Nguyễn 😀 Văn A' }, simulatedPrinterProfile()).bytes;
    expect(decodeEscPos(bytes).unknown).toEqual([]);
  });

  it('treats decomposed (NFD) input like precomposed text', () => {
    const a = r.render('Điệp', 576, style)!;
    const b = r.render('Điệp'.normalize('NFD'), 576, style)!;
    expect(Buffer.from(b.bits).equals(Buffer.from(a.bits))).toBe(true);
  });

  it('wraps over-long names by width and truncates beyond the item limit with an ellipsis', () => {
    const long = 'Nguyễn Thị Ngọc Điệp Phương Hoàng Thuỷ Tiên '.repeat(6);
    const lines = r.wrap(long, 384, style);
    expect(lines.length).toBeGreaterThan(2);
    for (const l of lines) expect(r.measure(l, style)).toBeLessThanOrEqual(384);
    const receipt = decodeEscPos(encodeTicket({ ...vietnameseTicket, maskedName: long.slice(0, 120) }, narrow).bytes);
    for (const b of receipt.blocks) if (b.kind === 'raster') expect(b.widthDots).toBeLessThanOrEqual(384);
    const one = r.render(`${long}`, 200, style)!;
    expect(one.widthBytes * 8).toBeLessThanOrEqual(200 + 7);
  });

  it('rasterizes only the lines that need it', () => {
    // An unaccented ticket: only the fixed "Phòng … - Tầng …" label needs a raster.
    const ascii = decodeEscPos(encodeTicket(asciiTicket, simulatedPrinterProfile()).bytes);
    expect(ascii.blocks.filter((b) => b.kind === 'raster')).toHaveLength(1);
    expect(ascii.lines).toContain('Benh vien Da khoa Trung uong');
    const vi = decodeEscPos(encodeTicket(vietnameseTicket, simulatedPrinterProfile()).bytes);
    const rasters = vi.blocks.filter((b): b is RasterBlock => b.kind === 'raster');
    expect(rasters.length).toBeGreaterThan(3);
    expect(vi.lines).toEqual(expect.arrayContaining(['STT', 'B127', 'BHYT', 'X4P9TR']));
  });

  it('uses a Vietnamese code page only when the profile marks it reliable', () => {
    const reliable = simulatedPrinterProfile({ codePages: [{ encoding: 'cp1258', number: 52, reliable: true }] });
    const bytes = encodeTicket(vietnameseTicket, reliable).bytes;
    const receipt = decodeEscPos(bytes, { codePages: reliable.capabilities.codePages });
    expect(receipt.blocks.filter((b) => b.kind === 'raster')).toEqual([]);
    expect(receipt.lines).toContain('Khoa Tai Mũi Họng');
    expect(receipt.lines.join(' ')).toContain('Nguyễn Thị Ngọc Điệp');
    // unreliable (the simulated profile's own): raster instead
    expect(decodeEscPos(encodeTicket(vietnameseTicket, simulatedPrinterProfile()).bytes).lines).not.toContain(
      'Khoa Tai Mũi Họng',
    );
  });

  it('round-trips every Vietnamese letter through CP1258', () => {
    const letters = 'aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ';
    const all = letters + letters.toUpperCase();
    expect(decodeCp1258(encodeCp1258(all)!)).toBe(all);
    expect(encodeCp1258('😀')).toBeUndefined();
  });
});

describe('58 mm and 80 mm layouts', () => {
  it.each([
    ['80 mm', simulatedPrinterProfile()],
    ['58 mm', narrow],
  ] as const)('%s: nothing exceeds the dots per line', (_name, profile) => {
    const receipt = decodeEscPos(encodeTicket(vietnameseTicket, profile).bytes);
    const dots = profile.capabilities.dotsPerLine;
    for (const b of receipt.blocks) {
      if (b.kind === 'raster') expect(b.widthDots).toBeLessThanOrEqual(dots);
      if (b.kind === 'text') expect([...b.text].length * 12 * b.widthMul).toBeLessThanOrEqual(dots);
    }
  });
});
