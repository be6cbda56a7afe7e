import { readKioskLanguages, type Locale, type MessageKey } from './locale';
import viLocale from './locales/vi';
import { I18n, type Lang } from './i18n-base.svelte';

export { I18n, type Lang, type LocalText } from './i18n-base.svelte';

/** Every language shipped but Vietnamese: one chunk each, loaded when a patient picks it. */
const lazyLocales = import.meta.glob<Locale>(['./locales/*.ts', '!./locales/vi.ts', '!./locales/*.spec.ts'], {
  import: 'default',
});
const codeOf = (path: string) => /([a-z]+)\.ts$/u.exec(path)?.[1] ?? path;
const loaders = new Map(Object.entries(lazyLocales).map(([path, load]) => [codeOf(path), load]));

/** The languages this page has a catalogue for, Vietnamese first. */
export const shippedLanguages: readonly Lang[] = ['vi', ...[...loaders.keys()].sort()];

/** The kiosk page's text: Vietnamese at once, the facility's other languages on demand. */
class KioskI18n extends I18n<MessageKey> {
  /** The current language's catalogue file: speech tag, keyboards. */
  locale = $state.raw<Locale>(viLocale);
  /** The languages the switch offers (the facility's, Vietnamese first). */
  languages = $state<Lang[]>([...shippedLanguages]);
  /** The facility speaks each step's prompt without a tap. */
  spokenGuidance = $state(false);
  private readonly locales = new Map<Lang, Locale>([['vi', viLocale]]);
  private wanted: Lang = 'vi';
  private configured: Promise<void> | undefined;

  constructor() {
    super(viLocale.messages);
  }

  override set = (lang: Lang): void => {
    const locale = this.locales.get(lang);
    if (!locale) return void this.choose(lang);
    this.wanted = lang;
    this.locale = locale;
    this.lang = lang;
    document.documentElement.lang = lang;
  };

  /** Switches language, loading its catalogue first; a later choice (or the reset) wins. */
  choose = async (lang: Lang): Promise<void> => {
    this.wanted = lang;
    const locale = await this.load(lang);
    if (!locale || this.wanted !== lang) return;
    this.set(lang);
  };

  /** The next language of the facility's list (a single switch button). */
  override toggle = (): void => {
    const i = this.languages.indexOf(this.lang);
    void this.choose(this.languages[(i + 1) % this.languages.length] ?? 'vi');
  };

  async load(lang: Lang): Promise<Locale | undefined> {
    const have = this.locales.get(lang);
    if (have) return have;
    const loader = loaders.get(lang);
    if (!loader) return undefined;
    try {
      const locale = await loader();
      this.locales.set(lang, locale);
      this.catalogues = { ...this.catalogues, [lang]: locale.messages };
      return locale;
    } catch {
      return undefined; // the chunk did not arrive: the patient stays in the current language
    }
  }

  /** Reads the facility's languages again (an admin may have changed them): for the next patient. */
  reconfigure = (): Promise<void> => {
    this.configured = undefined;
    return this.configure();
  };

  /** Reads the facility's languages once; without an answer every shipped language is offered. */
  configure = (): Promise<void> =>
    (this.configured ??= (async () => {
      try {
        const res = await fetch('/api/kiosk/languages');
        const read = res.ok ? readKioskLanguages(await res.json(), shippedLanguages) : null;
        if (read) {
          this.languages = read.languages;
          this.spokenGuidance = read.spokenGuidance;
        }
      } catch {
        // server unreachable: the shipped languages, guidance on a tap only
      }
    })());
}

/** The kiosk page's text. */
export const i18n = new KioskI18n();
