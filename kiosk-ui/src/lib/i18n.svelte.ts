import { en, vi, type MessageKey } from './messages';

export type Lang = 'vi' | 'en';

class I18n {
  lang = $state<Lang>('vi');
  t = (key: MessageKey): string => (this.lang === 'vi' ? vi[key] : en[key]);
  set = (lang: Lang): void => {
    this.lang = lang;
    document.documentElement.lang = lang;
  };
  toggle = (): void => this.set(this.lang === 'vi' ? 'en' : 'vi');
  /** A `{ vi, en }` pair from the server, in the current language. */
  pick = (text: { vi: string; en: string }): string => (this.lang === 'vi' ? text.vi : text.en);
}

export const i18n = new I18n();

/** Patient-facing text for an error hint key sent by the agent or server. */
export function hintKey(hint: string | undefined): MessageKey {
  switch (hint) {
    case 'scan-qr-instead':
      return 'hint.scan-qr-instead';
    case 'hold-card-still':
      return 'hint.hold-card-still';
    case 'card-removed':
      return 'hint.card-removed';
    case 'go-to-counter':
      return 'hint.go-to-counter';
    default:
      return 'hint.try-again';
  }
}
