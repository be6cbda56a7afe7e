/** The page's language and its catalogues, shared by the kiosk page and the staff pages. */
/** An ISO 639 language code with a catalogue under locales/ (`vi`, `en`, `km` …). */
export type Lang = string;

/** A name from the server in Vietnamese, English and any further language the facility names it in. */
export type LocalText = { vi: string; en: string } & { [lang: string]: string | undefined };

/** The page's language and its catalogues; Vietnamese first. */
export class I18n<K extends string> {
  lang = $state<Lang>('vi');
  /** The catalogues at hand, by language (Vietnamese always). */
  protected catalogues = $state.raw<Partial<Record<Lang, Record<K, string>>>>({});
  constructor(
    private readonly viText: Record<K, string>,
    enText?: Record<K, string>,
  ) {
    this.catalogues = enText ? { vi: viText, en: enText } : { vi: viText };
  }
  /** A text in the current language (Vietnamese until its catalogue is at hand). */
  t = (key: K): string => (this.catalogues[this.lang] ?? this.viText)[key];
  set = (lang: Lang): void => {
    this.lang = lang;
    document.documentElement.lang = lang;
  };
  toggle = (): void => this.set(this.lang === 'vi' ? 'en' : 'vi');
  /** A name from the server in the current language, else in Vietnamese (as the signs are). */
  pick = (text: LocalText): string => text[this.lang] || text.vi;
}
