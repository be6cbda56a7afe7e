import { describe, expect, it } from 'vitest';
import QRCode from 'qrcode';
import { encodeQr } from './qr';

/** The reference encoder's matrix for the same text, byte mode, level M and mask. */
function reference(text: string, mask: number): { size: number; dark: boolean[][] } {
  const qr = QRCode.create([{ data: new TextEncoder().encode(text), mode: 'byte' }], {
    errorCorrectionLevel: 'M',
    maskPattern: mask as QRCode.QRCodeMaskPattern,
  });
  const size = qr.modules.size;
  const dark = Array.from({ length: size }, (_, y) =>
    Array.from({ length: size }, (_, x) => qr.modules.get(y, x) === 1),
  );
  return { size, dark };
}

describe('encodeQr', () => {
  const texts = [
    'TK:A1B2C3',
    'TK:ABCDEFGHJKLMNPQRSTUVWXYZ23456789',
    'https://benhvien.example.vn/t/Q7RM2XABCD23',
    `TK:${'x'.repeat(61)}`,
    'Nguyễn Thị Lan',
    'y'.repeat(150),
    'z'.repeat(213),
  ];
  for (const text of texts)
    for (let mask = 0; mask < 8; mask++)
      it(`matches the reference for ${text.length} chars, mask ${mask}`, () => {
        const mine = encodeQr(text, mask);
        expect(mine).not.toBeNull();
        expect(mine).toEqual(reference(text, mask));
      });

  it('chooses a mask by itself and refuses text beyond version 10-M', () => {
    expect(encodeQr('TK:Q7RM2X')?.size).toBe(21);
    expect(encodeQr('z'.repeat(214))).toBeNull();
  });
});
