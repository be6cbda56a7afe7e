/** Vietnamese: the kiosk's first language and the source of its keys. */
import type { Locale } from '../locale';
import { vietnameseKeyboard } from '../keyboards';
import { messages, type MessageKey } from '../vi-catalogue';

export type { MessageKey };

export default {
  speech: 'vi-VN',
  espeak: 'vi',
  keyboards: [vietnameseKeyboard],
  messages,
} satisfies Locale;
