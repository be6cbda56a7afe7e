import { en, vi, type MessageKey } from './messages';

export type Lang = 'vi' | 'en';

class I18n {
  lang = $state<Lang>('vi');
  t = (key: MessageKey): string => (this.lang === 'vi' ? vi[key] : en[key]);
  toggle = (): void => {
    this.lang = this.lang === 'vi' ? 'en' : 'vi';
    document.documentElement.lang = this.lang;
  };
}

export const i18n = new I18n();

/** Patient-facing text for an error hint key sent by the agent or server. */
export function hintKey(hint: string | undefined): MessageKey {
  switch (hint) {
    case 'scan-qr-instead':
      return 'hint.scan-qr-instead';
    case 'hold-card-still':
      return 'hint.hold-card-still';
    case 'go-to-counter':
      return 'hint.go-to-counter';
    default:
      return 'hint.try-again';
  }
}
