/**
 * AIM symbology identifiers (ISO/IEC 15424): "]" + code character + modifier, e.g. "]Q1" for a
 * QR Code. Scanners prefix them to the data (serial, when enabled) or send them in the HID POS
 * report. Pure data; no Node APIs.
 */
const names: Record<string, string> = {
  A: 'code39',
  C: 'code128',
  d: 'datamatrix',
  E: 'ean-upc',
  e: 'gs1-databar',
  F: 'codabar',
  G: 'code93',
  I: 'interleaved2of5',
  L: 'pdf417',
  Q: 'qr',
  z: 'aztec',
  X: 'other',
};

/** A well-formed AIM id ("]" + letter + alphanumeric modifier), or undefined. */
export function parseAimId(bytes: ArrayLike<number>): string | undefined {
  if (bytes.length < 3 || bytes[0] !== 0x5d) return undefined;
  const code = String.fromCharCode(bytes[1] ?? 0);
  const modifier = String.fromCharCode(bytes[2] ?? 0);
  if (!/^[A-Za-z]$/u.test(code) || !/^[0-9A-Za-z]$/u.test(modifier)) return undefined;
  return `]${code}${modifier}`;
}

/** 'qr', 'code128' … for an AIM id; the AIM id itself when the code character is not known. */
export function symbologyName(aimId: string): string {
  return names[aimId.charAt(1)] ?? aimId;
}
