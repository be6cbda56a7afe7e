import { describe, expect, it } from 'vitest';
import { keyFace, khmerKeyboard, qwertyKeyboard, vietnameseKeyboard, type KeyboardLayout } from './keyboards';
import { backspace, typeChar } from './vietnamese';

const layouts: KeyboardLayout[] = [vietnameseKeyboard, qwertyKeyboard, khmerKeyboard];

describe('on-screen keyboard layouts', () => {
  it.each(layouts.map((l) => [l.id, l] as const))('%s: one character per key, no repeats, rows that fit', (_id, l) => {
    const keys = l.rows.flat();
    expect(new Set(keys).size).toBe(keys.length);
    for (const k of keys) expect([...k]).toHaveLength(1);
    // 11 keys of 64 px and their gaps fit a 1080 px portrait screen with its margins.
    for (const row of l.rows) expect(row.length).toBeLessThanOrEqual(11);
    expect(l.label).not.toBe('');
  });

  it('Vietnamese keeps its shaped letters and tone keys; English is plain QWERTY', () => {
    expect(vietnameseKeyboard.rows.flat()).toEqual(expect.arrayContaining([...'ĂÂĐÊÔƠƯ']));
    expect(vietnameseKeyboard.tones).toBe(true);
    expect(qwertyKeyboard.rows[0]?.join('')).toBe('QWERTYUIOP');
    expect(qwertyKeyboard.tones).toBe(false);
  });

  it('Khmer has all 33 consonants, the subscript sign and the vowel signs', () => {
    const keys = new Set(khmerKeyboard.rows.flat());
    const consonants = [...'កខគឃងចឆជឈញដឋឌឍណតថទធនបផពភមយរលវសហឡអ'];
    expect(consonants).toHaveLength(33);
    for (const c of consonants) expect(keys.has(c), c).toBe(true);
    for (const sign of [...'្ាិីុូេែៃោៅំះ']) expect(keys.has(sign), sign).toBe(true);
  });

  it('types Khmer as tapped (a subscript via ្), and deletes one character at a time', () => {
    const typed = [...'ស្រី'].reduce((t, k) => typeChar(t, k), '');
    expect(typed).toBe('ស្រី');
    expect(backspace(typed)).toBe('ស្រ');
  });

  it('draws a combining sign on a dotted circle, a letter as itself', () => {
    expect(keyFace('ា')).toBe('◌ា');
    expect(keyFace('្')).toBe('◌្');
    expect(keyFace('ក')).toBe('ក');
    expect(keyFace('Ă')).toBe('Ă');
  });
});
