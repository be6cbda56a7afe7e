import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAimId, symbologyName } from './aim-symbology';
import { DuplicateFilter } from './duplicate.filter';
import { decodeScan } from './scan-payload';

const enc = (s: string) => new TextEncoder().encode(s);

describe('decodeScan', () => {
  it('strips CR/LF suffixes and NUL padding, keeps inner text', () => {
    expect(decodeScan(enc('\nNguyễn Văn A\r\n\0\0'))).toEqual({ text: 'Nguyễn Văn A', validUtf8: true });
  });

  it('flags invalid UTF-8 instead of guessing', () => {
    expect(decodeScan(Uint8Array.of(0x41, 0xc3, 0x28))).toMatchObject({ validUtf8: false });
  });

  it('takes a leading AIM id off serial frames when configured', () => {
    expect(decodeScan(enc(']Q1HELLO\r'), { leadingAimId: true })).toEqual({
      text: 'HELLO',
      validUtf8: true,
      aimId: ']Q1',
    });
    expect(decodeScan(enc(']Q1HELLO'))).toEqual({ text: ']Q1HELLO', validUtf8: true });
  });

  it('fuzz: random bytes never throw', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.boolean(),
        (b, aim) => void decodeScan(b, { leadingAimId: aim }),
      ),
    );
  });
});

describe('AIM ids', () => {
  it('parses well-formed ids and names common symbologies', () => {
    expect(parseAimId(enc(']Q1'))).toBe(']Q1');
    expect(parseAimId(enc('Q1]'))).toBeUndefined();
    expect(parseAimId(Uint8Array.of(0x5d, 0, 0))).toBeUndefined();
    expect(symbologyName(']Q1')).toBe('qr');
    expect(symbologyName(']C0')).toBe('code128');
    expect(symbologyName(']d2')).toBe('datamatrix');
    expect(symbologyName(']K0')).toBe(']K0');
  });
});

describe('DuplicateFilter', () => {
  it('suppresses the same payload inside the window, extending it while the code is held', () => {
    const f = new DuplicateFilter(1000);
    expect(f.accept('A', 0)).toBe(true);
    expect(f.accept('A', 500)).toBe(false);
    expect(f.accept('A', 1400)).toBe(false);
    expect(f.accept('B', 1450)).toBe(true);
    expect(f.accept('A', 2500)).toBe(true);
  });

  it('a zero window passes everything; memory stays bounded', () => {
    expect(new DuplicateFilter(0).accept('A', 0)).toBe(true);
    const f = new DuplicateFilter(1000, 4);
    for (let i = 0; i < 10; i += 1) f.accept(`code-${i}`, i);
    expect(f.accept('code-0', 11)).toBe(true);
    expect(f.accept('code-9', 12)).toBe(false);
  });
});
