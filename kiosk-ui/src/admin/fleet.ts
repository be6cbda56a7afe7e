/** The admin's view of /api/admin/agents and helpers for "since when". */
import type { DeviceHealth } from '@kiosk/protocol';

export interface KioskView {
  id: string;
  name: string;
  revoked: boolean;
  lastSeenAt: string | null;
  softwareVersion: string | null;
  devices: DeviceHealth[];
}

/** A kiosk is online when its last heartbeat is younger than this (agents beat every 10 s). */
export const ONLINE_WITHIN_MS = 30_000;

export function isOnline(k: KioskView, now: number): boolean {
  return !k.revoked && k.lastSeenAt !== null && now - Date.parse(k.lastSeenAt) < ONLINE_WITHIN_MS;
}

/** `3 min`, `2 h 5 min`, `12 s` from an ISO time to now. */
export function elapsed(iso: string, now: number): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d`;
}
