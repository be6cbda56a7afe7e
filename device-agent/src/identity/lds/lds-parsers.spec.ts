import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { fromHex, hex } from '../icao/bytes';
import { encodeBerTlv, encodeInt, seq, set, utf8, encodeOid } from '@kiosk/protocol';
import { buildDg1, buildDg13, buildDg2, buildEfCom, buildFaceRecord } from '../../simulator/virtual-cccd/lds-builder';
import { buildCardFiles, SYNTHETIC_DG13, SYNTHETIC_MRZ } from '../../simulator/virtual-cccd/synthetic-card';
import { parseDg1 } from './dg1.parser';
import { dg13DateToIso, dg13ToIdentity, parseDg13 } from './dg13.parser';
import { extractFaceFromBdb, parseDg2 } from './dg2.parser';
import { parseEfCom } from './ef-com.parser';
import { CPU_BOUND_SPEC_TIMEOUT_MS } from '../../spec-helpers/timeouts';

vi.setConfig({ testTimeout: CPU_BOUND_SPEC_TIMEOUT_MS });

/** Random bytes, truncations and single-byte mutations of a valid file. */
function fuzzInputs(valid: Uint8Array) {
  return fc.oneof(
    fc.uint8Array({ maxLength: 400 }),
    fc.nat(valid.length).map((n) => valid.subarray(0, n)),
    fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })).map(([i, b]) => {
      const c = Uint8Array.from(valid);
      c[i] = b;
      return c;
    }),
  );
}

describe('EF.COM', () => {
  it('parses the Appendix D EF.COM (LDS 0106, Unicode 040000, DG1 + DG2)', () => {
    expect(parseEfCom(fromHex('60145F0104303130365F36063034303030305C026175'))).toEqual({
      ok: true,
      value: { ldsVersion: '0106', unicodeVersion: '040000', dataGroups: [1, 2] },
    });
  });
  it('lists DG13 and DG14 of a CCCD', () => {
    const r = parseEfCom(buildEfCom([1, 2, 13, 14]));
    expect(r.ok && r.value.dataGroups).toEqual([1, 2, 13, 14]);
  });
  it('rejects a wrong outer tag', () => {
    const r = parseEfCom(fromHex('61035C0161'));
    expect(r.ok ? '' : r.error.code).toBe('lds-malformed');
  });
  it('never throws (fuzz)', () => {
    fc.assert(
      fc.property(fuzzInputs(buildEfCom([1, 2, 13])), (b) => void parseEfCom(b)),
      { numRuns: 3000 },
    );
  });
});

describe('DG1', () => {
  it('parses the TD1 MRZ of the synthetic card', () => {
    const r = parseDg1(buildDg1(SYNTHETIC_MRZ));
    expect(r.ok && r.value.bacKeyInfo).toBe('188012345288031262803124');
    expect(r.ok && r.value.idNumber).toBe('079188012345');
  });
  it('rejects a DG1 whose MRZ check digit fails', () => {
    const r = parseDg1(
      buildDg1([SYNTHETIC_MRZ[0] ?? '', (SYNTHETIC_MRZ[1] ?? '').replace('6F', '7F'), SYNTHETIC_MRZ[2] ?? '']),
    );
    expect(r.ok ? '' : r.error.code).toBe('lds-bad-mrz');
  });
  it('never throws (fuzz)', () => {
    fc.assert(
      fc.property(fuzzInputs(buildDg1(SYNTHETIC_MRZ)), (b) => void parseDg1(b)),
      { numRuns: 3000 },
    );
  });
});

describe('DG13', () => {
  it('reads all 16 fields by number', () => {
    const r = parseDg13(buildDg13(SYNTHETIC_DG13));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const d = r.value;
    expect(d).toMatchObject({
      idNumber: '079188012345',
      fullName: 'Nguyễn Thị Lan',
      dateOfBirth: '12/03/1988',
      sex: 'Nữ',
      nationality: 'Việt Nam',
      ethnicity: 'Kinh',
      religion: 'Không',
      placeOfOrigin: 'Phong Điền, Cần Thơ',
      placeOfResidence: 'Phường Ninh Kiều, TP. Cần Thơ',
      issueDate: '10/05/2021',
      expiryDate: '12/03/2028',
      fatherName: 'Nguyễn Văn Hùng',
      motherName: 'Trần Thị Mai',
      oldIdNumber: '362012345',
      field16Raw: '0A1B2C3D4E5F6071',
    });
    expect(d.spouseName).toBeUndefined();
    expect([...d.fields.keys()].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    expect(d.anomalies).toEqual([]);
  });

  it('reads PrintableString fields and tolerates missing and reordered fields', () => {
    const reordered = encodeBerTlv(
      0x6d,
      seq(
        encodeInt(1),
        encodeOid('1.2.3'),
        set(
          seq(encodeInt(9), utf8('Hà Nội')),
          seq(encodeInt(2), utf8('Trần Văn Đức')),
          seq(encodeInt(3), utf8('1950')),
        ),
      ),
    );
    const r = parseDg13(reordered);
    expect(
      r.ok && { n: r.value.fullName, a: r.value.placeOfResidence, d: r.value.dateOfBirth, id: r.value.idNumber },
    ).toEqual({ n: 'Trần Văn Đức', a: 'Hà Nội', d: '1950', id: undefined });
    const printableId = parseDg13(buildDg13({ idNumber: '001093047064', fullName: 'X' }, { printableFields: [1] }));
    expect(printableId.ok && printableId.value.idNumber).toBe('001093047064');
  });

  it('maps to the protocol Identity (source chip), without the sensitive fields', () => {
    const r = parseDg13(buildDg13(SYNTHETIC_DG13));
    if (!r.ok) throw new Error('parse');
    expect(dg13ToIdentity(r.value)).toEqual({
      source: 'chip',
      idNumber: '079188012345',
      oldIdNumber: '362012345',
      fullName: 'Nguyễn Thị Lan',
      dateOfBirth: '1988-03-12',
      sex: 'female',
      address: 'Phường Ninh Kiều, TP. Cần Thơ',
      issueDate: '2021-05-10',
    });
  });

  it('converts full and partial dates', () => {
    expect(dg13DateToIso('12/03/1988')).toBe('1988-03-12');
    expect(dg13DateToIso('03/1950')).toBe('1950');
    expect(dg13DateToIso('00/00/1950')).toBe('1950');
    expect(dg13DateToIso('1950')).toBe('1950');
    expect(dg13DateToIso('31/02/1988')).toBeUndefined();
    expect(dg13DateToIso('Không thời hạn')).toBeUndefined();
  });

  it('never throws (fuzz)', () => {
    fc.assert(
      fc.property(fuzzInputs(buildDg13(SYNTHETIC_DG13)), (b) => void parseDg13(b)),
      { numRuns: 3000 },
    );
  });
});

describe('DG2', () => {
  it('extracts the JPEG from the ISO 19794-5 record', () => {
    const files = buildCardFiles({ faceBytes: 12_000 });
    const r = parseDg2(files.dataGroups.get(2) ?? new Uint8Array(0));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.mimeType).toBe('image/jpeg');
    expect(r.value.width).toBe(240);
    expect(r.value.height).toBe(320);
    expect(hex(r.value.bytes)).toBe(hex(files.faceJpeg));
  });

  it('finds a JPEG 2000 image, and a JPEG in a non-19794 block by signature', () => {
    const jp2 = fromHex('0000000C6A5020200D0A870A00000014667479706A703220');
    const r = parseDg2(buildDg2(buildFaceRecord(jp2, { widthPx: 10, heightPx: 10, imageDataType: 1 })));
    expect(r.ok && r.value.mimeType).toBe('image/jp2');
    const odd = extractFaceFromBdb(fromHex('0102030405FFD8FFE000104A464946'));
    expect(odd && hex(odd.bytes)).toBe('FFD8FFE000104A464946');
  });

  it('rejects a DG2 without an image', () => {
    const r = parseDg2(buildDg2(new Uint8Array(60)));
    expect(r.ok ? '' : r.error.code).toBe('lds-no-image');
  });

  it('never throws (fuzz)', () => {
    const small = buildDg2(buildFaceRecord(fromHex('FFD8FFE0'), { widthPx: 8, heightPx: 8 }));
    fc.assert(
      fc.property(fuzzInputs(small), (b) => void parseDg2(b)),
      { numRuns: 3000 },
    );
  });
});
