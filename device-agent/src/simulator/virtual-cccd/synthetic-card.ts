/**
 * The synthetic CCCD of vietnam.md ("Nguyễn Thị Lan", ID 079188012345): MRZ, DG13 content
 * with all 16 fields, and the assembled LDS files. Fictional person, for tests and demos.
 */
import type { Dg13Content } from './lds-builder';
import { buildDg1, buildDg13, buildDg2, buildEfCom, buildFaceRecord } from './lds-builder';
import { generateFaceJpeg } from './jpeg';

export const SYNTHETIC_MRZ = [
  'IDVNM1880123452079188012345<<2',
  '8803126F2803124VNM<<<<<<<<<<<2',
  'NGUYEN<<THI<LAN<<<<<<<<<<<<<<<',
];
export const SYNTHETIC_BAC_KEY_INFO = '188012345288031262803124';

export const SYNTHETIC_DG13: Dg13Content = {
  idNumber: '079188012345',
  fullName: 'Nguyễn Thị Lan',
  dateOfBirth: '12/03/1988',
  sex: 'Nữ',
  nationality: 'Việt Nam',
  ethnicity: 'Kinh',
  religion: 'Không',
  placeOfOrigin: 'Phong Điền, Cần Thơ',
  placeOfResidence: 'Phường Ninh Kiều, TP. Cần Thơ',
  identifyingMarks: 'Nốt ruồi C:1cm dưới sau mép trái',
  issueDate: '10/05/2021',
  expiryDate: '12/03/2028',
  parents: ['Nguyễn Văn Hùng', 'Trần Thị Mai'],
  spouseName: '',
  oldIdNumber: '362012345',
  field16: '0A1B2C3D4E5F6071',
};

export interface CardFilesOptions {
  mrz?: string[];
  dg13?: Dg13Content;
  /** DG2 JPEG size target in bytes (real cards: 10–26 KB). */
  faceBytes?: number;
  faceWidthPx?: number;
  faceHeightPx?: number;
}

export interface CardFiles {
  com: Uint8Array;
  dataGroups: Map<number, Uint8Array>;
  faceJpeg: Uint8Array;
}

export function buildCardFiles(o: CardFilesOptions = {}): CardFiles {
  const widthPx = o.faceWidthPx ?? 240;
  const heightPx = o.faceHeightPx ?? 320;
  const faceJpeg = generateFaceJpeg({ widthPx, heightPx, targetBytes: o.faceBytes ?? 20_000 });
  const dataGroups = new Map<number, Uint8Array>([
    [1, buildDg1(o.mrz ?? SYNTHETIC_MRZ)],
    [2, buildDg2(buildFaceRecord(faceJpeg, { widthPx, heightPx, gender: 2 }))],
    [13, buildDg13(o.dg13 ?? SYNTHETIC_DG13)],
  ]);
  return { com: buildEfCom([...dataGroups.keys()]), dataGroups, faceJpeg };
}
