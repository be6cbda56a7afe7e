/** Time in one place: tests can pin it; the daily number series follows the hospital's time zone. */
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

const dayFormats = new Map<string, Intl.DateTimeFormat>();

let lastDay: { minute: number; timeZone: string; day: string } | undefined;

export function facilityDay(date: Date, timeZone: string): string {
  // Time zones change offset on whole minutes at most: the answer holds for the whole minute.
  const minute = Math.floor(date.getTime() / 60_000);
  if (lastDay && lastDay.minute === minute && lastDay.timeZone === timeZone) return lastDay.day;
  let format = dayFormats.get(timeZone);
  if (!format) {
    // en-CA formats as YYYY-MM-DD.
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, format);
  }
  const day = format.format(date);
  lastDay = { minute, timeZone, day };
  return day;
}

/** Age in whole years on `on` for an ISO date (YYYY-MM-DD or YYYY). */
export function ageInYears(dateOfBirth: string, on: Date): number {
  const [y, m = 1, d = 1] = dateOfBirth.split('-').map(Number);
  if (y === undefined || Number.isNaN(y)) return Number.NaN;
  let age = on.getUTCFullYear() - y;
  const beforeBirthday = on.getUTCMonth() + 1 < m || (on.getUTCMonth() + 1 === m && on.getUTCDate() < d);
  if (beforeBirthday) age -= 1;
  return age;
}
