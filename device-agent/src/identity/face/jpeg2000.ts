/**
 * JPEG 2000 faces for the browser, which cannot show them: DG2's codestream (`FF 4F FF 51`) or
 * JP2 file (`00 00 00 0C 6A 50 …`, whose `jp2c` box holds the codestream) is decoded with OpenJPEG
 * compiled to WebAssembly (@cornerstonejs/codec-openjpeg, its decode-only build, loaded at the first
 * JPEG 2000 face) and re-encoded as PNG with pngjs. Everything stays in memory: the decoded pixels
 * in the WASM heap are zeroed before the decoder is freed, and nothing is written to disk.
 * Never throws: a face that does not decode is a Result error.
 */
import { createRequire } from 'node:module';
import { PNG } from 'pngjs';
import { err, ok, type Result } from '@kiosk/protocol';

interface FrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned: boolean;
}
interface J2kDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  getFrameInfo(): FrameInfo;
  delete(): void;
}
interface OpenJpegDecoderModule {
  J2KDecoder: new () => J2kDecoder;
}

/** Faces are small (ICAO: ~240×320 and up); refuse absurd dimensions instead of allocating them. */
const MAX_PIXELS = 4096 * 4096;
/** Boxes nested deeper than this are not a face. */
const MAX_BOXES = 64;

let decoderModule: Promise<OpenJpegDecoderModule> | undefined;

function loadDecoder(): Promise<OpenJpegDecoderModule> {
  decoderModule ??= (async () => {
    const require = createRequire(import.meta.url);
    const factory = require('@cornerstonejs/codec-openjpeg/decodewasmjs') as (
      o: object,
    ) => Promise<OpenJpegDecoderModule>;
    // OpenJPEG reports progress through print/printErr: nothing of it belongs in the agent's log.
    return factory({ print: () => {}, printErr: () => {} });
  })();
  decoderModule.catch(() => (decoderModule = undefined));
  return decoderModule;
}

const J2K_SOC_SIZ = [0xff, 0x4f, 0xff, 0x51];
const JP2_SIGNATURE = [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20];

function startsWith(b: Uint8Array, sig: readonly number[], at = 0): boolean {
  return sig.every((v, i) => b[at + i] === v);
}

/**
 * The JPEG 2000 codestream of a face: the bytes themselves when they start with SOC/SIZ, the
 * contents of the `jp2c` box of a JP2 file (ISO 15444-1 Annex I), else undefined.
 */
export function jpeg2000Codestream(bytes: Uint8Array): Uint8Array | undefined {
  if (startsWith(bytes, J2K_SOC_SIZ)) return bytes;
  if (!startsWith(bytes, JP2_SIGNATURE)) return undefined;
  let p = 0;
  for (let n = 0; n < MAX_BOXES && p + 8 <= bytes.length; n++) {
    let len =
      (((bytes[p] ?? 0) << 24) >>> 0) + ((bytes[p + 1] ?? 0) << 16) + ((bytes[p + 2] ?? 0) << 8) + (bytes[p + 3] ?? 0);
    const type = String.fromCharCode(bytes[p + 4] ?? 0, bytes[p + 5] ?? 0, bytes[p + 6] ?? 0, bytes[p + 7] ?? 0);
    let header = 8;
    if (len === 1) {
      // 64-bit extended length: faces never need the high word.
      if (p + 16 > bytes.length) return undefined;
      if ((bytes[p + 8] ?? 0) | (bytes[p + 9] ?? 0) | (bytes[p + 10] ?? 0) | (bytes[p + 11] ?? 0)) return undefined;
      len =
        (((bytes[p + 12] ?? 0) << 24) >>> 0) +
        ((bytes[p + 13] ?? 0) << 16) +
        ((bytes[p + 14] ?? 0) << 8) +
        (bytes[p + 15] ?? 0);
      header = 16;
    } else if (len === 0) len = bytes.length - p; // the last box runs to the end of the file
    if (len < header || p + len > bytes.length) return undefined;
    if (type === 'jp2c') {
      const cs = bytes.subarray(p + header, p + len);
      return startsWith(cs, J2K_SOC_SIZ) ? cs : undefined;
    }
    p += len;
  }
  return undefined;
}

export interface DecodedFace {
  png: Uint8Array;
  width: number;
  height: number;
}

/** Decodes a JPEG 2000 face (codestream or JP2) and encodes it as PNG (8-bit RGBA). */
export async function jpeg2000ToPng(bytes: Uint8Array): Promise<Result<DecodedFace>> {
  const codestream = jpeg2000Codestream(bytes);
  if (!codestream) return err('face-not-jpeg2000', 'no JPEG 2000 codestream');
  let m: OpenJpegDecoderModule;
  try {
    m = await loadDecoder();
  } catch (e) {
    return err(
      'face-decoder-unavailable',
      `JPEG 2000 decoder did not load: ${e instanceof Error ? e.message.slice(0, 80) : 'error'}`,
    );
  }
  let decoder: J2kDecoder | undefined;
  try {
    decoder = new m.J2KDecoder();
    decoder.getEncodedBuffer(codestream.length).set(codestream);
    decoder.decode();
    const info = decoder.getFrameInfo();
    const { width, height, componentCount: comps, bitsPerSample: bits } = info;
    if (width < 1 || height < 1 || width * height > MAX_PIXELS || comps < 1 || comps > 4 || bits < 1 || bits > 16)
      return err('face-undecodable', `unexpected JPEG 2000 frame ${width}×${height}×${comps}, ${bits} bits`);
    const raw = decoder.getDecodedBuffer();
    const bytesPerSample = bits > 8 ? 2 : 1;
    if (raw.length < width * height * comps * bytesPerSample)
      return err('face-undecodable', 'decoded buffer too short');
    const png = new PNG({ width, height });
    const sample = (i: number): number => {
      if (bytesPerSample === 1) return raw[i] ?? 0;
      // Little-endian 16-bit samples (the WASM heap's order), scaled to 8 bits.
      const v = (raw[2 * i] ?? 0) | ((raw[2 * i + 1] ?? 0) << 8);
      return Math.min(255, v >> (bits - 8));
    };
    for (let px = 0; px < width * height; px++) {
      const base = px * comps;
      const o = px * 4;
      if (comps < 3) {
        const g = sample(base);
        png.data[o] = g;
        png.data[o + 1] = g;
        png.data[o + 2] = g;
        png.data[o + 3] = comps === 2 ? sample(base + 1) : 255;
      } else {
        png.data[o] = sample(base);
        png.data[o + 1] = sample(base + 1);
        png.data[o + 2] = sample(base + 2);
        png.data[o + 3] = comps === 4 ? sample(base + 3) : 255;
      }
    }
    raw.fill(0);
    const out = new Uint8Array(PNG.sync.write(png));
    png.data.fill(0);
    return ok({ png: out, width, height });
  } catch (e) {
    return err(
      'face-undecodable',
      `JPEG 2000 face does not decode: ${e instanceof Error ? e.message.slice(0, 80) : String(e).slice(0, 80)}`,
    );
  } finally {
    try {
      decoder?.delete();
    } catch {
      // A decoder that failed mid-way may refuse to be freed; the module stays usable.
    }
  }
}
