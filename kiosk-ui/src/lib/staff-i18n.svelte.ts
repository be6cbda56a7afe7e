import { I18n, type Lang } from './i18n-base.svelte';
import { codeWord, deviceErrorWords, en, errorMessage, isStaffKey, vi, type StaffMessageKey } from './staff-messages';

const LANG_KEY = 'staff.lang';

/** The staff pages' text: the kiosk catalogue plus counter, display and admin words. */
class StaffI18n extends I18n<StaffMessageKey> {
  /** Staff keep the language they chose on this PC (the kiosk resets it for each patient). */
  override toggle = (): void => {
    this.set(this.lang === 'vi' ? 'en' : 'vi');
    try {
      localStorage.setItem(LANG_KEY, this.lang);
    } catch {
      // Storage refused (private mode): the choice lasts for this page only.
    }
  };
  /** A catalogue text with `{name}` placeholders filled. */
  fill = (key: StaffMessageKey, values: Record<string, string | number>): string =>
    this.t(key).replace(/\{(\w+)\}/gu, (m, name: string) => String(values[name] ?? m));
  /** Whether the catalogue has this key (codes from the server are open-ended). */
  has = (key: string): key is StaffMessageKey => isStaffKey(key);
  private get text() {
    return this.lang === 'vi' ? vi : en;
  }
  /** A code from the server or a device (`prefix.code` in the catalogue), else the code itself. */
  word = (prefix: string, code: string): string => codeWord(this.text, prefix, code);
  /** A server or device error code as words: its catalogue message, else a generic one naming the code. */
  error = (code: string): string => errorMessage(this.text, code);
  /** A device's last error as words; a driver's free-text message comes back apart as `detail`. */
  deviceError = (lastError: string): { words: string; detail?: string } => deviceErrorWords(this.text, lastError);
  /** A device's state (and reason) as words, e.g. "Máy in: lỗi (hết giấy)". */
  device = (d: { class: string; state: string; reason?: string | undefined }): string => {
    const cls = `device.${d.class}`;
    const state = `device.state.${d.state}`;
    const reason = d.reason ? `reason.${d.reason}` : undefined;
    const words = [
      `${this.has(cls) ? this.t(cls) : d.class}: ${this.has(state) ? this.t(state) : d.state}`,
      reason
        ? ` (${this.has(reason) ? this.t(reason) : this.fill('device.error.unknown-code', { code: d.reason ?? '' })})`
        : '',
    ];
    return words.join('');
  };
}

export const i18n = new StaffI18n(vi, en);
(() => {
  try {
    const saved = localStorage.getItem(LANG_KEY) as Lang | null;
    if (saved === 'en' || saved === 'vi') i18n.set(saved);
  } catch {
    // No storage: Vietnamese.
  }
})();
