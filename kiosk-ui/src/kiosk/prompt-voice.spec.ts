import { afterEach, beforeEach, describe, expect, it, vi as mock } from 'vitest';
import type { Locale } from '../lib/locale';
import en from '../lib/locales/en';
import km from '../lib/locales/km';
import vi from '../lib/locales/vi';
import { PromptVoice, promptKey } from './prompt-voice';

const locales: Record<string, Locale> = { vi, en, km };
/** Clips built for Vietnamese and English only (espeak-ng has no Khmer voice). */
const manifests: Record<string, Record<string, { text: string; ms: number }>> = {
  vi: { confirm: { text: vi.messages['prompt.confirm'], ms: 10 } },
  en: { confirm: { text: 'older words', ms: 10 }, service: { text: en.messages['prompt.service'], ms: 10 } },
};

let played: string[];
beforeEach(() => {
  played = [];
  mock.stubGlobal('fetch', async (url: string) => {
    const lang = /prompts\/(\w+)\//u.exec(url)?.[1] ?? '';
    const clips = manifests[lang];
    return clips ? new Response(JSON.stringify({ clips })) : new Response('not found', { status: 404 });
  });
  mock.stubGlobal(
    'Audio',
    class extends EventTarget {
      currentTime = 0;
      preload = '';
      constructor(readonly src: string) {
        super();
      }
      play() {
        played.push(this.src);
        queueMicrotask(() => this.dispatchEvent(new Event('ended')));
        return Promise.resolve();
      }
      pause() {
        this.dispatchEvent(new Event('pause'));
      }
    },
  );
});
afterEach(() => mock.unstubAllGlobals());

const voice = () => new PromptVoice({ load: async (lang) => locales[lang] }, () => undefined);

describe('spoken guidance', () => {
  it('every step name maps to its catalogue prompt key', () => {
    expect(promptKey('confirm')).toBe('prompt.confirm');
    expect(promptKey('../x')).toBeNull();
  });

  it("speaks the step's prompt in the patient's language from its recorded clip", async () => {
    expect(await voice().speak('service', 'en')).toEqual({ step: 'service', lang: 'en', engine: 'clips' });
    expect(played).toEqual(['/audio/prompts/en/service.wav']);
  });

  it('a clip recorded from other words is not played: Vietnamese instead', async () => {
    expect(await voice().speak('confirm', 'en')).toEqual({ step: 'confirm', lang: 'vi', engine: 'clips' });
    expect(played).toEqual(['/audio/prompts/vi/confirm.wav']);
  });

  it('Khmer without a Khmer voice falls back to the Vietnamese prompt', async () => {
    expect(await voice().speak('confirm', 'km')).toEqual({ step: 'confirm', lang: 'vi', engine: 'clips' });
    expect(played).toEqual(['/audio/prompts/vi/confirm.wav']);
  });

  it('nothing to say: no sound and no error', async () => {
    expect(await voice().speak('ticket', 'vi')).toBeNull();
    expect(await voice().speak('no-such-step', 'vi')).toBeNull();
    expect(played).toEqual([]);
  });
});
