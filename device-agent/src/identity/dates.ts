/**
 * Calendar helpers shared by the QR, MRZ and DG13 parsers. Pure, never throw: invalid input
 * (31/02, month 13, non-digits) yields `undefined`.
 */

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

const MIN_YEAR = 1870;
const MAX_YEAR = 2199;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export function makeDate(year: number, month: number, day: number): CalendarDate | undefined {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return undefined;
  if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12) return undefined;
  if (day < 1 || day > daysInMonth(year, month)) return undefined;
  return { year, month, day };
}

/** `12031988` → 1988-03-12. */
export function parseDdMmYyyy(text: string): CalendarDate | undefined {
  const m = /^(\d{2})(\d{2})(\d{4})$/u.exec(text);
  if (!m) return undefined;
  return makeDate(Number(m[3]), Number(m[2]), Number(m[1]));
}

/** `12/03/1988` → 1988-03-12. Single-digit day/month (`1/3/1988`) is tolerated. */
export function parseSlashDate(text: string): CalendarDate | undefined {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/u.exec(text);
  if (!m) return undefined;
  return makeDate(Number(m[3]), Number(m[2]), Number(m[1]));
}

/** A bare `yyyy`, as old records and some BHYT cards give. */
export function parseYear(text: string): number | undefined {
  if (!/^\d{4}$/u.test(text)) return undefined;
  const year = Number(text);
  return year >= MIN_YEAR && year <= MAX_YEAR ? year : undefined;
}

export function toIsoDate(d: CalendarDate): string {
  return `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

export function compareDates(a: CalendarDate, b: CalendarDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

/** Adds whole years; 29 Feb on a non-leap target year becomes 28 Feb. */
export function addYears(d: CalendarDate, years: number): CalendarDate {
  const year = d.year + years;
  const day = Math.min(d.day, daysInMonth(year, d.month));
  return { year, month: d.month, day };
}
