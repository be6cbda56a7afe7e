import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { applyTone, backspace, typeChar, type Tone } from './vietnamese';

const type = (keys: string, text = '') => [...keys].reduce((t, k) => typeChar(t, k), text);

describe('Vietnamese on-screen typing', () => {
  const cases: [string, Tone, string][] = [
    ['Nguyên', 'tilde', 'Nguyễn'],
    ['Thi', 'dot', 'Thị'],
    ['Hoa', 'grave', 'Hòa'],
    ['Hoan', 'grave', 'Hoàn'],
    ['Thuy', 'hook', 'Thủy'],
    ['Ngoai', 'grave', 'Ngoài'],
    ['Ngươi', 'grave', 'Người'],
    ['Quy', 'acute', 'Quý'],
    ['Giư', 'tilde', 'Giữ'],
    ['Gi', 'grave', 'Gì'],
    ['Đăng', 'acute', 'Đắng'],
    ['Trương', 'none', 'Trương'],
    ['Trường', 'none', 'Trương'],
    ['Khuya', 'hook', 'Khuỷa'],
  ];
  for (const [word, tone, expected] of cases)
    it(`${word} + ${tone} → ${expected}`, () => expect(applyTone(word, tone)).toBe(expected));

  it('types a whole name with capitals and moves the tone as letters follow', () => {
    let t = type('nguyê');
    t = applyTone(t, 'tilde');
    t = type('n thi', t);
    t = applyTone(t, 'dot');
    t = type(' lan', t);
    expect(t).toBe('Nguyễn Thị Lan');
    expect(type('n', applyTone(type('hoa'), 'grave'))).toBe('Hoàn');
  });

  it('only changes the last word, and leaves text without a vowel alone', () => {
    expect(applyTone('Lê Văn Tam', 'acute')).toBe('Lê Văn Tám');
    expect(applyTone('Nguyễn Tr', 'acute')).toBe('Nguyễn Tr');
    expect(applyTone('', 'acute')).toBe('');
  });

  it('deletes a toned letter in one step', () => {
    expect(backspace('Thị')).toBe('Th');
    expect(backspace('')).toBe('');
  });

  it('never throws on arbitrary text and keeps the text before the last word', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom<Tone>('none', 'acute', 'grave', 'hook', 'tilde', 'dot'), (s, tone) => {
        const out = applyTone(s, tone);
        const head = s.replace(/\S*$/su, '');
        expect(out.startsWith(head.normalize('NFC')) || out.startsWith(head)).toBe(true);
      }),
    );
  });
});
