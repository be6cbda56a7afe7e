/**
 * Types shared by the ESC/POS encoder, the text rasterizer and the printer driver. A module of
 * its own so the encoder and the rasterizer do not import each other.
 */

/** A Vietnamese-capable text → 1-bit raster renderer (see text-raster.ts). */
export interface TextRasterizer {
  /** Splits text into lines that fit `maxWidthDots` when rendered at this style. */
  wrap(text: string, maxWidthDots: number, style: RasterTextStyle): string[];
  /** Renders one line, cropped to the ink horizontally, at most `maxWidthDots` wide. */
  render(text: string, maxWidthDots: number, style: RasterTextStyle): RasterBitmap | undefined;
}
export interface RasterTextStyle {
  bold: boolean;
  /** Character size multiplier, as GS ! would apply to native text. */
  scale: number;
  /** Cell height of one native text line in dots (the raster matches it). */
  lineHeightDots: number;
}
export interface RasterBitmap {
  widthBytes: number;
  heightDots: number;
  /** Blank dots above and below the ink within the line cell: sent as feeds, not as rows. */
  padTopDots: number;
  padBottomDots: number;
  /** Row-major, MSB first, 1 = black. */
  bits: Uint8Array;
}

/**
 * One encoded job as the encoder made it: the bytes, the offsets where it may be split, and how
 * much paper it feeds. The driver sends it in pieces cut at `boundaries` so that a real-time
 * status query is only ever sent between commands (printers act on DLE EOT even inside an image),
 * and waits for `heightDots` of paper to come out before confirming.
 */
export interface EncodedJob {
  bytes: Uint8Array;
  /** Ascending offsets that end a command; the last is `bytes.length`. */
  boundaries: number[];
  /** Paper fed by the job in dots: text lines, rasters, the QR, feeds, the feed before the cut. */
  heightDots: number;
}
