import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { vocabulary } from '../../scripts/build-voice.mjs';
import { callClips, callSentence, codeClips, numberClips } from './voice';

const words = (ids: string[]) => ids.map((id) => (vocabulary as Record<string, string>)[id] ?? id).join(' ');

describe('Vietnamese call voice', () => {
  it.each([
    [0, 'không'],
    [5, 'năm'],
    [10, 'mười'],
    [11, 'mười một'],
    [15, 'mười lăm'],
    [21, 'hai mươi mốt'],
    [25, 'hai mươi lăm'],
    [40, 'bốn mươi'],
    [101, 'một trăm linh một'],
    [115, 'một trăm mười lăm'],
    [999, 'chín trăm chín mươi chín'],
    [1005, 'một nghìn không trăm linh năm'],
    [2024, 'hai nghìn không trăm hai mươi bốn'],
  ])('%i is read "%s"', (n, text) => expect(words(numberClips(n))).toBe(text));

  it('reads ticket numbers and rooms', () => {
    expect(words(codeClips('A012'))).toBe('a mười hai');
    expect(words(codeClips('B2-05'))).toBe('bê hai năm');
    expect(words(codeClips('05'))).toBe('không năm');
    expect(words(callClips({ number: 'A012', room: '101', counter: '101' }))).toBe(
      'chime Mời số a mười hai đến phòng một trăm linh một',
    );
    expect(words(callClips({ number: 'C001', room: '205', counter: '3' }))).toBe(
      'chime Mời số xê một đến phòng hai trăm linh năm quầy ba',
    );
    expect(callSentence({ number: 'A012', room: '101', counter: '2' })).toBe('Mời số A 12, đến phòng 101, quầy 2.');
  });

  it('only ever asks for clips that the build generates', () => {
    const known = new Set([...Object.keys(vocabulary), 'chime']);
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 8 }), fc.string({ maxLength: 4 }), (n, r, c) => {
        for (const id of callClips({ number: n, room: r, counter: c })) expect(known.has(id)).toBe(true);
      }),
    );
  });
});
