/**
 * A JPEG 2000 face for virtual cards that store one (some eMRTDs do): the same light oval on a
 * darker ground as the JPEG face, encoded with OpenJPEG (the full WASM build of
 * @cornerstonejs/codec-openjpeg, encoder included; the agent itself loads only the decoder).
 * `format: 'jp2'` wraps the codestream in the JP2 file format (signature, ftyp, jp2h, jp2c boxes).
 */
import { createRequire } from 'node:module';
import { concat } from '../../identity/icao/bytes';

interface J2kEncoder {
  getDecodedBuffer(info: {
    width: number;
    height: number;
    bitsPerSample: number;
    componentCount: number;
    isSigned: boolean;
  }): Uint8Array;
  setQuality(lossless: boolean, quality: number): void;
  encode(): void;
  getEncodedBuffer(): Uint8Array;
  delete(): void;
}
interface OpenJpegModule {
  J2KEncoder: new () => J2kEncoder;
}

let codec: Promise<OpenJpegModule> | undefined;

function loadEncoder(): Promise<OpenJpegModule> {
  codec ??= (async () => {
    const require = createRequire(import.meta.url);
    const factory = require('@cornerstonejs/codec-openjpeg/wasmjs') as (o: object) => Promise<OpenJpegModule>;
    return factory({ print: () => {}, printErr: () => {} });
  })();
  return codec;
}

export interface Jpeg2000FaceOptions {
  widthPx?: number;
  heightPx?: number;
  /** `j2k`: a bare codestream (FF 4F FF 51); `jp2`: the JP2 box format (00 00 00 0C 6A 50 …). */
  format?: 'j2k' | 'jp2';
  /** Lossy quality (PSNR-like; higher is larger). Default 30. */
  quality?: number;
}

const box = (type: string, ...body: Uint8Array[]): Uint8Array => {
  const content = concat(...body);
  const len = 8 + content.length;
  return concat(
    Uint8Array.of(len >>> 24, (len >> 16) & 0xff, (len >> 8) & 0xff, len & 0xff),
    new TextEncoder().encode(type),
    content,
  );
};
const u32 = (v: number) => Uint8Array.of(v >>> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);

/** Wraps a codestream in the JP2 file format (ISO 15444-1 Annex I), 8-bit grey. */
export function wrapJp2(codestream: Uint8Array, widthPx: number, heightPx: number): Uint8Array {
  const signature = box('jP  ', Uint8Array.of(0x0d, 0x0a, 0x87, 0x0a));
  const ftyp = box('ftyp', new TextEncoder().encode('jp2 '), u32(0), new TextEncoder().encode('jp2 '));
  const ihdr = box('ihdr', u32(heightPx), u32(widthPx), Uint8Array.of(0, 1, 7, 7, 0, 0));
  const colr = box('colr', Uint8Array.of(1, 0, 0), u32(17)); // enumerated: greyscale
  return concat(signature, ftyp, box('jp2h', ihdr, colr), box('jp2c', codestream));
}

export async function generateFaceJpeg2000(options: Jpeg2000FaceOptions = {}): Promise<Uint8Array> {
  const width = options.widthPx ?? 240;
  const height = options.heightPx ?? 320;
  const m = await loadEncoder();
  const encoder = new m.J2KEncoder();
  try {
    const pixels = encoder.getDecodedBuffer({ width, height, bitsPerSample: 8, componentCount: 1, isSigned: false });
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const dx = (x - width / 2) / (width * 0.35);
        const dy = (y - height / 2) / (height * 0.42);
        pixels[y * width + x] = dx * dx + dy * dy < 1 ? 190 : 70;
      }
    encoder.setQuality(false, options.quality ?? 30);
    encoder.encode();
    const codestream = Uint8Array.from(encoder.getEncodedBuffer());
    return options.format === 'jp2' ? wrapJp2(codestream, width, height) : codestream;
  } finally {
    encoder.delete();
  }
}
