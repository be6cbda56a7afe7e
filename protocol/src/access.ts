/**
 * Who may do what: the staff roles, the access groups they form, and the group each /staff and
 * /admin command and each group of HTTP routes needs. The server enforces exactly these tables
 * (its own are derived from them); staff pages use them to offer only what a role may do.
 * Plain data: no schema, so a page that imports it carries a few hundred bytes.
 */
import type { AdminToServerEvents } from './admin.events';
import type { StaffToServerEvents } from './staff.events';
import { staffRoles, type StaffRole } from './staff-roles';

export { staffRoles, type StaffRole } from './staff-roles';

/** The roles each group admits. */
export const accessGroups = {
  /** Every staff role: queues, waits, visit histories, services (viewers only read). */
  staff: staffRoles,
  /** Roles that act on queues and see patients' details. */
  callers: ['admin', 'reception', 'clinic'],
  /** Registration at the reception counter. */
  counter: ['admin', 'reception'],
  /** Facility, staff accounts, fleet, integrations, metrics. */
  admin: ['admin'],
} as const satisfies Record<string, readonly StaffRole[]>;
export type AccessGroup = keyof typeof accessGroups;

/** The group each /staff command needs. */
export const staffCommandAccess = {
  'queue:list': 'staff',
  'queue:estimate': 'staff',
  'visit:get-history': 'staff',
  'queue:call-next': 'callers',
  'queue:recall': 'callers',
  'queue:skip': 'callers',
  'queue:complete': 'callers',
  'queue:transfer': 'callers',
} as const satisfies Record<keyof StaffToServerEvents, AccessGroup>;

/** The group each /admin command needs (the namespace admits admins only, at the handshake). */
export const adminCommandAccess = {
  'alerts:list': 'admin',
} as const satisfies Record<keyof AdminToServerEvents, AccessGroup>;

/**
 * The group each group of HTTP routes needs, by path: reading queues and services is for all
 * staff; acting on a queue (POST/PUT/PATCH/DELETE under /api/queue) for callers.
 */
export const routeAccess = {
  /** GET /api/services, GET /api/queue…, /api/auth/logout, /api/auth/me. */
  'queue-read': 'staff',
  /** Calls, recalls, skips, completions, transfers, reprints. */
  'queue-act': 'callers',
  /** /api/patients/…, a ticket's patient. */
  patients: 'callers',
  /** /api/counter/…: registration at the counter. */
  counter: 'counter',
  /** /api/admin/…, /metrics. */
  admin: 'admin',
  /** Restart, configuration, diagnostics and software rollouts of kiosks (/api/admin/agents/…, bundles, rollouts). */
  'fleet-manage': 'admin',
  /** GET /api/identity-conflicts: both versions of a patient's identity, for those who call patients. */
  'identity-conflicts': 'callers',
  /** POST /api/identity-conflicts/:id/resolve: settled at reception. */
  'identity-conflict-resolve': 'counter',
} as const satisfies Record<string, AccessGroup>;
export type RouteGroup = keyof typeof routeAccess;

const rolesByGroup = <K extends string>(table: Record<K, AccessGroup>): Record<K, readonly StaffRole[]> =>
  Object.fromEntries(
    Object.entries<AccessGroup>(table).map(([k, g]): [string, readonly StaffRole[]] => [k, accessGroups[g]]),
  ) as Record<K, readonly StaffRole[]>;

/** Who may send each /staff command. */
export const staffCommandRoles = /* @__PURE__ */ rolesByGroup(staffCommandAccess);
/** Who may send each /admin command. */
export const adminCommandRoles = /* @__PURE__ */ rolesByGroup(adminCommandAccess);
/** Who may call each group of HTTP routes. */
export const routeRoles = /* @__PURE__ */ rolesByGroup(routeAccess);

/** Whether a role may do what a group admits (a page hides what it may not). */
export const mayAccess = (role: StaffRole, group: AccessGroup): boolean =>
  (accessGroups[group] as readonly StaffRole[]).includes(role);
