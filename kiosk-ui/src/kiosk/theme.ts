/**
 * The facility's colour made safe for text: kiosk text needs 7:1 contrast (WCAG AAA,
 * kiosk-design.md). A configured accent too light for white text (or for text on the page's
 * light background) is darkened, keeping its hue, until it reaches 7:1.
 */
import { contrast } from '@kiosk/protocol';

export { contrast, luminance } from '@kiosk/protocol';

const hex = (r: number, g: number, b: number) =>
  `#${[r, g, b]
    .map((c) =>
      Math.round(Math.max(0, Math.min(255, c)))
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;

/** The colour, darkened step by step until white on it (and it on `#f4f7f9`) reaches `ratio`. */
export function readableAccent(color: string, ratio = 7): string {
  if (!/^#[0-9a-f]{6}$/iu.test(color)) return '';
  const n = Number.parseInt(color.slice(1), 16);
  let [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  for (let i = 0; i < 40; i++) {
    const c = hex(r, g, b);
    if (contrast(c, '#ffffff') >= ratio && contrast(c, '#f4f7f9') >= ratio) return c;
    [r, g, b] = [r * 0.92, g * 0.92, b * 0.92];
  }
  return '#000000';
}
