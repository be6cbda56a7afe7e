import { z } from 'zod';
import { trustAppliedSchema } from './trust-store';

export const deviceClassSchema = z.enum(['printer', 'scanner', 'card-reader', 'payment-terminal']);
export const deviceStateSchema = z.enum(['ready', 'busy', 'degraded', 'error', 'disconnected']);
export type DeviceState = z.infer<typeof deviceStateSchema>;

/**
 * The codes devices give as the reason of a degraded, error or disconnected state, and in their last
 * error (`print failed: paper-out`, `frame rejected: too-long`): printer conditions and print
 * failures, link and driver faults, a scanner's rejected frames. Staff pages have words for each.
 */
export const deviceReasonCodes = [
  'paper-near-end',
  'paper-out',
  'cover-open',
  'cutter-error',
  'offline',
  'no-response',
  'timeout',
  'disconnected',
  'unplugged',
  'stopped',
  'link-lost',
  'transport-unavailable',
  'transport-error',
  'no-driver',
  'open-failed',
  'start-failed',
  'print-error',
  'io-error',
  'bad-length',
  'incomplete',
  'short-report',
  'stale',
  'too-long',
] as const;

export const deviceHealthSchema = z.object({
  id: z.string().max(128),
  class: deviceClassSchema,
  profileId: z.string().max(128),
  state: deviceStateSchema,
  /** Machine code of the degraded/error reason: 'paper-near-end', 'paper-out', 'cover-open' … */
  reason: z.string().max(64).optional(),
  counters: z.record(z.string(), z.number()).default({}),
  lastError: z.string().max(200).optional(),
  changedAt: z.string(),
});
export type DeviceHealth = z.infer<typeof deviceHealthSchema>;

/** A kind of transport the agent cannot use (native binding missing, pcscd down): only it is disabled. */
export const transportProblemSchema = z.object({
  transport: z.string().max(32),
  reason: z.string().max(200),
});
export type TransportProblem = z.infer<typeof transportProblemSchema>;

export const agentHeartbeatSchema = z.object({
  softwareVersion: z.string().max(32),
  uptimeSec: z.number().nonnegative(),
  devices: z.array(deviceHealthSchema).max(64),
  /** Transports disabled on this kiosk and why; absent or empty when all load. */
  transports: z.array(transportProblemSchema).max(16).optional(),
  /** Files of the agent's data folder it found unreadable and moved aside (for a technician); absent or empty: none. */
  storageFaults: z
    .array(z.object({ file: z.string().max(160) }))
    .max(16)
    .optional(),
  /** Offline check-ins kept on the kiosk, not yet acknowledged by the server. */
  offline: z.object({ backlog: z.number().int().min(0), oldestAt: z.string().max(40).optional() }).optional(),
  /** The CSCA trust set it applied (trust-store.ts): the server's revision and what it counted. */
  trust: trustAppliedSchema.optional(),
});
export type AgentHeartbeat = z.infer<typeof agentHeartbeatSchema>;
