/**
 * Single-byte code pages the encoder may use for Vietnamese text and the decoder reads back.
 * CP1258 keeps only some precomposed letters: the others go out as base letter + a combining
 * tone byte (0xCC grave, 0xEC acute, 0xDE tilde, 0xD2 hook, 0xF2 dot below), which cheap
 * printers often overprint wrongly — hence profiles mark such pages `reliable` only when tested.
 */

// prettier-ignore
const CP1258_HIGH = [
  0x20ac,0xfffd,0x201a,0x0192,0x201e,0x2026,0x2020,0x2021,0x02c6,0x2030,0xfffd,0x2039,0x0152,0xfffd,0xfffd,0xfffd,
  0xfffd,0x2018,0x2019,0x201c,0x201d,0x2022,0x2013,0x2014,0x02dc,0x2122,0xfffd,0x203a,0x0153,0xfffd,0xfffd,0x0178,
  0x00a0,0x00a1,0x00a2,0x00a3,0x00a4,0x00a5,0x00a6,0x00a7,0x00a8,0x00a9,0x00aa,0x00ab,0x00ac,0x00ad,0x00ae,0x00af,
  0x00b0,0x00b1,0x00b2,0x00b3,0x00b4,0x00b5,0x00b6,0x00b7,0x00b8,0x00b9,0x00ba,0x00bb,0x00bc,0x00bd,0x00be,0x00bf,
  0x00c0,0x00c1,0x00c2,0x0102,0x00c4,0x00c5,0x00c6,0x00c7,0x00c8,0x00c9,0x00ca,0x00cb,0x0300,0x00cd,0x00ce,0x00cf,
  0x0110,0x00d1,0x0309,0x00d3,0x00d4,0x01a0,0x00d6,0x00d7,0x00d8,0x00d9,0x00da,0x00db,0x00dc,0x01af,0x0303,0x00df,
  0x00e0,0x00e1,0x00e2,0x0103,0x00e4,0x00e5,0x00e6,0x00e7,0x00e8,0x00e9,0x00ea,0x00eb,0x0301,0x00ed,0x00ee,0x00ef,
  0x0111,0x00f1,0x0323,0x00f3,0x00f4,0x01a1,0x00f6,0x00f7,0x00f8,0x00f9,0x00fa,0x00fb,0x00fc,0x01b0,0x20ab,0x00ff,
];

const CP1258_ENCODE = new Map<number, number>();
CP1258_HIGH.forEach((cp, i) => {
  if (cp !== 0xfffd) CP1258_ENCODE.set(cp, 0x80 + i);
});
const TONE_MARKS = new Set([0x0300, 0x0301, 0x0303, 0x0309, 0x0323]);

/** Unicode → CP1258 bytes, or undefined when a character has no CP1258 form. */
export function encodeCp1258(text: string): Uint8Array | undefined {
  const out: number[] = [];
  for (const ch of text.normalize('NFC')) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) {
      out.push(cp);
      continue;
    }
    const direct = CP1258_ENCODE.get(cp);
    if (direct !== undefined) {
      out.push(direct);
      continue;
    }
    // Split off the tone mark; the rest (e.g. ê, ơ, ă) must be a CP1258 letter.
    const parts = [...ch.normalize('NFD')].map((c) => c.codePointAt(0)!);
    const tones = parts.filter((c) => TONE_MARKS.has(c));
    const base = String.fromCodePoint(...parts.filter((c) => !TONE_MARKS.has(c))).normalize('NFC');
    if (tones.length !== 1 || [...base].length !== 1) return undefined;
    const baseCp = base.codePointAt(0)!;
    const baseByte = baseCp < 0x80 ? baseCp : CP1258_ENCODE.get(baseCp);
    const toneByte = CP1258_ENCODE.get(tones[0]!);
    if (baseByte === undefined || toneByte === undefined) return undefined;
    out.push(baseByte, toneByte);
  }
  return Uint8Array.from(out);
}

export function decodeCp1258(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCodePoint(b < 0x80 ? b : CP1258_HIGH[b - 0x80]!);
  return s.normalize('NFC');
}

/** Bytes ≥ 0x80 in an unknown table come back as U+FFFD. */
export function decodeAsciiOnly(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b < 0x80 ? String.fromCharCode(b) : '\ufffd';
  return s;
}

export const codePageDecoders: Record<string, (bytes: Uint8Array) => string> = {
  cp1258: decodeCp1258,
};
export const codePageEncoders: Record<string, (text: string) => Uint8Array | undefined> = {
  cp1258: encodeCp1258,
};
