/**
 * Encoders for the virtual chip's LDS files: EF.COM, DG1 (TD1 MRZ), DG2 (ISO 19794-5 face
 * record around a JPEG), DG13 (Vietnamese personal data, 16 fields). The layouts follow
 * what the identity parsers read; encoders are also used to craft malformed files in tests.
 */
import { concat } from '../../identity/icao/bytes';
import type { Dg13 } from '../../identity/lds/dg13.parser';
import { DG_TAGS, EF_COM_TAG } from '../../identity/lds/lds-files';
import { encodeBerTlv, encodeInt, encodeOid, printable, seq, set, utf8 } from '@kiosk/protocol';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

export function buildEfCom(dataGroups: number[], ldsVersion = '0107', unicodeVersion = '040000'): Uint8Array {
  const tags = Uint8Array.from(dataGroups.map((n) => DG_TAGS[n] ?? 0));
  return encodeBerTlv(
    EF_COM_TAG,
    encodeBerTlv(0x5f01, ascii(ldsVersion)),
    encodeBerTlv(0x5f36, ascii(unicodeVersion)),
    encodeBerTlv(0x5c, tags),
  );
}

export function buildDg1(mrzLines: string[]): Uint8Array {
  return encodeBerTlv(0x61, encodeBerTlv(0x5f1f, ascii(mrzLines.join(''))));
}

export interface FaceRecordOptions {
  widthPx: number;
  heightPx: number;
  /** 0 unspecified, 1 male, 2 female. */
  gender?: number;
  /** 0 JPEG, 1 JPEG 2000. */
  imageDataType?: number;
}

/** ISO/IEC 19794-5:2005 facial record with one image and no feature points. */
export function buildFaceRecord(image: Uint8Array, o: FaceRecordOptions): Uint8Array {
  const facialDataLength = 20 + 12 + image.length;
  const recordLength = 14 + facialDataLength;
  const u16 = (v: number) => [(v >> 8) & 0xff, v & 0xff];
  const u32 = (v: number) => [(v >>> 24) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
  const head = Uint8Array.from([
    ...ascii('FAC\0'),
    ...ascii('010\0'),
    ...u32(recordLength),
    ...u16(1),
    ...u32(facialDataLength),
    ...u16(0), // feature points
    o.gender ?? 0,
    0, // eye colour
    0, // hair colour
    0,
    0,
    0, // property mask
    ...u16(0), // expression
    0,
    0,
    0, // pose angles
    0,
    0,
    0, // pose uncertainty
    1, // full frontal
    o.imageDataType ?? 0,
    ...u16(o.widthPx),
    ...u16(o.heightPx),
    1, // 24-bit RGB / gray unspecified
    2, // source: digital still camera
    ...u16(0),
    ...u16(0),
  ]);
  return concat(head, image);
}

export function buildDg2(faceRecord: Uint8Array): Uint8Array {
  const header = encodeBerTlv(
    0xa1,
    encodeBerTlv(0x80, Uint8Array.of(0x01, 0x01)),
    encodeBerTlv(0x81, Uint8Array.of(0x02)),
    encodeBerTlv(0x87, Uint8Array.of(0x01, 0x01)),
    encodeBerTlv(0x88, Uint8Array.of(0x00, 0x08)),
  );
  return encodeBerTlv(
    0x75,
    encodeBerTlv(
      0x7f61,
      encodeBerTlv(0x02, Uint8Array.of(1)),
      encodeBerTlv(0x7f60, header, encodeBerTlv(0x5f2e, faceRecord)),
    ),
  );
}

/**
 * The 16 DG13 fields as the reader names them, but field 13 is [father, mother] and field 16 is
 * written as given.
 */
export type Dg13Content = Omit<Dg13, 'fatherName' | 'motherName' | 'field16Raw' | 'fields' | 'anomalies'> & {
  parents?: [string, string];
  field16?: string;
};

/** Placeholder OID of the DG13 structure (the real one is not published). */
export const DG13_TEST_OID = '1.3.6.1.4.1.99999.13';

export function buildDg13(c: Dg13Content, options: { printableFields?: number[] } = {}): Uint8Array {
  const str = (n: number, v: string) => (options.printableFields?.includes(n) ? printable(v) : utf8(v));
  const plain: [number, string | undefined][] = [
    [1, c.idNumber],
    [2, c.fullName],
    [3, c.dateOfBirth],
    [4, c.sex],
    [5, c.nationality],
    [6, c.ethnicity],
    [7, c.religion],
    [8, c.placeOfOrigin],
    [9, c.placeOfResidence],
    [10, c.identifyingMarks],
    [11, c.issueDate],
    [12, c.expiryDate],
    [14, c.spouseName],
    [15, c.oldIdNumber],
    [16, c.field16],
  ];
  const fields: Uint8Array[] = [];
  for (const [n, v] of plain) {
    if (v !== undefined) fields.push(seq(encodeInt(n), str(n, v)));
    if (n === 12 && c.parents) fields.push(seq(encodeInt(13), seq(utf8(c.parents[0]), utf8(c.parents[1]))));
  }
  return encodeBerTlv(DG_TAGS[13] ?? 0x6d, seq(encodeInt(1), encodeOid(DG13_TEST_OID), set(...fields)));
}
