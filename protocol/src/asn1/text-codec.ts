/**
 * Text and base64 codecs of the platform (browser and Node both have them), typed here because
 * protocol is compiled without DOM or Node types.
 */
interface PlatformCodecs {
  TextEncoder: new () => { encode(text: string): Uint8Array };
  TextDecoder: new (label?: string, options?: { fatal?: boolean }) => { decode(bytes: Uint8Array): string };
  atob(text: string): string;
  btoa(text: string): string;
}
const platform = globalThis as unknown as PlatformCodecs;

export const encodeUtf8 = (text: string): Uint8Array => new platform.TextEncoder().encode(text);

/** Throws on invalid input when `fatal`: callers catch. */
export const decodeText = (label: string, bytes: Uint8Array, fatal = false): string =>
  new platform.TextDecoder(label, { fatal }).decode(bytes);

/** Base64 (whitespace ignored) → bytes; undefined when it is not base64. */
export function fromBase64(text: string): Uint8Array | undefined {
  const clean = text.replace(/\s+/gu, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/u.test(clean) || clean.length % 4 === 1) return undefined;
  try {
    const bin = platform.atob(clean);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return undefined;
  }
}

export function toBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    bin += String.fromCharCode(...bytes.subarray(i, Math.min(i + 0x8000, bytes.length)));
  return platform.btoa(bin);
}

/** Upper-case hex of bytes. */
export function hexOf(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s.toUpperCase();
}
