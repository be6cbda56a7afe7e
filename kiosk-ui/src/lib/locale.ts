/**
 * A kiosk language is one file under `locales/`: its catalogue (every key of the Vietnamese one:
 * type-check fails on a missing or unknown key), the speech tag its prompts are spoken with, its
 * on-screen keyboards, and the espeak-ng voice that records its prompts at build time (none: the
 * browser's voice, else Vietnamese). The facility configuration decides which languages a kiosk
 * offers and names its services in them.
 */
import type { KeyboardLayout } from './keyboards';
import type { MessageKey } from './vi-catalogue';

export type { MessageKey };

export interface Locale {
  /** BCP 47 tag for a speech-synthesis voice, e.g. `km-KH`. */
  speech: string;
  /** espeak-ng voice for the recorded prompts (scripts/build-voice.mjs); absent when it has none. */
  espeak?: string;
  /** On-screen keyboards, the one shown first first. */
  keyboards: readonly KeyboardLayout[];
  messages: Record<MessageKey, string>;
}

/** The steps whose prompt the catalogue speaks: `prompt.<step>` keys. */
export type PromptStep = MessageKey extends infer K ? (K extends `prompt.${infer S}` ? S : never) : never;

/**
 * A language's own name in itself ("Tiếng Việt", "English", "ខ្មែរ"): from the browser's CLDR data,
 * except where a browser lacks a language's own data (Debian's Chromium names Khmer "Khmer").
 */
const selfNames: Record<string, string> = { vi: 'Tiếng Việt', en: 'English', km: 'ខ្មែរ' };
export function languageName(code: string): string {
  const known = selfNames[code];
  if (known) return known;
  try {
    const name = new Intl.DisplayNames([code], { type: 'language' }).of(code);
    return name ? name.charAt(0).toLocaleUpperCase(code) + name.slice(1) : code;
  } catch {
    return code;
  }
}

/** What the facility configuration says (GET /api/kiosk/languages), kept to what is shipped. */
export function readKioskLanguages(
  value: unknown,
  shipped: readonly string[],
): { languages: string[]; spokenGuidance: boolean } | null {
  const v = (value as { value?: unknown } | null)?.value as
    { languages?: unknown; spokenGuidance?: unknown } | undefined;
  if (!v || !Array.isArray(v.languages)) return null;
  const wanted = v.languages.filter((l): l is string => typeof l === 'string' && shipped.includes(l));
  const languages = ['vi', ...wanted.filter((l) => l !== 'vi')].filter((l, i, all) => all.indexOf(l) === i);
  return { languages, spokenGuidance: v.spokenGuidance === true };
}
