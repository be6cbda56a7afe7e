/**
 * Vietnamese diacritics for the on-screen keyboard: the patient types letters (ă â đ ê ô ơ ư are
 * keys of their own) and taps a tone key; the tone lands on the right vowel of the current word
 * (the classic placement: "hòa", "thủy", "hoàn", "ngoài", "người", "quý", "giữ").
 */

export const tones = {
  none: '',
  acute: '\u0301', // sắc
  grave: '\u0300', // huyền
  hook: '\u0309', // hỏi
  tilde: '\u0303', // ngã
  dot: '\u0323', // nặng
} as const;
export type Tone = keyof typeof tones;

const TONE_MARKS = new Set<string>(Object.values(tones).filter(Boolean));
const SHAPE_MARKS = new Set(['\u0302', '\u0306', '\u031b']);
const VOWELS = new Set(['a', 'e', 'i', 'o', 'u', 'y']);

interface Letter {
  base: string;
  shape: string;
  tone: string;
}

function split(word: string): Letter[] {
  const out: Letter[] = [];
  for (const ch of word.normalize('NFD')) {
    const last = out[out.length - 1];
    if (last && TONE_MARKS.has(ch)) last.tone = ch;
    else if (last && SHAPE_MARKS.has(ch)) last.shape = ch;
    else out.push({ base: ch, shape: '', tone: '' });
  }
  return out;
}

const join = (letters: Letter[]) =>
  letters
    .map((l) => l.base + l.shape + l.tone)
    .join('')
    .normalize('NFC');

/** Index of the letter that carries the tone, or -1 when the word has no vowel. */
function toneIndex(letters: Letter[]): number {
  const lower = letters.map((l) => l.base.toLowerCase());
  const isVowel = (i: number) => VOWELS.has(lower[i] ?? '');
  let start = lower.findIndex((_, i) => isVowel(i));
  if (start < 0) return -1;
  // "qu" and "gi" (before another vowel) are consonants.
  if (start === 1 && lower[0] === 'q' && lower[1] === 'u' && isVowel(2)) start = 2;
  if (start === 1 && lower[0] === 'g' && lower[1] === 'i' && isVowel(2)) start = 2;
  let end = start;
  while (isVowel(end + 1)) end++;
  const cluster = Array.from({ length: end - start + 1 }, (_, k) => start + k);
  const shaped = cluster.filter((i) => letters[i]?.shape);
  if (shaped.length > 0) return shaped[shaped.length - 1] ?? start;
  if (cluster.length === 1) return start;
  if (end < letters.length - 1) return end;
  if (cluster.length >= 3) return start + 1;
  return start;
}

function lastWordBounds(text: string): [string, string] {
  const m = /^(.*?)(\S*)$/su.exec(text);
  return [m?.[1] ?? '', m?.[2] ?? ''];
}

/** Puts (or, with 'none', removes) a tone on the last word of the text. */
export function applyTone(text: string, tone: Tone): string {
  const [head, word] = lastWordBounds(text);
  const letters = split(word);
  for (const l of letters) l.tone = '';
  const at = toneIndex(letters);
  const target = letters[at];
  if (!target) return text;
  target.tone = tones[tone];
  return head + join(letters);
}

/** Re-places the tone of the last word after a letter was added ("hoà" + "n" → "hoàn"). */
export function normalizeLastWord(text: string): string {
  const [head, word] = lastWordBounds(text);
  const letters = split(word);
  const tone = letters.find((l) => l.tone)?.tone;
  if (!tone) return text;
  for (const l of letters) l.tone = '';
  const target = letters[toneIndex(letters)];
  if (target) target.tone = tone;
  return head + join(letters);
}

/** Types a character at the end: words start with a capital letter (names and places). */
export function typeChar(text: string, ch: string, autoCapital = true): string {
  const startOfWord = text === '' || text.endsWith(' ');
  const c = autoCapital && startOfWord ? ch.toLocaleUpperCase('vi') : ch.toLocaleLowerCase('vi');
  return normalizeLastWord(text + c);
}

/** Deletes the last character as the patient sees it (a toned letter goes in one tap). */
export function backspace(text: string): string {
  const chars = [...text.normalize('NFC')];
  chars.pop();
  return chars.join('');
}
