import fc from 'fast-check';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { generateFaceJpeg2000, wrapJp2 } from '../../simulator/virtual-cccd/jpeg2000';
import { hex } from '../icao/bytes';
import { jpeg2000Codestream, jpeg2000ToPng } from './jpeg2000';

describe('JPEG 2000 faces', () => {
  it.each(['j2k', 'jp2'] as const)('decodes a %s face to a PNG of the same size and picture', async (format) => {
    const face = await generateFaceJpeg2000({ widthPx: 240, heightPx: 320, format });
    expect(hex(face.subarray(0, format === 'j2k' ? 4 : 6))).toBe(format === 'j2k' ? 'FF4FFF51' : '0000000C6A50');
    const r = await jpeg2000ToPng(face);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect([r.value.width, r.value.height]).toEqual([240, 320]);
    expect(hex(r.value.png.subarray(0, 8))).toBe('89504E470D0A1A0A');
    const png = PNG.sync.read(Buffer.from(r.value.png));
    const at = (x: number, y: number) => png.data[(y * 240 + x) * 4] ?? 0;
    // The light oval in the middle, the darker ground in the corner (lossy: roughly).
    expect(Math.abs(at(120, 160) - 190)).toBeLessThan(12);
    expect(Math.abs(at(2, 2) - 70)).toBeLessThan(12);
  });

  it('finds the codestream of a JP2 file and nothing in other bytes', async () => {
    const cs = await generateFaceJpeg2000({ widthPx: 32, heightPx: 32 });
    expect(hex(jpeg2000Codestream(wrapJp2(cs, 32, 32)) ?? new Uint8Array(0))).toBe(hex(cs));
    expect(jpeg2000Codestream(Uint8Array.of(0xff, 0xd8, 0xff, 0xe0))).toBeUndefined();
  });

  it('refuses bytes that are not a decodable JPEG 2000 face without throwing', async () => {
    expect(await jpeg2000ToPng(Uint8Array.of(1, 2, 3))).toMatchObject({
      ok: false,
      error: { code: 'face-not-jpeg2000' },
    });
    const cs = await generateFaceJpeg2000({ widthPx: 32, heightPx: 32 });
    const r = await jpeg2000ToPng(cs.subarray(0, 40));
    expect(r.ok).toBe(false);
  });

  it('the JP2 box walk never throws on random, truncated or mutated input (fuzz)', async () => {
    const valid = wrapJp2(await generateFaceJpeg2000({ widthPx: 32, heightPx: 32 }), 32, 32);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }).map((b) => Uint8Array.from([0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20, ...b])),
          fc.nat(valid.length).map((n) => valid.subarray(0, n)),
          fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })).map(([i, b]) => {
            const c = Uint8Array.from(valid);
            c[i] = b;
            return c;
          }),
        ),
        (b) => void jpeg2000Codestream(b),
      ),
      { numRuns: 3000 },
    );
  });

  it('the decoder survives corrupted codestreams (a sample of mutations)', async () => {
    const cs = await generateFaceJpeg2000({ widthPx: 32, heightPx: 32 });
    await fc.assert(
      fc.asyncProperty(fc.nat(cs.length - 1), fc.integer({ min: 0, max: 255 }), async (i, b) => {
        const c = Uint8Array.from(cs);
        c[i] = b;
        await jpeg2000ToPng(c);
      }),
      { numRuns: 60 },
    );
  });
});
