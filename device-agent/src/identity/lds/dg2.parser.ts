/**
 * DG2 face: `75` (missing on some chips) { 7F61 biometric information group template { 02 count, 7F60 { A1 header,
 * 5F2E (or 7F2E) biometric data block } } }. The BDB is an ISO/IEC 19794-5 facial record
 * ('FAC\0'): 14-byte record header, 20-byte facial information, 8 bytes per feature point,
 * 12-byte image information, then JPEG or JPEG 2000 bytes. When the record does not follow
 * that layout (ISO 39794-5, vendor quirks) the image is located by its signature instead.
 * The image bytes stay in memory only.
 */
import type { Result } from '@kiosk/protocol';
import { childrenOf, expectTlv, MAX_TLV_DEPTH, type Tlv } from '@kiosk/protocol';
import { DG_TAGS } from './lds-files';
import { fromTlv, ldsErr, type LdsError } from './lds-error';

export interface FaceImage {
  /** As stored (JPEG or JPEG 2000), or PNG once a JPEG 2000 face was converted for the browser. */
  mimeType: 'image/jpeg' | 'image/jp2' | 'image/png';
  /** Set when the bytes are a conversion of the stored image. */
  convertedFrom?: 'image/jp2';
  /** A view into the DG2 bytes. */
  bytes: Uint8Array;
  width?: number;
  height?: number;
}

const JPEG_SOI = [0xff, 0xd8, 0xff];
const JP2_SIGNATURE = [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a];
const J2K_CODESTREAM = [0xff, 0x4f, 0xff, 0x51];

function startsWith(b: Uint8Array, at: number, sig: readonly number[]): boolean {
  if (at + sig.length > b.length) return false;
  for (let i = 0; i < sig.length; i++) if (b[at + i] !== sig[i]) return false;
  return true;
}

function indexOfSig(b: Uint8Array, sig: readonly number[]): number {
  const first = sig[0] ?? 0;
  for (let i = b.indexOf(first); i >= 0 && i <= b.length - sig.length; i = b.indexOf(first, i + 1))
    if (startsWith(b, i, sig)) return i;
  return -1;
}

function imageAt(b: Uint8Array, at: number, end = b.length): FaceImage | undefined {
  if (startsWith(b, at, JPEG_SOI)) return { mimeType: 'image/jpeg', bytes: b.subarray(at, end) };
  if (startsWith(b, at, JP2_SIGNATURE) || startsWith(b, at, J2K_CODESTREAM))
    return { mimeType: 'image/jp2', bytes: b.subarray(at, end) };
  return undefined;
}

const u16 = (b: Uint8Array, o: number) => ((b[o] ?? 0) << 8) | (b[o + 1] ?? 0);
const u32 = (b: Uint8Array, o: number) => u16(b, o) * 65536 + u16(b, o + 2);

/** Image from an ISO 19794-5 record, or by signature search. */
export function extractFaceFromBdb(bdb: Uint8Array): FaceImage | undefined {
  if (startsWith(bdb, 0, [0x46, 0x41, 0x43, 0x00]) && bdb.length >= 46) {
    const featurePoints = u16(bdb, 18);
    const facialDataLength = u32(bdb, 14);
    const imageInfo = 34 + featurePoints * 8;
    const imageStart = imageInfo + 12;
    const end = Math.min(bdb.length, 14 + facialDataLength);
    if (imageStart < end) {
      const img = imageAt(bdb, imageStart, end);
      if (img) {
        img.width = u16(bdb, imageInfo + 2);
        img.height = u16(bdb, imageInfo + 4);
        return img;
      }
    }
  }
  for (const sig of [JPEG_SOI, JP2_SIGNATURE, J2K_CODESTREAM]) {
    const at = indexOfSig(bdb, sig);
    if (at >= 0) return imageAt(bdb, at);
  }
  return undefined;
}

export function parseDg2(bytes: Uint8Array): Result<FaceImage, LdsError> {
  // Some chips store DG2 without its outer 75 template: the file starts with 7F61.
  const outer =
    bytes[0] === 0x7f && bytes[1] === 0x61 ? expectTlv(bytes, 0x7f61) : expectTlv(bytes, DG_TAGS[2] ?? 0x75);
  if (!outer.ok) return fromTlv('DG2', outer.error);
  let bdb: Tlv | undefined;
  let nodes = 0;
  const find = (t: Tlv, depth: number): Result<null, LdsError> => {
    if (bdb || ++nodes > 1024 || depth > MAX_TLV_DEPTH) return { ok: true, value: null };
    if (t.tag === 0x5f2e || t.tag === 0x7f2e) {
      bdb = t;
      return { ok: true, value: null };
    }
    if (!t.constructed) return { ok: true, value: null };
    const kids = childrenOf(t);
    if (!kids.ok) return fromTlv('DG2', kids.error);
    for (const k of kids.value) {
      const r = find(k, depth + 1);
      if (!r.ok) return r;
    }
    return { ok: true, value: null };
  };
  const r = find(outer.value, 0);
  if (!r.ok) return r;
  if (!bdb) return ldsErr('lds-unexpected-content', 'DG2', 'no biometric data block (5F2E/7F2E)');
  const img = extractFaceFromBdb(bdb.value);
  if (!img) return ldsErr('lds-no-image', 'DG2', 'no JPEG or JPEG 2000 image in the biometric data block');
  return { ok: true, value: img };
}
