/**
 * Text helpers shared by the encoder and the decoder: ASCII checks, a diacritic-free
 * fallback for Vietnamese, and column wrapping.
 */

/** True when every character is printable ASCII (0x20–0x7E). */
export function isPrintableAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/**
 * Vietnamese without tone and vowel marks ("Nguyễn Thị" → "Nguyen Thi"); anything else
 * outside ASCII becomes '?'. Only a last resort: readable, but not correct Vietnamese.
 */
export function foldToAscii(text: string): string {
  const base = text
    .replace(/đ/gu, 'd')
    .replace(/Đ/gu, 'D')
    .replace(/[\u2013\u2014]/gu, '-')
    .replace(/[\u2018\u2019]/gu, "'")
    .replace(/[\u201c\u201d]/gu, '"')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/gu, '');
  let out = '';
  for (const ch of base) {
    const c = ch.codePointAt(0) ?? 0x3f;
    if (c >= 0x20 && c <= 0x7e) out += ch;
    else if (c === 0x09 || c === 0x0a) out += ' ';
    else out += '?';
  }
  return out;
}

/** Collapses whitespace and control characters to single spaces. */
export function normalizeSpace(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
      .replace(/[\u0000-\u001f\u007f-\u009f]/gu, ' ')
      .replace(/\s+/gu, ' ')
      .trim()
  );
}

/**
 * Word-wraps `text` so that `measure(line) <= max`; a word longer than a line is broken.
 * `measure` defaults to counting code points. Returns at least one (possibly empty) line.
 */
export function wrapText(text: string, max: number, measure: (s: string) => number = (s) => [...s].length): string[] {
  const words = normalizeSpace(text)
    .split(' ')
    .filter((w) => w.length > 0);
  const lines: string[] = [];
  let line = '';
  for (let word of words) {
    const candidate = line ? `${line} ${word}` : word;
    if (measure(candidate) <= max) {
      line = candidate;
      continue;
    }
    if (line) lines.push(line);
    line = '';
    while (measure(word) > max) {
      const chars = [...word];
      let n = chars.length - 1;
      while (n > 1 && measure(chars.slice(0, n).join('')) > max) n--;
      lines.push(chars.slice(0, n).join(''));
      word = chars.slice(n).join('');
    }
    line = word;
  }
  if (line || lines.length === 0) lines.push(line);
  return lines;
}
