/**
 * Names and addresses from outside (counter forms, QR codes, chips, EMR and BHYT answers) are
 * cleaned once, the same way on every path in: control, format (bidi, zero-width, soft hyphen)
 * and unpaired surrogate code points removed, every kind of white space turned into one space,
 * NFC, trimmed and bounded. One stored form per name, so the same person typed twice matches,
 * and nothing invisible reaches a screen, a ticket or a log. Browser-safe.
 */

/** Longest cleaned name and address, in code points (the identity schema's bounds). */
export const MAX_NAME_LENGTH = 200;
export const MAX_ADDRESS_LENGTH = 500;

// Tab, line breaks and the Unicode space separators (Zs, Zl, Zp) become one plain space.
const WHITESPACE = /[\t\n\v\f\r\p{Z}\u0085]+/gu;
// Cc: C0/C1 controls (NUL …); Cf: format characters (bidi embeddings, overrides and isolates,
// LRM/RLM/ALM, zero-width space/joiners, word joiner, BOM, soft hyphen, tag characters);
// Cs: unpaired surrogates; U+FFFE/U+FFFF and the other noncharacters; U+FFFC/U+FFFD stand-ins.
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\uFDD0-\uFDEF\uFFFC-\uFFFF]|[\u{1FFFE}-\u{1FFFF}\u{10FFFE}-\u{10FFFF}]/gu;

/** Whether a code point is one `cleanText` never lets through. */
export const isForbiddenCodePoint = (char: string): boolean => {
  FORBIDDEN.lastIndex = 0;
  return FORBIDDEN.test(char);
};

/** Cleans free text from outside; at most `maxLength` code points, never a split surrogate pair. */
export function cleanText(input: string, maxLength: number): string {
  let text = input.replace(WHITESPACE, ' ').replace(FORBIDDEN, '').normalize('NFC').replace(/ {2,}/gu, ' ').trim();
  const points = Array.from(text);
  if (points.length > maxLength) text = points.slice(0, maxLength).join('').normalize('NFC').trim();
  return text;
}

/** A person's name as stored and shown. */
export const cleanName = (input: string): string => cleanText(input, MAX_NAME_LENGTH);
/** An address as stored and shown. */
export const cleanAddress = (input: string): string => cleanText(input, MAX_ADDRESS_LENGTH);
