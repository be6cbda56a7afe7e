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
import { ticketSchema, type QueueEntry } from './ticket';
import type {
  FleetAlert,
  ServiceWait,
  TicketCommand,
  TransferCommand,
  TransferResult,
  VisitHistory,
} from './operations';
import { cardAuthenticitySchema, simCardSchema } from './kiosk-flow';
import type {
  AgentFeatures,
  CardFace,
  CardFailure,
  CardIdentity,
  CardPresent,
  CardProgress,
  CardReadCommand,
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
  /**
   * A card was placed; nothing is read until the page sends `card:read` with the patient's consent.
   * A card removed before that ends the presentation with `card:failed` 'card-removed'.
   */
  'card:present': (card: CardPresent) => void;
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
  /**
   * A code typed by a keyboard-wedge scanner (detected in the page with KeyboardWedgeDetector):
   * the agent classifies it like any scan and answers, and emits `scan:classified`.
   */
  'scan:submit': (command: z.infer<typeof scanSubmitSchema>, ack: Ack<ClassifiedScan>) => void;
  /**
   * A counter page prints a ticket the server issued on its own agent's printer; the agent reports
   * the outcome to the server (a ticket counts as printed only when confirmed).
   */
  'ticket:print': (command: z.infer<typeof ticketPrintCommandSchema>, ack: Ack<PrintReport>) => void;
}

export const scanSubmitSchema = z.object({ payload: z.string().min(1).max(4096) });

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
  /** Staff asked for a ticket to be printed (again) on this agent's printer: the ack is the print outcome. */
  'ticket:print': (command: z.infer<typeof ticketPrintCommandSchema>, ack: Ack<PrintReport>) => void;
}

export const ticketPrintCommandSchema = z.object({ ticketId: z.string().min(1).max(64), ticket: ticketSchema });
export const reprintRequestSchema = z.object({
  /** The agent whose printer prints (a counter's own kiosk agent); default: the kiosk that issued it. */
  agentId: z.string().min(1).max(64).optional(),
});

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

// ---- admin page ↔ server (namespace /admin, staff session with role admin) -------------------

/** Open alerts only, unless `includeResolved` (GET /api/admin/alerts takes the same from its query string). */
export const alertListSchema = z.object({ includeResolved: z.boolean().optional() });

export interface AdminToServerEvents {
  'alerts:list': (query: z.infer<typeof alertListSchema>, ack: Ack<FleetAlert[]>) => void;
}
export interface ServerToAdminEvents {
  /** An alert was raised or resolved. */
  'alert:changed': (alert: FleetAlert) => void;
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

// ---- additions: queue transitions, credential revocation (merged into the maps above) ---------
export interface StaffToServerEvents {
  /** Calls the same patient again (a called or skipped ticket); the display announces it again. */
  'queue:recall': (command: TicketCommand, ack: Ack<CalledTicket>) => void;
  /** The called patient did not come: 'skipped', or 'no-show' once the skip limit is reached. */
  'queue:skip': (command: TicketCommand, ack: Ack<QueueEntry>) => void;
  'queue:complete': (command: TicketCommand, ack: Ack<QueueEntry>) => void;
  'queue:transfer': (command: TransferCommand, ack: Ack<TransferResult>) => void;
  'queue:estimates': (query: Record<string, never>, ack: Ack<ServiceWait[]>) => void;
  'visit:history': (query: { ticketId: string }, ack: Ack<VisitHistory>) => void;
}
/** Sent to an agent just before the server disconnects it for a revoked credential. */
export interface ServerToAgentEvents {
  'credential:revoked': (info: { agentId: string }) => void;
}

// ---- additions: chip reading through the kiosk gateway, simulator device controls --------------

/** Passive authentication of a read whose `card:identity` was already sent (that one said 'not-checked'). */
export const cardAuthenticityEventSchema = z.object({
  readId: z.string().min(1).max(64),
  authenticity: cardAuthenticitySchema,
});
export type CardAuthenticityEvent = z.infer<typeof cardAuthenticityEventSchema>;

const mrzDateSchema = z.string().regex(/^\d{6}$/u, 'expected YYMMDD');
const isoDateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/u, 'expected YYYY-MM-DD');

/**
 * What opens the chip when no CCCD QR was scanned: typed by staff. The MRZ text itself; the MRZ's
 * document number + birth + expiry dates; or a 12-digit CCCD number + birth date + expiry date
 * (or the issue date, from which the expiry milestones are derived). Lives for the session only.
 */
export const cardKeyCommandSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('mrz'), mrz: z.string().min(30).max(100) }),
  z.object({
    kind: z.literal('document'),
    documentNumber: z.string().regex(/^[0-9A-Z<]{1,9}$/u, 'expected up to 9 MRZ characters'),
    dateOfBirth: mrzDateSchema,
    dateOfExpiry: mrzDateSchema,
  }),
  z.object({
    kind: z.literal('cccd'),
    idNumber: z.string().regex(/^\d{12}$/u, 'expected 12 digits'),
    dateOfBirth: z.union([isoDateSchema, mrzDateSchema]),
    dateOfExpiry: z.union([isoDateSchema, mrzDateSchema]).optional(),
    issueDate: isoDateSchema.optional(),
  }),
]);
export type CardKeyCommand = z.infer<typeof cardKeyCommandSchema>;

export const printerTestSchema = z.object({ printerId: z.string().max(128).optional() });

export interface AgentToKioskUiEvents {
  'card:authenticity': (event: CardAuthenticityEvent) => void;
}
export interface KioskUiToAgentEvents {
  /**
   * The patient agreed to the privacy notice shown on `card:present`: the agent reads that card
   * now (`card:progress` …). Refused without `consent: true` or when the card has gone.
   */
  'card:read': (command: CardReadCommand, ack: Ack<null>) => void;
  /**
   * Staff typed the MRZ or ID: a card the patient consented to and that waits for a key is read
   * now, and it opens the next one (which still needs the patient's consent).
   */
  'card:set-key': (command: CardKeyCommand, ack: Ack<null>) => void;
  /** Prints a test ticket on a printer (the first one by default). */
  'printer:test': (
    command: z.infer<typeof printerTestSchema>,
    ack: Ack<{ state: 'confirmed' | 'failed'; reason?: string }>,
  ) => void;
}

/** A simulated card on the simulated reader, with link and fault settings (tests, developer panel). */
export const simCardCommandSchema = simCardSchema.extend({
  /** Faults counted in APDUs from the insertion (1-based), as SimulatedApduTransport applies them. */
  faults: z
    .object({
      removeCardAfterApdus: z.number().int().min(0).max(100_000),
      wrongMacAtApdu: z.number().int().min(1).max(100_000),
      statusAtApdu: z.object({ apdu: z.number().int().min(1).max(100_000), sw: z.number().int().min(0).max(0xffff) }),
      truncateResponseAtApdu: z.number().int().min(1).max(100_000),
    })
    .partial()
    .default({}),
  link: z
    .object({
      bitRateKbps: z.union([z.literal(0), z.literal(106), z.literal(212), z.literal(424), z.literal(848)]),
      perApduLatencyMs: z.number().min(0).max(1000),
    })
    .partial()
    .optional(),
  /**
   * The simulated kiosk also reads the card's printed MRZ (as an MRZ camera would) and offers it
   * when the session has no key from a QR or staff. False: only the session's key opens the chip.
   */
  printedMrz: z.boolean().default(true),
  faceBytes: z.number().int().min(1000).max(60_000).optional(),
});
export type SimCardCommandInput = z.input<typeof simCardCommandSchema>;

const simTarget = {
  deviceId: z.string().max(128).optional(),
  class: z.enum(['printer', 'scanner', 'card-reader']).optional(),
};
export const simDeviceCommandSchema = z.object({ ...simTarget, action: z.enum(['unplug', 'replug']) });
/** Link speed (0 = instantaneous) and/or a burst of random bytes from the device. */
export const simLinkCommandSchema = z.object({
  ...simTarget,
  baudRate: z.number().int().min(0).max(1_000_000).optional(),
  garbageBytes: z.number().int().min(1).max(4096).optional(),
});

export interface SimDeviceState {
  id: string;
  class: 'printer' | 'scanner' | 'card-reader';
  plugged: boolean;
  /** Byte links: bits per second, 0 = instantaneous. Card reader: ISO 14443 kbit/s. */
  speed: number;
  cardPresent?: boolean;
}

export interface SimToAgentEvents {
  'sim:card': (command: SimCardCommandInput, ack: Ack<null>) => void;
  'sim:device': (command: z.input<typeof simDeviceCommandSchema>, ack: Ack<null>) => void;
  'sim:link': (command: z.input<typeof simLinkCommandSchema>, ack: Ack<null>) => void;
  'sim:state': (query: Record<string, never>, ack: Ack<{ devices: SimDeviceState[] }>) => void;
}
