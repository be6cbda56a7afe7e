/**
 * On-screen keyboard layouts as data: rows of keys (each key one string typed as is), the face of
 * the key that switches to the layout, and whether the Vietnamese tone keys sit below the letters
 * (lib/vietnamese.ts places the tone on the right vowel). A language's catalogue lists its
 * layouts, its own first; the name on a CCCD is in Vietnamese letters, so every language also
 * offers the Vietnamese layout.
 */
export interface KeyboardLayout {
  id: string;
  /** The face of the key that switches to this layout. */
  label: string;
  /** BCP 47 language of the key faces (their `lang` attribute, for screen readers). */
  lang: string;
  rows: readonly (readonly string[])[];
  tones: boolean;
}

const letters = (row: string) => [...row];

export const vietnameseKeyboard: KeyboardLayout = {
  id: 'vietnamese',
  label: 'ĂÂĐ',
  lang: 'vi',
  rows: ['QWERTYUIOP', 'ASDFGHJKL', 'ZXCVBNM', 'ĂÂĐÊÔƠƯ'].map(letters),
  tones: true,
};

export const qwertyKeyboard: KeyboardLayout = {
  id: 'qwerty',
  label: 'ABC',
  lang: 'en',
  rows: ['QWERTYUIOP', 'ASDFGHJKL', "ZXCVBNM-'"].map(letters),
  tones: false,
};

/**
 * Khmer in the order of the alphabet (consonants, independent vowels, then the vowel signs and
 * diacritics typed after a consonant) rather than the desktop NiDA layout: on a touch screen a
 * patient looks for a letter, they do not touch-type. `្` (coeng) followed by a consonant writes
 * it as a subscript.
 */
export const khmerKeyboard: KeyboardLayout = {
  id: 'khmer',
  label: 'ក',
  lang: 'km',
  rows: ['កខគឃងចឆជឈញ', 'ដឋឌឍណតថទធន', 'បផពភមយរលវស', 'ហឡអឥឦឧឩឪឯឱ', 'ាិីឹឺុូួើឿ', 'ៀេែៃោៅំះ្់'].map(letters),
  tones: false,
};

/** A combining mark alone on a key is drawn on a dotted circle, as keyboards print it. */
export const keyFace = (key: string): string => (/^\p{M}/u.test(key) ? `\u25CC${key}` : key);
