import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { languageName, readKioskLanguages, type Locale } from '../locale';
import vi from './vi';

const locales = import.meta.glob<Locale>('./*.ts', { import: 'default', eager: true });
const byLang = Object.fromEntries(
  Object.entries(locales)
    .filter(([path]) => !path.endsWith('.spec.ts'))
    .map(([path, locale]) => [/([a-z]+)\.ts$/u.exec(path)?.[1] ?? path, locale]),
);
const keys = Object.keys(vi.messages).sort();
const placeholders = (text: string) => (text.match(/\{\w+\}/gu) ?? []).sort();

// The kiosk's steps, each with a prompt to speak (Kiosk.svelte's step names).
const steps = [
  'attract',
  'manual',
  'reading',
  'confirm',
  'consent',
  'declined',
  'insurance',
  'service',
  'priority',
  'submitting',
  'ticket',
  'thanks',
  'appointments',
  'payment',
  'need-qr',
  'ticket-status',
];

// @ts-expect-error a catalogue missing a key does not type-check
const incomplete: Locale['messages'] = { 'kiosk.title': 'Patient check-in' };
void incomplete;

describe('kiosk catalogues', () => {
  it('ships Vietnamese, English and Khmer', () => {
    expect(Object.keys(byLang).sort()).toEqual(['en', 'km', 'vi']);
  });

  it.each(Object.entries(byLang))('%s has every key, none empty, with the same placeholders', (_lang, locale) => {
    expect(Object.keys(locale.messages).sort()).toEqual(keys);
    for (const key of keys) {
      const text = locale.messages[key as keyof Locale['messages']];
      expect(text.trim(), key).not.toBe('');
      expect(placeholders(text), key).toEqual(placeholders(vi.messages[key as keyof typeof vi.messages]));
    }
  });

  it.each(Object.entries(byLang))('%s has a prompt for every step and a keyboard', (_lang, locale) => {
    for (const step of steps) expect(locale.messages[`prompt.${step}` as keyof Locale['messages']]).toBeTruthy();
    expect(locale.keyboards.length).toBeGreaterThan(0);
    // The name on a CCCD is in Vietnamese letters: every language can type it.
    expect(locale.keyboards.map((k) => k.id)).toContain('vietnamese');
  });

  it('Khmer texts are written in Khmer script, not left in Vietnamese or English', () => {
    const km = byLang.km;
    if (!km) throw new Error('no Khmer catalogue');
    for (const key of keys) {
      const text = km.messages[key as keyof Locale['messages']];
      // Vietnamese tone names stay as they are: they name the Vietnamese keys.
      if (key.startsWith('kiosk.tone.') && key !== 'kiosk.tone.none') continue;
      expect(/[\u1780-\u17FF]/u.test(text), `${key}: ${text}`).toBe(true);
      expect(text, key).not.toBe(vi.messages[key as keyof typeof vi.messages]);
    }
    expect(km.speech).toBe('km-KH');
  });

  it('names each language in itself', () => {
    expect(languageName('vi')).toBe('Tiếng Việt');
    expect(languageName('en')).toBe('English');
    expect(languageName('km')).toBe('ខ្មែរ');
  });
});

describe('the facility language settings as the kiosk reads them', () => {
  const shipped = ['vi', 'en', 'km'];
  it('keeps the shipped languages in the facility order, Vietnamese first', () => {
    expect(readKioskLanguages({ ok: true, value: { languages: ['vi', 'km'], spokenGuidance: true } }, shipped)).toEqual(
      {
        languages: ['vi', 'km'],
        spokenGuidance: true,
      },
    );
    expect(readKioskLanguages({ ok: true, value: { languages: ['zh', 'en', 'vi'] } }, shipped)).toEqual({
      languages: ['vi', 'en'],
      spokenGuidance: false,
    });
  });
  it('any other answer is no answer, and never throws', () => {
    fc.assert(
      fc.property(fc.anything(), (v) => {
        const read = readKioskLanguages(v, shipped);
        if (read) expect(read.languages[0]).toBe('vi');
      }),
    );
    expect(readKioskLanguages(null, shipped)).toBeNull();
    expect(readKioskLanguages({ ok: false, error: { code: 'rate-limited' } }, shipped)).toBeNull();
  });
});
