/**
 * A province or hospital group on one deployment: each facility is its own deployment of the
 * server (its own database, its own staff and kiosks) behind one front that routes by host name;
 * the province host serves a small read-only overview for the group's own accounts.
 *   POST /api/province/login                         → { token, username, role }
 *   GET  /api/province/facilities                    → FacilityHealth[]
 *   GET  /api/province/facilities/:code/dashboard    → FacilityDashboard
 *   POST /api/province/facilities/reload             → FacilitiesReloaded
 *   GET  /api/province/audit                         → ProvinceAuditEntry[]
 */
import { z } from 'zod';
import type { Report } from './reports';
import type { AdminStats } from './staff-views';
import type { LocalText } from './facility';

/** Roles of the province's own accounts (never a facility's staff role: those live in each facility). */
export const provinceRoles = ['province-admin'] as const;
export type ProvinceRole = (typeof provinceRoles)[number];
export const provinceRoleSchema = z.enum(provinceRoles);

/** Every socket.io namespace the server opens, each behind its own credential. */
export const socketNamespaces = ['/agent', '/staff', '/admin', '/display', '/ticket-status'] as const;
export type SocketNamespace = (typeof socketNamespaces)[number];

/** A facility's short code: letters, digits, dot, dash, underscore (used in URLs and metric labels). */
export const facilityCodeSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/u, 'a facility code');

export const provinceLoginSchema = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
});

export interface FacilityHealth {
  code: string;
  name: string;
  hosts: string[];
  /** Its database answers. */
  ready: boolean;
  /** Kiosk agents connected now. */
  kiosksOnline: number;
  /** Open fleet and integration alerts. */
  openAlerts: number;
}

export interface FacilityDashboard {
  facility: FacilityHealth;
  /** Today's figures, as the facility's own admin page shows them. */
  today: AdminStats;
  /** The last seven days by day and service, from the facility's own report service. */
  week: Report;
  /** The facility's own names of its services, by id. */
  serviceNames: Record<string, LocalText>;
}

export interface ProvinceAuditEntry {
  at: string;
  actor: string;
  action: string;
  target: string | null;
}

/**
 * What re-reading the facilities file changed (SIGHUP, or POST /api/province/facilities/reload):
 * facilities added, removed, restarted because their settings changed, and left running as they were.
 */
export interface FacilitiesReloaded {
  added: string[];
  removed: string[];
  restarted: string[];
  unchanged: string[];
  /** Facilities that could not be started (an added one is left out, a restarted one runs its old settings). */
  failed: { code: string; reason: string }[];
}
