import { describe, expect, it } from 'vitest';
import { facilityDay, localHour, localWeekTime, zoneFormatter } from './clock';

describe('clock', () => {
  it('uses the hospital time zone for the day of a ticket', () => {
    // 18:30 UTC on 1 March is already 2 March in Việt Nam (UTC+7).
    expect(facilityDay(new Date('2026-03-01T18:30:00Z'), 'Asia/Ho_Chi_Minh')).toBe('2026-03-02');
  });
  it('gives local weekday, time and hour in the zone', () => {
    // Sunday 1 March 2026, 18:30 UTC is Monday 01:30 in Việt Nam.
    expect(localWeekTime(new Date('2026-03-01T18:30:00Z'), 'Asia/Ho_Chi_Minh')).toEqual({ weekday: 1, hhmm: '01:30' });
    expect(localHour('2026-03-01T18:30:00Z', 'Asia/Ho_Chi_Minh')).toBe(1);
    expect(localHour('2026-03-01T17:00:00Z', 'UTC')).toBe(17);
  });
  it('keeps one formatter per format and zone', () => {
    expect(zoneFormatter('hour', 'Asia/Ho_Chi_Minh')).toBe(zoneFormatter('hour', 'Asia/Ho_Chi_Minh'));
    expect(zoneFormatter('hour', 'UTC')).not.toBe(zoneFormatter('hour', 'Asia/Ho_Chi_Minh'));
  });
});
