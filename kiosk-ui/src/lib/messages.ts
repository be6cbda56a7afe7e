/**
 * The kiosk's Vietnamese and English catalogues (locales/), for the staff pages that build on them
 * (staff-messages.ts). The kiosk page itself reaches its languages through i18n.svelte.ts, which
 * loads every language but Vietnamese on demand.
 */
import enLocale from './locales/en';
import viLocale from './locales/vi';
import type { MessageKey } from './locale';

export type { MessageKey };
export const vi = viLocale.messages;
export const en: Record<MessageKey, string> = enLocale.messages;
