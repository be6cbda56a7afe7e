import { en, vi, type MessageKey } from './messages';

export type Lang = 'vi' | 'en';

/** The page's language and its catalogue; Vietnamese first. */
export class I18n<K extends string> {
  lang = $state<Lang>('vi');
  constructor(
    private readonly viText: Record<K, string>,
    private readonly enText: Record<K, string>,
  ) {}
  t = (key: K): string => (this.lang === 'vi' ? this.viText[key] : this.enText[key]);
  set = (lang: Lang): void => {
    this.lang = lang;
    document.documentElement.lang = lang;
  };
  toggle = (): void => this.set(this.lang === 'vi' ? 'en' : 'vi');
  /** A `{ vi, en }` pair from the server, in the current language. */
  pick = (text: { vi: string; en: string }): string => (this.lang === 'vi' ? text.vi : text.en);
}

/** The kiosk page's text. */
export const i18n = new I18n<MessageKey>(vi, en);
