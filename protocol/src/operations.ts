/**
 * Staff operations added after the first release: queue transitions, facility administration,
 * fleet alerts. Schemas validate HTTP bodies and socket payloads alike; the namespaces' command
 * tables (staff.events.ts, admin.events.ts) reference them.
 */
import { z } from 'zod';
import type { QueueEntry } from './ticket';
import { staffRoles } from './staff-roles';

// ---- queue transitions -------------------------------------------------------------------------
/** Recall, skip and complete act on one ticket; `counter` names where the patient is called to. */
export const ticketCommandSchema = z.object({
  ticketId: z.string().min(1).max(64),
  counter: z.string().min(1).max(32).optional(),
});
export type TicketCommand = z.infer<typeof ticketCommandSchema>;

/** Moves a visit to another service: the old ticket ends 'transferred', a new ticket waits there. */
export const transferCommandSchema = z.object({
  ticketId: z.string().min(1).max(64),
  targetServiceId: z.string().min(1).max(64),
  /** Keep the visit's priority class in the target queue (default true). */
  keepPriority: z.boolean().default(true),
});
export type TransferCommand = z.infer<typeof transferCommandSchema>;

export interface TransferResult {
  from: QueueEntry;
  to: QueueEntry;
}

/** One stored transition of a ticket. `detail` holds a counter, a target ticket id or a print reason. */
export interface TicketEventView {
  ticketId: string;
  type: string;
  at: string;
  actor: string | null;
  detail: string | null;
}

/** A visit's path through services (reception → clinic → lab → pharmacy), no personal data. */
export interface VisitHistory {
  visitId: string;
  tickets: (QueueEntry & { events: TicketEventView[] })[];
}

/** Estimated wait for a new ticket in a service, from the pace of its recent calls. */
export interface ServiceWait {
  serviceId: string;
  waiting: number;
  /** Mean time between recent calls (or mean service time, or the configured default). */
  paceMs: number;
  estimatedWaitMs: number;
  basis: 'recent-calls' | 'service-times' | 'default';
}

/** A visit's history, looked up by any of its tickets. */
export const ticketHistoryQuerySchema = z.object({ ticketId: z.string().min(1).max(64) });

// ---- facility administration -------------------------------------------------------------------
const slug = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-]*$/u, 'lower-case letters, digits and dashes');

export const departmentInputSchema = z.object({
  id: slug,
  nameVi: z.string().min(1).max(120),
  nameEn: z.string().min(1).max(120),
});
export type DepartmentInput = z.infer<typeof departmentInputSchema>;

export const serviceInputSchema = z.object({
  id: slug,
  departmentId: slug,
  prefix: z.string().regex(/^[A-Z]{1,3}$/u),
  nameVi: z.string().min(1).max(120),
  nameEn: z.string().min(1).max(120),
  room: z.string().min(1).max(32),
  floor: z.number().int().min(-5).max(200),
  sort: z.number().int().min(0).max(10_000).default(0),
  active: z.boolean().default(true),
});
export type ServiceInput = z.infer<typeof serviceInputSchema>;
export const servicePatchSchema = serviceInputSchema.omit({ id: true }).partial();

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/u, 'HH:MM');
/** Weekly opening hours of a service; weekday 0 = Sunday … 6 = Saturday, local facility time. */
export const openingHoursSchema = z.object({
  hours: z
    .array(z.object({ weekday: z.number().int().min(0).max(6), opens: hhmm, closes: hhmm }))
    .max(28)
    .refine((rows) => rows.every((r) => r.opens < r.closes), 'opens must be before closes'),
});
export type OpeningHours = z.infer<typeof openingHoursSchema>;

export const staffRoleSchema = z.enum(staffRoles);
export const userCreateSchema = z.object({
  username: z
    .string()
    .min(2)
    .max(64)
    .regex(/^[a-z0-9._-]+$/u),
  password: z.string().min(10).max(256),
  role: staffRoleSchema,
});
export const userPatchSchema = z
  .object({ role: staffRoleSchema.optional(), disabled: z.boolean().optional() })
  .refine((p) => p.role !== undefined || p.disabled !== undefined, 'nothing to change');

export interface StaffAccount {
  id: string;
  username: string;
  role: z.infer<typeof staffRoleSchema>;
  disabled: boolean;
  createdAt: string;
  /** Logins refused until then after repeated failures (ISO time), or null. */
  lockedUntil: string | null;
}

export const retentionSettingSchema = z.object({ retentionDays: z.number().int().min(1).max(36_500) });

// ---- fleet alerts ------------------------------------------------------------------------------
export const alertKindSchema = z.enum([
  'kiosk-offline',
  'printer-paper-near-end',
  'printer-paper-out',
  'printer-fault',
  'reader-disconnected',
  'scanner-disconnected',
  'emr-delivery-failing',
  /** A kiosk agent found a data file unreadable (its outbox …) and moved it aside. */
  'agent-storage-corrupt',
  /** A check-in a kiosk issued offline clashed on replay (its number, or an online ticket of the same check-in). */
  'offline-checkin-conflict',
  /** Decision 4750 records to the social-insurance data portal keep failing, or wait refused. */
  'portal-delivery-failing',
  /** The BHYT gateway did not find the card of a check-in a kiosk issued offline eligible (detail: ticket and reason key). */
  'offline-insurance-refused',
  /** E-invoices of paid fees keep failing at the provider, or wait refused (detail: codes, never personal data). */
  'einvoice-delivery-failing',
]);
export type AlertKind = z.infer<typeof alertKindSchema>;

export interface FleetAlert {
  id: string;
  kind: AlertKind;
  /** The kiosk agent, or 'server' for facility-wide conditions. */
  subject: string;
  /** The device id within the kiosk, when the alert is about one device. */
  deviceId: string | null;
  severity: 'warning' | 'critical';
  since: string;
  resolvedAt: string | null;
  /** Machine detail, never personal data. */
  detail: string | null;
}

/** Accepts a boolean, or 'true'/'false'/'1'/'0' from a query string. */
export const alertQuerySchema = z.object({
  includeResolved: z
    .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
    .default(false)
    .transform((v) => v === true || v === 'true' || v === '1'),
});
