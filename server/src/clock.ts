/** Time in one place: tests can pin it; the daily number series follows the hospital's time zone. */
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

/** The formats the server shows or reasons with in a time zone. */
const ZONE_FORMATS = {
  /** en-CA formats as YYYY-MM-DD. */
  day: ['en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' }],
  /** Weekday (short English name) and 24-hour HH:MM. */
  weekTime: ['en-GB', { weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }],
  /** The 24-hour hour. */
  hour: ['en-GB', { hour: '2-digit', hourCycle: 'h23' }],
  /** The UTC offset as `GMT+07:00`. */
  offset: ['en-US', { timeZoneName: 'longOffset' }],
} as const satisfies Record<string, readonly [string, Intl.DateTimeFormatOptions]>;
export type ZoneFormat = keyof typeof ZONE_FORMATS;

const formatters: Record<ZoneFormat, Map<string, Intl.DateTimeFormat>> = {
  day: new Map(),
  weekTime: new Map(),
  hour: new Map(),
  offset: new Map(),
};

/**
 * The server's one cache of time-zone formatters: building an Intl formatter costs far more than
 * using one, so one per format and time zone is built and kept.
 */
export function zoneFormatter(format: ZoneFormat, timeZone: string): Intl.DateTimeFormat {
  const byZone = formatters[format];
  let formatter = byZone.get(timeZone);
  if (!formatter) {
    const [locale, options] = ZONE_FORMATS[format];
    formatter = new Intl.DateTimeFormat(locale, { ...options, timeZone });
    byZone.set(timeZone, formatter);
  }
  return formatter;
}

let lastDay: { minute: number; timeZone: string; day: string } | undefined;

export function facilityDay(date: Date, timeZone: string): string {
  // Time zones change offset on whole minutes at most: the answer holds for the whole minute.
  const minute = Math.floor(date.getTime() / 60_000);
  if (lastDay && lastDay.minute === minute && lastDay.timeZone === timeZone) return lastDay.day;
  const day = zoneFormatter('day', timeZone).format(date);
  lastDay = { minute, timeZone, day };
  return day;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Local weekday (0 = Sunday) and HH:MM of an instant in a time zone. */
export function localWeekTime(at: Date, timeZone: string): { weekday: number; hhmm: string } {
  const parts = zoneFormatter('weekTime', timeZone).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return { weekday: WEEKDAYS.indexOf(get('weekday')), hhmm: `${get('hour')}:${get('minute')}` };
}

/** Local hour (0–23) of an ISO instant in a time zone. */
export function localHour(iso: string, timeZone: string): number {
  return Number(zoneFormatter('hour', timeZone).format(new Date(iso)));
}
