/**
 * Typed socket.io event maps: one file shared by every client and server, so the event names
 * and payloads cannot drift apart. Facts are `noun:past-tense`; commands are `noun:verb` and
 * take an ack carrying a Result. Every payload is validated on arrival with the schemas beside.
 */
import { z } from 'zod';
import type { Result } from './result';
import type { ClassifiedScan } from './scan';
import type { CheckInOutcome, CheckInReceipt, CheckInRequest, PrintReport } from './checkin';
import type { DeviceHealth, AgentHeartbeat } from './device';
import type { ServiceInfo } from './facility';
import type { QueueEntry } from './ticket';
import type {
  FleetAlert,
  ServiceWait,
  TicketCommand,
  TransferCommand,
  TransferResult,
  VisitHistory,
} from './operations';
import type {
  AgentFeatures,
  CardFace,
  CardFailure,
  CardIdentity,
  CardProgress,
  InsuranceCheck,
  InsuranceCheckRequest,
} from './kiosk-flow';

export type Ack<T> = (result: Result<T>) => void;

// ---- kiosk UI ↔ local device agent (127.0.0.1 only) -------------------------------------------

export interface AgentToKioskUiEvents {
  'scan:classified': (scan: ClassifiedScan) => void;
  'devices:changed': (devices: DeviceHealth[]) => void;
  'server-link:changed': (link: { connected: boolean; pending: number }) => void;
  /** Sent on connection: the optional steps this agent supports (kiosk-flow.ts). */
  'agent:features': (features: AgentFeatures) => void;
  /** A chip read in progress; `card:identity`, `card:face` and `card:failed` carry the same readId. */
  'card:progress': (progress: CardProgress) => void;
  'card:identity': (card: CardIdentity) => void;
  /** Screen only: the page drops it on session reset; the agent never stores it. */
  'card:face': (face: CardFace) => void;
  'card:failed': (failure: CardFailure) => void;
}
export interface KioskUiToAgentEvents {
  'services:list': (query: Record<string, never>, ack: Ack<ServiceInfo[]>) => void;
  'checkin:submit': (request: CheckInRequest, ack: Ack<CheckInOutcome>) => void;
  /** The patient left or the idle timer fired: the agent forgets the session. */
  'session:reset': (query: Record<string, never>, ack: Ack<null>) => void;
  /** BHYT eligibility for the identified patient, relayed to the server's insurance gateway adapter. */
  'insurance:check': (request: InsuranceCheckRequest, ack: Ack<InsuranceCheck>) => void;
}

// ---- device agent ↔ server (namespace /agent, device credential) ------------------------------

export interface AgentToServerEvents {
  'checkin:submit': (command: CheckInRequest, ack: Ack<CheckInReceipt>) => void;
  'services:list': (query: Record<string, never>, ack: Ack<ServiceInfo[]>) => void;
  'print:report': (report: PrintReport, ack: Ack<null>) => void;
  'heartbeat:send': (heartbeat: AgentHeartbeat, ack: Ack<null>) => void;
  'insurance:check': (request: InsuranceCheckRequest, ack: Ack<InsuranceCheck>) => void;
}
export interface ServerToAgentEvents {
  'services:changed': (services: ServiceInfo[]) => void;
}

// ---- staff pages ↔ server (namespace /staff, staff session) -----------------------------------

export const queueQuerySchema = z.object({ serviceId: z.string().min(1).max(64).optional() });
export const callNextSchema = z.object({ serviceId: z.string().min(1).max(64), counter: z.string().min(1).max(32) });
export const ticketActionSchema = z.object({
  ticketId: z.string().min(1).max(64),
  counter: z.string().min(1).max(32).optional(),
});

export interface CalledTicket {
  ticketId: string;
  number: string;
  serviceId: string;
  room: string;
  counter: string;
  calledAt: string;
}

export interface StaffToServerEvents {
  'queue:list': (query: z.infer<typeof queueQuerySchema>, ack: Ack<QueueEntry[]>) => void;
  'queue:call-next': (command: z.infer<typeof callNextSchema>, ack: Ack<CalledTicket | null>) => void;
}
export interface ServerToStaffEvents {
  'ticket:issued': (entry: QueueEntry) => void;
  'ticket:changed': (entry: QueueEntry) => void;
}

// ---- public display (namespace /display; carries no personal data) ----------------------------

export interface ServerToDisplayEvents {
  'call:announced': (call: CalledTicket) => void;
  'board:snapshot': (calls: CalledTicket[]) => void;
}
export type DisplayToServerEvents = Record<string, never>;

// ---- simulator control (device agent, loopback, refused in production) ------------------------

export const simScanSchema = z.object({ payload: z.string().max(4096), scannerId: z.string().max(64).optional() });
export const simPrinterFaultSchema = z.object({
  printerId: z.string().max(64).optional(),
  fault: z.enum(['none', 'paper-near-end', 'paper-out', 'cover-open', 'offline']),
});

export interface SimToAgentEvents {
  'sim:scan': (command: z.infer<typeof simScanSchema>, ack: Ack<null>) => void;
  'sim:printer-fault': (command: z.infer<typeof simPrinterFaultSchema>, ack: Ack<null>) => void;
  'sim:printed': (query: Record<string, never>, ack: Ack<{ jobs: { text: string[]; bytes: number }[] }>) => void;
}
export type AgentToSimEvents = Record<string, never>;

// ---- additions: queue transitions, fleet alerts (merged into the maps above) ------------------
export interface StaffToServerEvents {
  /** Calls the same patient again (a called or skipped ticket); the display announces it again. */
  'queue:recall': (command: TicketCommand, ack: Ack<CalledTicket>) => void;
  /** The called patient did not come: 'skipped', or 'no-show' once the skip limit is reached. */
  'queue:skip': (command: TicketCommand, ack: Ack<QueueEntry>) => void;
  'queue:complete': (command: TicketCommand, ack: Ack<QueueEntry>) => void;
  'queue:transfer': (command: TransferCommand, ack: Ack<TransferResult>) => void;
  'queue:estimates': (query: Record<string, never>, ack: Ack<ServiceWait[]>) => void;
  'visit:history': (query: { ticketId: string }, ack: Ack<VisitHistory>) => void;
  /** Admins only. */
  'alerts:list': (query: { includeResolved?: boolean }, ack: Ack<FleetAlert[]>) => void;
}
export interface ServerToStaffEvents {
  /** Sent to admins when an alert is raised or resolved. */
  'alert:changed': (alert: FleetAlert) => void;
}
/** Sent to an agent just before the server disconnects it for a revoked credential. */
export interface ServerToAgentEvents {
  'credential:revoked': (info: { agentId: string }) => void;
}
