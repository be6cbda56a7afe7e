/**
 * Vietnamese text → 1-bit raster lines for `GS v 0`, in pure JavaScript: glyph outlines from a
 * bundled TTF (Be Vietnam Pro, OFL, drawn for Vietnamese) read with opentype.js, filled by our
 * own scanline rasterizer (4 sub-scanlines per dot, exact horizontal coverage, non-zero
 * winding, threshold). No native binary, and the same bits on every platform, so golden tests
 * are stable. Characters the font lacks (emoji, other scripts) become '?'; nothing throws.
 *
 * opentype.js's own shaping (stringToGlyphs) throws on this font's ccmp lookups, so glyphs are
 * taken from the cmap after NFC normalization: every Vietnamese letter has a precomposed glyph.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { RasterBitmap, RasterTextStyle, TextRasterizer } from './escpos.types';
import { normalizeSpace, wrapText } from './text';

/** The slice of opentype.js we use (the package ships no types). */
interface OtPathCommand {
  type: 'M' | 'L' | 'Q' | 'C' | 'Z';
  x?: number;
  y?: number;
  x1?: number;
  y1?: number;
  x2?: number;
  y2?: number;
}
interface OtGlyph {
  index: number;
  advanceWidth?: number;
  getPath(x: number, y: number, fontSize: number): { commands: OtPathCommand[] };
}
export interface OtFont {
  unitsPerEm: number;
  charToGlyphIndex(ch: string): number;
  glyphs: { get(index: number): OtGlyph };
  getKerningValue(left: OtGlyph, right: OtGlyph): number;
}

const require_ = createRequire(import.meta.url);
const opentype = require_('opentype.js') as { parse(buffer: ArrayBuffer): OtFont };

export function parseFont(bytes: Uint8Array): OtFont {
  return opentype.parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
}

/** The bundled fonts: Be Vietnam Pro Medium (thermal heads print thin strokes faintly) and Bold. */
export function loadBundledFonts(): { regular: OtFont; bold: OtFont } {
  const file = (weight: string) =>
    readFileSync(require_.resolve(`@expo-google-fonts/be-vietnam-pro/${weight}/BeVietnamPro_${weight}.ttf`));
  return { regular: parseFont(file('500Medium')), bold: parseFont(file('700Bold')) };
}

export interface OutlineRasterizerOptions {
  /** Font size in dots for a 24-dot native line (scale 1). Default 21. */
  fontSizeDots?: number;
  /** Coverage at or above which a dot is black. Default 0.45. */
  threshold?: number;
}

/** Letters that reach highest and lowest in Vietnamese: they fix the line cell. */
const TALL = 'ỄẪỖỮỲẤẦẨẴẶỶÂĂÊÔƠƯỆỘĐÁÀẢÃfhkl';
const DEEP = 'gjpqyỵỴẠỌỤỊẸ';
const SUB_SCANLINES = 4;

interface GlyphEdges {
  /** x0, y0, x1, y1, dir per edge; y0 < y1, relative to pen at (0, baseline 0). */
  edges: Float64Array;
  yMin: number;
  yMax: number;
}

export class OutlineTextRasterizer implements TextRasterizer {
  private readonly fontSize: number;
  private readonly threshold: number;
  private readonly glyphCache = new Map<string, GlyphEdges>();
  private readonly metricsCache = new Map<string, { ascent: number; descent: number }>();

  constructor(
    private readonly fonts: { regular: OtFont; bold: OtFont },
    options: OutlineRasterizerOptions = {},
  ) {
    this.fontSize = options.fontSizeDots ?? 21;
    this.threshold = options.threshold ?? 0.45;
  }

  /** NFC, spaces normalized, unknown characters → '?', invisible joiners dropped. */
  sanitize(text: string, bold = false): string {
    const font = bold ? this.fonts.bold : this.fonts.regular;
    let out = '';
    for (const ch of normalizeSpace(text).normalize('NFC')) {
      const cp = ch.codePointAt(0)!;
      if (cp === 0x200d || (cp >= 0xfe00 && cp <= 0xfe0f) || cp === 0x200b) continue;
      if (ch === ' ' || font.charToGlyphIndex(ch) > 0) out += ch;
      else if (/\p{M}/u.test(ch))
        continue; // a stray combining mark the font cannot place
      else out += '?';
    }
    return out;
  }

  /** Advance width of a line in dots. */
  measure(text: string, style: Pick<RasterTextStyle, 'bold' | 'scale'>): number {
    const font = style.bold ? this.fonts.bold : this.fonts.regular;
    const size = this.fontSize * style.scale;
    const k = size / font.unitsPerEm;
    let width = 0;
    let prev: OtGlyph | undefined;
    for (const ch of text) {
      const glyph = font.glyphs.get(font.charToGlyphIndex(ch));
      if (prev) width += font.getKerningValue(prev, glyph) * k;
      width += (glyph.advanceWidth ?? 0) * k;
      prev = glyph;
    }
    return width;
  }

  /** Word wrap by rendered width, balanced: the narrowest width that needs no more lines. */
  wrap(text: string, maxWidthDots: number, style: RasterTextStyle): string[] {
    const clean = this.sanitize(text, style.bold);
    const measure = (s: string) => Math.ceil(this.measure(s, style));
    const lines = wrapText(clean, maxWidthDots, measure);
    if (lines.length < 2) return lines;
    let lo = Math.floor(maxWidthDots / 2);
    let hi = maxWidthDots;
    let best = lines;
    while (hi - lo > 4) {
      const mid = (lo + hi) >> 1;
      const attempt = wrapText(clean, mid, measure);
      // Same number of lines and no word broken in two.
      if (attempt.length <= lines.length && attempt.join(' ') === lines.join(' ')) {
        best = attempt;
        hi = mid;
      } else lo = mid;
    }
    return best;
  }

  render(text: string, maxWidthDots: number, style: RasterTextStyle): RasterBitmap | undefined {
    const font = style.bold ? this.fonts.bold : this.fonts.regular;
    const size = this.fontSize * style.scale;
    let line = this.sanitize(text, style.bold);
    while (line.length > 1 && this.measure(line, style) > maxWidthDots)
      line = `${[...line].slice(0, -2).join('').trimEnd()}…`;
    if (!line.trim()) return undefined;
    const { ascent, descent } = this.cellMetrics(font, size, style.bold);
    const cellHeight = ascent + descent;

    // Lay out glyph edges on the line (pen y = baseline = ascent).
    const k = size / font.unitsPerEm;
    const parts: { edges: Float64Array; dx: number }[] = [];
    let pen = 0;
    let prev: OtGlyph | undefined;
    let count = 0;
    for (const ch of line) {
      const glyph = font.glyphs.get(font.charToGlyphIndex(ch));
      if (prev) pen += font.getKerningValue(prev, glyph) * k;
      const g = this.glyphEdges(font, glyph, size, style.bold);
      if (g.edges.length) {
        parts.push({ edges: g.edges, dx: pen });
        count += g.edges.length / 5;
      }
      pen += (glyph.advanceWidth ?? 0) * k;
      prev = glyph;
    }
    const margin = 2; // room for negative side bearings; cropped away again below
    const width = Math.min(maxWidthDots + margin, Math.ceil(pen) + 2 * margin);
    const edges = new Float64Array(count * 5);
    let o = 0;
    for (const p of parts) {
      for (let i = 0; i < p.edges.length; i += 5) {
        edges[o++] = p.edges[i]! + p.dx + margin;
        edges[o++] = p.edges[i + 1]! + ascent;
        edges[o++] = p.edges[i + 2]! + p.dx + margin;
        edges[o++] = p.edges[i + 3]! + ascent;
        edges[o++] = p.edges[i + 4]!;
      }
    }
    const coverage = fillEdges(edges, width, cellHeight);
    return toBitmap(coverage, width, cellHeight, this.threshold, maxWidthDots);
  }

  /**
   * A printer's built-in font, emulated for previews: each character centred in a fixed cell
   * (font A 12×24 × GS ! multipliers), stretched to the cell's aspect. Unknown characters → '?'.
   */
  renderCells(
    text: string,
    cell: { widthDots: number; heightDots: number; bold: boolean },
  ): { width: number; height: number; coverage: Float32Array } {
    const font = cell.bold ? this.fonts.bold : this.fonts.regular;
    const size = cell.heightDots * 0.8;
    const baseline = cell.heightDots * 0.78;
    const k = size / font.unitsPerEm;
    const chars = [...this.sanitize(text, cell.bold).padEnd(text.length, ' ')];
    const width = chars.length * cell.widthDots;
    const all: number[] = [];
    chars.forEach((ch, i) => {
      if (ch === ' ') return;
      const glyph = font.glyphs.get(font.charToGlyphIndex(ch));
      const advance = Math.max(1, (glyph.advanceWidth ?? 0) * k);
      // Stretch like GS ! does (a 2×1 cell is twice as wide), then squeeze wide letters into the cell.
      const aspect = cell.widthDots / 12 / (cell.heightDots / 24);
      const sx = Math.min(aspect, (cell.widthDots * 0.95) / advance);
      const dx = i * cell.widthDots + (cell.widthDots - advance * sx) / 2;
      const e = this.glyphEdges(font, glyph, size, cell.bold).edges;
      for (let j = 0; j < e.length; j += 5)
        all.push(e[j]! * sx + dx, e[j + 1]! + baseline, e[j + 2]! * sx + dx, e[j + 3]! + baseline, e[j + 4]!);
    });
    return { width, height: cell.heightDots, coverage: fillEdges(Float64Array.from(all), width, cell.heightDots) };
  }

  private cellMetrics(font: OtFont, size: number, bold: boolean): { ascent: number; descent: number } {
    const key = `${bold ? 'b' : 'r'}${size}`;
    let m = this.metricsCache.get(key);
    if (!m) {
      let top = 0;
      let bottom = 0;
      for (const ch of TALL + DEEP) {
        const g = this.glyphEdges(font, font.glyphs.get(font.charToGlyphIndex(ch)), size, bold);
        top = Math.min(top, g.yMin);
        bottom = Math.max(bottom, g.yMax);
      }
      m = { ascent: Math.ceil(-top) + 1, descent: Math.ceil(bottom) + 1 };
      this.metricsCache.set(key, m);
    }
    return m;
  }

  private glyphEdges(font: OtFont, glyph: OtGlyph, size: number, bold: boolean): GlyphEdges {
    const key = `${bold ? 'b' : 'r'}${size}:${glyph.index}`;
    let cached = this.glyphCache.get(key);
    if (!cached) {
      cached = flattenPath(glyph.getPath(0, 0, size).commands);
      this.glyphCache.set(key, cached);
    }
    return cached;
  }
}

/** Outline → straight edges (curves subdivided by length). */
function flattenPath(commands: OtPathCommand[]): GlyphEdges {
  const out: number[] = [];
  let x0 = 0;
  let y0 = 0;
  let sx = 0;
  let sy = 0;
  let yMin = 0;
  let yMax = 0;
  const line = (x1: number, y1: number) => {
    if (y1 !== y0) {
      if (y0 < y1) out.push(x0, y0, x1, y1, 1);
      else out.push(x1, y1, x0, y0, -1);
    }
    yMin = Math.min(yMin, y1);
    yMax = Math.max(yMax, y1);
    x0 = x1;
    y0 = y1;
  };
  const steps = (len: number) => Math.max(2, Math.min(16, Math.ceil(len / 2)));
  for (const c of commands) {
    const x = c.x ?? 0;
    const y = c.y ?? 0;
    switch (c.type) {
      case 'M':
        x0 = sx = x;
        y0 = sy = y;
        yMin = Math.min(yMin, y);
        yMax = Math.max(yMax, y);
        break;
      case 'L':
        line(x, y);
        break;
      case 'Q': {
        const ax = x0;
        const ay = y0;
        const x1 = c.x1 ?? 0;
        const y1 = c.y1 ?? 0;
        const n = steps(Math.hypot(x1 - ax, y1 - ay) + Math.hypot(x - x1, y - y1));
        for (let i = 1; i <= n; i++) {
          const t = i / n;
          const u = 1 - t;
          line(u * u * ax + 2 * u * t * x1 + t * t * x, u * u * ay + 2 * u * t * y1 + t * t * y);
        }
        break;
      }
      case 'C': {
        const ax = x0;
        const ay = y0;
        const x1 = c.x1 ?? 0;
        const y1 = c.y1 ?? 0;
        const x2 = c.x2 ?? 0;
        const y2 = c.y2 ?? 0;
        const n = steps(Math.hypot(x1 - ax, y1 - ay) + Math.hypot(x2 - x1, y2 - y1) + Math.hypot(x - x2, y - y2));
        for (let i = 1; i <= n; i++) {
          const t = i / n;
          const u = 1 - t;
          line(
            u * u * u * ax + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t * t * t * x,
            u * u * u * ay + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t * t * t * y,
          );
        }
        break;
      }
      case 'Z':
        line(sx, sy);
        break;
    }
  }
  return { edges: Float64Array.from(out), yMin, yMax };
}

/**
 * Non-zero winding scanline fill: per dot coverage in [0, 1]. Edges are sorted by their top;
 * an active list is kept per sub-scanline; spans add exact fractional coverage at both ends and
 * a +/− step in between that a running sum per row turns into full dots.
 */
export function fillEdges(edges: Float64Array, width: number, height: number): Float32Array {
  const n = edges.length / 5;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => edges[a * 5 + 1]! - edges[b * 5 + 1]!);
  const coverage = new Float32Array(width * height);
  const step = new Float32Array(width + 2);
  const active: number[] = [];
  const xs = new Float64Array(Math.max(16, n));
  const dirs = new Int8Array(Math.max(16, n));
  const w = 1 / SUB_SCANLINES;
  let next = 0;
  for (let row = 0; row < height; row++) {
    step.fill(0);
    const rowBase = row * width;
    for (let s = 0; s < SUB_SCANLINES; s++) {
      const y = row + (s + 0.5) * w;
      while (next < n && edges[order[next]! * 5 + 1]! <= y) active.push(order[next++]!);
      let m = 0;
      for (let i = active.length - 1; i >= 0; i--) {
        const e = active[i]! * 5;
        const y1 = edges[e + 3]!;
        if (y1 <= y) {
          active[i] = active[active.length - 1]!;
          active.pop();
          continue;
        }
        const y0 = edges[e + 1]!;
        const x0 = edges[e]!;
        const x = x0 + ((y - y0) * (edges[e + 2]! - x0)) / (y1 - y0);
        // insertion sort by x
        let j = m++;
        while (j > 0 && xs[j - 1]! > x) {
          xs[j] = xs[j - 1]!;
          dirs[j] = dirs[j - 1]!;
          j--;
        }
        xs[j] = x;
        dirs[j] = edges[e + 4]!;
      }
      let winding = 0;
      for (let i = 0; i < m - 1; i++) {
        winding += dirs[i]!;
        if (winding === 0) continue;
        const a = Math.max(0, Math.min(width, xs[i]!));
        const b = Math.max(0, Math.min(width, xs[i + 1]!));
        if (b <= a) continue;
        const ia = Math.floor(a);
        const ib = Math.floor(b);
        if (ia === ib) {
          coverage[rowBase + ia]! += (b - a) * w;
        } else {
          coverage[rowBase + ia]! += (ia + 1 - a) * w;
          step[ia + 1]! += w;
          step[ib]! -= w;
          if (ib < width) coverage[rowBase + ib]! += (b - ib) * w;
        }
      }
    }
    let run = 0;
    for (let x = 0; x < width; x++) {
      run += step[x]!;
      coverage[rowBase + x]! += run;
    }
  }
  return coverage;
}

/** Thresholds coverage and crops to the ink: columns always, rows into padTop/padBottom. */
function toBitmap(
  coverage: Float32Array,
  width: number,
  height: number,
  threshold: number,
  maxWidthDots: number,
): RasterBitmap | undefined {
  let left = width;
  let right = -1;
  let top = height;
  let bottom = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (coverage[y * width + x]! >= threshold) {
        if (x < left) left = x;
        if (x > right) right = x;
        if (y < top) top = y;
        bottom = y;
      }
    }
  }
  if (right < 0) return undefined;
  right = Math.min(right, left + maxWidthDots - 1);
  const inkWidth = right - left + 1;
  const widthBytes = Math.ceil(inkWidth / 8);
  const rows = bottom - top + 1;
  const bits = new Uint8Array(widthBytes * rows);
  for (let y = 0; y < rows; y++) {
    const src = (y + top) * width + left;
    for (let x = 0; x < inkWidth; x++) {
      if (coverage[src + x]! >= threshold) bits[y * widthBytes + (x >> 3)]! |= 0x80 >> (x & 7);
    }
  }
  return { widthBytes, heightDots: rows, bits, padTopDots: top, padBottomDots: height - 1 - bottom };
}

let shared: OutlineTextRasterizer | undefined;
/** The process-wide rasterizer with the bundled fonts (parsed once, ~30 ms). */
export function bundledTextRasterizer(): OutlineTextRasterizer {
  shared ??= new OutlineTextRasterizer(loadBundledFonts());
  return shared;
}
