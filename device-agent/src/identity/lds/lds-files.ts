/** LDS file identifiers and data-group tags (ICAO 9303-10). */

export const MRTD_AID = Uint8Array.of(0xa0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01);

export const FILE_ID = {
  COM: 0x011e,
  SOD: 0x011d,
  CARD_ACCESS: 0x011c,
  DG1: 0x0101,
  DG2: 0x0102,
  DG13: 0x010d,
  DG14: 0x010e,
  DG15: 0x010f,
} as const;

/** File identifier of data group `n` (1–16). */
export function dataGroupFileId(n: number): number {
  return 0x0100 + n;
}

/** LDS application tag of each data group, indexed by DG number. */
export const DG_TAGS: Readonly<Record<number, number>> = {
  1: 0x61,
  2: 0x75,
  3: 0x63,
  4: 0x76,
  5: 0x65,
  6: 0x66,
  7: 0x67,
  8: 0x68,
  9: 0x69,
  10: 0x6a,
  11: 0x6b,
  12: 0x6c,
  13: 0x6d,
  14: 0x6e,
  15: 0x6f,
  16: 0x70,
};

export const EF_COM_TAG = 0x60;
export const EF_SOD_TAG = 0x77;

export function dataGroupOfTag(tag: number): number | undefined {
  for (const [n, t] of Object.entries(DG_TAGS)) if (t === tag) return Number(n);
  return undefined;
}
