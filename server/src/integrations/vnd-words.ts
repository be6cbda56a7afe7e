/**
 * An amount of đồng in Vietnamese words, as an e-invoice states its total ("Tổng số tiền viết
 * bằng chữ", Decree 123/2020 art. 10 cl. 13): "Ba mươi nghìn đồng", "Một trăm linh năm nghìn
 * đồng", "Hai mươi mốt triệu không trăm mười lăm nghìn đồng".
 *
 * The customary reading: groups of three digits with nghìn / triệu / tỷ (and nghìn tỷ, triệu tỷ
 * above); a group after the first keeps its hundreds ("không trăm"); a zero tens digit before a
 * unit is "linh"; 1 after a tens digit of two or more is "mốt", 5 after any tens digit is "lăm";
 * 10–19 are "mười …"; above a billion the billions are read first, then "tỷ"
 * ("một nghìn hai trăm tỷ"). Whole đồng only (invoices in VND carry no fraction).
 */

const DIGITS = ['không', 'một', 'hai', 'ba', 'bốn', 'năm', 'sáu', 'bảy', 'tám', 'chín'] as const;
const digit = (d: number): string => DIGITS[d] ?? '';

/** One group of three digits; `full` when a higher group precedes it (the hundreds are read). */
function group(n: number, full: boolean): string[] {
  const hundreds = Math.floor(n / 100);
  const tens = Math.floor(n / 10) % 10;
  const units = n % 10;
  const words: string[] = [];
  if (hundreds > 0 || full) words.push(digit(hundreds), 'trăm');
  if (tens === 0) {
    if (units > 0 && words.length > 0) words.push('linh');
  } else if (tens === 1) words.push('mười');
  else words.push(digit(tens), 'mươi');
  if (units === 0) return words;
  if (units === 1 && tens >= 2) words.push('mốt');
  else if (units === 5 && tens >= 1) words.push('lăm');
  else words.push(digit(units));
  return words;
}

/** Below a billion: groups with nghìn and triệu; `full` when a higher part precedes it. */
function belowBillion(n: number, full: boolean): string[] {
  const groups = [Math.floor(n / 1_000_000), Math.floor(n / 1000) % 1000, n % 1000];
  const scales = ['triệu', 'nghìn', ''];
  const words: string[] = [];
  for (const [i, g] of groups.entries()) {
    if (g === 0) continue;
    words.push(...group(g, full || words.length > 0));
    const scale = scales[i] ?? '';
    if (scale) words.push(scale);
  }
  return words;
}

function read(n: number, full: boolean): string[] {
  if (n < 1_000_000_000) return belowBillion(n, full);
  const rest = n % 1_000_000_000;
  return [...read(Math.floor(n / 1_000_000_000), full), 'tỷ', ...(rest > 0 ? belowBillion(rest, true) : [])];
}

/** The words of a non-negative whole number (no currency, lower case). */
export function numberInWords(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError('a whole, non-negative, safe integer is expected');
  return n === 0 ? 'không' : read(n, false).join(' ');
}

/** "Ba mươi nghìn đồng": the amount's words, capitalised, with the currency. */
export function vndInWords(amountVnd: number): string {
  const words = `${numberInWords(amountVnd)} đồng`;
  return words.charAt(0).toUpperCase() + words.slice(1);
}
