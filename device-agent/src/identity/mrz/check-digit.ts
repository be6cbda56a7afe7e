/** ICAO 9303-3 check digit: weights 7-3-1 repeating, `<` = 0, digits as-is, A–Z = 10–35. */
export function mrzCharValue(ch: string): number | undefined {
  const c = ch.charCodeAt(0);
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 90) return c - 55;
  if (ch === '<') return 0;
  return undefined;
}

/** The check digit of `text`, or undefined when it has a character outside `0-9A-Z<`. */
export function mrzCheckDigit(text: string): number | undefined {
  const weights = [7, 3, 1];
  let sum = 0;
  for (let i = 0; i < text.length; i++) {
    const v = mrzCharValue(text[i] ?? '');
    if (v === undefined) return undefined;
    sum += v * (weights[i % 3] ?? 1);
  }
  return sum % 10;
}

/** True when `digit` (one character) is the check digit of `text`; `<` counts as 0. */
export function checkDigitMatches(text: string, digit: string): boolean {
  const expected = mrzCheckDigit(text);
  if (expected === undefined) return false;
  return digit === String(expected) || (digit === '<' && expected === 0);
}
