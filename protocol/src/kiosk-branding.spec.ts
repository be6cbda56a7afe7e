import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkBranding, decodeBase64, emptyBranding, logoRefusal } from './kiosk-branding';
import { contrast } from './color';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** Base64 of bytes, written out here (protocol has no Node or DOM types). */
function encode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const [a, b, c] = [bytes[i] ?? 0, bytes[i + 1], bytes[i + 2]];
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    out += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]!;
    out += b === undefined ? '==' : ALPHABET[(n >> 6) & 63]! + (c === undefined ? '=' : ALPHABET[n & 63]!);
  }
  return out;
}
const b64 = (text: string) => encode(Uint8Array.from(text, (ch) => ch.charCodeAt(0) & 255));

describe('kiosk look checks', () => {
  it('decodes base64 as Node does, and refuses what is not base64', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(decodeBase64(encode(bytes))).toEqual(bytes);
      }),
    );
    expect(decodeBase64('a')).toBeNull();
    expect(decodeBase64('ab!c')).toBeNull();
  });

  it('random and truncated logos never throw', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.constantFrom('image/png', 'image/svg+xml'), (data, mime) => {
        const why = logoRefusal({ mime: mime as 'image/png' | 'image/svg+xml', dataBase64: data });
        expect([null, 'logo-not-png', 'logo-svg-unsafe', 'logo-too-large']).toContain(why);
      }),
    );
    const good =
      '<svg xmlns="http://www.w3.org/2000/svg"><defs><linearGradient id="g"/></defs><rect fill="url(#g)"/></svg>';
    for (let n = 0; n <= good.length; n++)
      expect(() => logoRefusal({ mime: 'image/svg+xml', dataBase64: b64(good.slice(0, n)) })).not.toThrow();
    expect(logoRefusal({ mime: 'image/svg+xml', dataBase64: b64(good) })).toBeNull();
  });

  it('a colour is taken when white text reads at 4.5:1 on it, and stored in lower case', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21);
    const dark = checkBranding({ ...emptyBranding, primaryColor: '#00695C' });
    expect(dark.ok && dark.value.primaryColor).toBe('#00695c');
    const light = checkBranding({ ...emptyBranding, primaryColor: '#4caf50' });
    expect(light.ok ? null : light.error.code).toBe('color-contrast-low');
  });
});
