import { I18n } from './i18n.svelte';
import { en, vi, type StaffMessageKey } from './staff-messages';

/** The staff pages' text: the kiosk catalogue plus counter, display and admin words. */
export const i18n = new I18n<StaffMessageKey>(vi, en);
