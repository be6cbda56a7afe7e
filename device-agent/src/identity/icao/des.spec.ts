import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, hex } from './bytes';
import { desDecryptBlock, desEncryptBlock, pad, tdesDecrypt, tdesEncrypt, unpad } from './des';

describe('DES helpers', () => {
  it('pads with method 2 and unpads back', () => {
    expect(hex(pad(fromHex('0102')))).toBe('0102800000000000');
    expect(hex(pad(new Uint8Array(8)))).toBe('00000000000000008000000000000000');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (d) => {
        expect(hex(unpad(pad(d)) ?? new Uint8Array(1))).toBe(hex(d));
      }),
    );
    expect(unpad(fromHex('0102030405060708'))).toBeUndefined();
    expect(unpad(new Uint8Array(8))).toBeUndefined();
  });

  it('single DES via EDE with Ka‖Ka matches the FIPS 81 test vector', () => {
    // Key 0123456789ABCDEF, plaintext "Now is t" → 3FA40E8A984D4815.
    const key = fromHex('0123456789ABCDEF');
    const c = desEncryptBlock(key, new TextEncoder().encode('Now is t'));
    expect(hex(c)).toBe('3FA40E8A984D4815');
    expect(new TextDecoder().decode(desDecryptBlock(key, c))).toBe('Now is t');
  });

  it('3DES-CBC round-trips', () => {
    const key = fromHex('AB94FDECF2674FDFB9B391F85D7F76F2');
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 8 }), (blocks) => {
        const data = pad(blocks);
        expect(hex(tdesDecrypt(key, tdesEncrypt(key, data)))).toBe(hex(data));
      }),
    );
  });
});
