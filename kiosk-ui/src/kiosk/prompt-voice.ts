/**
 * Spoken guidance: a step's prompt (`prompt.<step>` in the catalogue) in the patient's language,
 * with the display's voice engine (lib/voice-engine.ts): that language's speech voice, else its
 * clips recorded at build time (audio/prompts/<lang>/<step>.wav), else the Vietnamese prompt —
 * every patient at a Vietnamese hospital kiosk hears something rather than nothing (Khmer has
 * no espeak-ng voice, and few browsers have a Khmer one).
 */
import type { Locale, MessageKey } from '../lib/locale';
import { VoiceEngine, type Engine } from '../lib/voice-engine';

export interface Spoken {
  step: string;
  /** The language the prompt was spoken in (Vietnamese when the patient's has no voice). */
  lang: string;
  engine: Engine;
}

export const promptKey = (step: string): MessageKey | null => {
  const key = `prompt.${step}`;
  return /^prompt\.[a-z-]+$/u.test(key) ? (key as MessageKey) : null;
};

export class PromptVoice {
  private readonly engines = new Map<string, VoiceEngine>();
  private turn = 0;

  constructor(
    private readonly locales: { load: (lang: string) => Promise<Locale | undefined> },
    private readonly onChange: () => void,
    private readonly onBlocked: () => void = () => undefined,
  ) {}

  private engineFor(lang: string, locale: Locale): VoiceEngine {
    let engine = this.engines.get(lang);
    if (!engine) {
      engine = new VoiceEngine({
        mode: 'auto',
        clipBase: `/audio/prompts/${lang}/`,
        lang: locale.speech,
        onBlocked: this.onBlocked,
        onChange: this.onChange,
      });
      this.engines.set(lang, engine);
    }
    return engine;
  }

  stop(): void {
    this.turn++;
    for (const e of this.engines.values()) e.stop();
  }

  /** Speaks a step's prompt (stopping what was being said); null when nothing could say it. */
  async speak(step: string, lang: string): Promise<Spoken | null> {
    this.stop();
    const turn = this.turn;
    const key = promptKey(step);
    if (!key) return null;
    for (const tryLang of lang === 'vi' ? ['vi'] : [lang, 'vi']) {
      const locale = await this.locales.load(tryLang);
      const text = locale?.messages[key];
      if (!locale || !text) continue;
      const engine = this.engineFor(tryLang, locale);
      await engine.load();
      if (turn !== this.turn) return null;
      if (engine.engine === 'speech') {
        void engine.utter(text);
        return { step, lang: tryLang, engine: 'speech' };
      }
      // A clip recorded from other words (the catalogue changed since the build) is not played.
      if (engine.engine === 'clips' && engine.clipText(step) === text) {
        void engine.play(step);
        return { step, lang: tryLang, engine: 'clips' };
      }
    }
    return null;
  }
}
