/** The admin's view of /api/admin/agents and helpers for "since when". */
import type { DeviceHealth } from '@kiosk/protocol';

export interface KioskView {
  id: string;
  name: string;
  revoked: boolean;
  lastSeenAt: string | null;
  softwareVersion: string | null;
  devices: DeviceHealth[];
  /** Check-ins the kiosk issued offline that the server has not yet stored (its last heartbeat). */
  offlineBacklog?: number;
}

/** A kiosk is online when its last heartbeat is younger than this (agents beat every 10 s). */
export const ONLINE_WITHIN_MS = 30_000;

export function isOnline(k: KioskView, now: number): boolean {
  return !k.revoked && k.lastSeenAt !== null && now - Date.parse(k.lastSeenAt) < ONLINE_WITHIN_MS;
}

export interface TimeUnits {
  s: string;
  min: string;
  h: string;
  d: string;
}
const plainUnits: TimeUnits = { s: 's', min: 'min', h: 'h', d: 'd' };

/** `3 min`, `2 h 5 min`, `12 s` from an ISO time to now, in the page's words for the units. */
export function elapsed(iso: string, now: number, u: TimeUnits = plainUnits): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} ${u.s}`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} ${u.min}`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} ${u.h} ${m % 60} ${u.min}`;
  return `${Math.floor(h / 24)} ${u.d}`;
}
