/**
 * Offline check-in: the server grants each paired kiosk, per service, blocks of the day's number
 * series in advance (leases); while the server does not answer, the kiosk issues tickets from its
 * lease, keeps each check-in in a local journal and replays the journal when the server is back.
 */
import { z } from 'zod';
import { agentCheckInRequestSchema } from './checkin';
import type { Identity } from './identity';
import { ticketSchema, type PriorityClass } from './ticket';
import { PUBLIC_URL_MAX_CHARS } from './ticket-qr';

/** A block `firstSeq..lastSeq` of a service's daily series, granted to one kiosk for one day. */
export const offlineLeaseSchema = z.object({
  leaseId: z.string().min(1).max(64),
  serviceId: z.string().min(1).max(64),
  /** The facility day (YYYY-MM-DD) of the series. */
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/u),
  prefix: z.string().max(8),
  firstSeq: z.number().int().positive(),
  lastSeq: z.number().int().positive(),
  /** The end of the facility day: the lease is void from then on. */
  expiresAt: z.string().datetime({ offset: true }),
  /** What the ticket prints, as the server would print it. */
  hospitalName: z.string().max(120),
  department: z.string().max(120),
  room: z.string().max(32),
  floor: z.number().int(),
  /** The server's public base URL (publicBaseUrlOf): the offline ticket's QR is its status page too. */
  publicUrl: z.string().max(PUBLIC_URL_MAX_CHARS).optional(),
});
export type OfflineLease = z.infer<typeof offlineLeaseSchema>;

/** The agent asks for leases: what it has left per service today (0 or absent: none). */
export const leaseRequestSchema = z.object({
  remaining: z
    .array(z.object({ serviceId: z.string().min(1).max(64), day: z.string().max(10), count: z.number().int().min(0) }))
    .max(256),
});
export type LeaseRequest = z.infer<typeof leaseRequestSchema>;

/** One check-in the kiosk issued itself, as the journal kept it. */
export const offlineCheckInSchema = z.object({
  /** The check-in with the agent's provenance (a chip it read, its passive authentication). */
  request: agentCheckInRequestSchema,
  /** The ticket as printed (number, issue time, lookup code, priority, service type). */
  ticket: ticketSchema,
  serviceId: z.string().min(1).max(64),
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/u),
  seq: z.number().int().positive(),
  /** The kiosk printer's outcome ('pending': the agent stopped before it knew). */
  print: z.enum(['confirmed', 'failed', 'pending']),
});
export type OfflineCheckIn = z.infer<typeof offlineCheckInSchema>;

export const REPLAY_BATCH_MAX = 200;
export const replayBatchSchema = z.object({ checkIns: z.array(offlineCheckInSchema).min(1).max(REPLAY_BATCH_MAX) });
export type ReplayBatch = z.infer<typeof replayBatchSchema>;

/**
 * The server's word on one replayed check-in: 'stored' (now in the queue), 'already' (stored by an
 * earlier replay), 'conflict' (stored, and flagged for staff: the number or the check-in clashed),
 * 'refused' (not stored: e.g. an unknown service; flagged for staff). The journal entry is done either way.
 */
export interface ReplayOutcome {
  checkInId: string;
  state: 'stored' | 'already' | 'conflict' | 'refused';
  ticketId?: string;
  /** The number the queue holds for this check-in. */
  number?: string;
  reason?: string;
}

/** Heartbeat part: the journal's check-ins not yet acknowledged by the server. */
export const offlineBacklogSchema = z.object({
  backlog: z.number().int().min(0),
  /** Issue time of the oldest waiting check-in. */
  oldestAt: z.string().datetime({ offset: true }).optional(),
});
export type OfflineBacklog = z.infer<typeof offlineBacklogSchema>;

/** Full years from a date of birth (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`) to a day; NaN when unreadable. */
export function ageInYears(dateOfBirth: string, on: Date): number {
  const [y, m = 1, d = 1] = dateOfBirth.split('-').map(Number);
  if (y === undefined || Number.isNaN(y)) return Number.NaN;
  let age = on.getUTCFullYear() - y;
  const beforeBirthday = on.getUTCMonth() + 1 < m || (on.getUTCMonth() + 1 === m && on.getUTCDate() < d);
  if (beforeBirthday) age -= 1;
  return age;
}

/**
 * A check-in's priority class: age first (under 6, 75 and over), then the first declared claim.
 * The server's rule, and the one a kiosk prints offline.
 */
export function priorityClassOf(identity: Identity, claims: readonly string[], on: Date): PriorityClass {
  const age = ageInYears(identity.dateOfBirth, on);
  if (age < 6) return 'child-under-6';
  if (age >= 75) return 'elderly-75';
  const declared = claims[0];
  if (declared === 'pregnant' || declared === 'disability' || declared === 'meritorious') return declared;
  return 'normal';
}
