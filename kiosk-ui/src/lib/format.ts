/** `1988-03-12` → `12/03/1988`; a year alone stays a year. */
export function formatDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return m && d ? `${d}/${m}/${y}` : (y ?? '');
}

/** `dd/mm/yyyy` (any separators) → `YYYY-MM-DD` for a real calendar date, else null; may be in the future. */
export function parseCardDate(text: string): string | null {
  const digits = text.replace(/\D/gu, '');
  if (digits.length !== 8) return null;
  const d = Number(digits.slice(0, 2));
  const m = Number(digits.slice(2, 4));
  const y = Number(digits.slice(4));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return `${digits.slice(4)}-${digits.slice(2, 4)}-${digits.slice(0, 2)}`;
}

/** `12031988` or `12/03/1988` → `1988-03-12` when it is a real date not in the future, else null. */
export function parseDob(text: string, today = new Date()): string | null {
  const date = parseCardDate(text);
  return date && Date.parse(`${date}T00:00:00Z`) <= today.getTime() ? date : null;
}

/** Digits typed so far shown as `dd/mm/yyyy`. */
export function dobMask(digits: string): string {
  const d = digits.replace(/\D/gu, '').slice(0, 8);
  return [d.slice(0, 2), d.slice(2, 4), d.slice(4)].filter(Boolean).join('/');
}

/** Whole years between a `YYYY-MM-DD` (or `YYYY`) birth date and today. */
export function ageOn(dob: string, today = new Date()): number {
  const [y = 0, m = 1, d = 1] = dob.split('-').map(Number);
  let age = today.getFullYear() - y;
  if (today.getMonth() + 1 < m || (today.getMonth() + 1 === m && today.getDate() < d)) age--;
  return age;
}

/** `2026-11-22T03:50:00Z` → `10:50` in the browser's time zone. */
export function formatTime(iso: string): string {
  const t = new Date(iso);
  return Number.isNaN(t.getTime())
    ? ''
    : `${String(t.getHours()).padStart(2, '0')}:${String(t.getMinutes()).padStart(2, '0')}`;
}
