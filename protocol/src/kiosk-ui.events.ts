/**
 * Kiosk UI ↔ local device agent (127.0.0.1 only). Facts are `noun:past-tense`; commands are
 * `noun:verb`, declared in a command table whose schemas validate them on arrival and whose ack
 * values type the event maps (socket-command.ts). The kiosk page imports these types only, so
 * no schema reaches its bundle.
 */
import { z } from 'zod';
import { answers, type CommandEvents } from './socket-command';
import { checkInRequestSchema, type CheckInOutcome, type PrintReport } from './checkin';
import type { DeviceHealth } from './device';
import type { ServiceInfo } from './facility';
import type { ClassifiedScan } from './scan';
import {
  cardAuthenticitySchema,
  cardReadCommandSchema,
  insuranceCheckRequestSchema,
  type AgentFeatures,
  type CardFace,
  type CardFailure,
  type CardIdentity,
  type CardPresent,
  type CardProgress,
  type InsuranceCheck,
} from './kiosk-flow';
import { paymentRefSchema, ticketPrintCommandSchema } from './agent.events';
import {
  paymentQuoteRequestSchema,
  paymentStartRequestSchema,
  type CardPaymentOutcome,
  type PaymentIntent,
  type PaymentQuote,
  type PaymentUpdate,
} from './payment';
import { appointmentCheckInRequestSchema, appointmentLookupSchema, type Appointment } from './appointment';
import { noPayloadSchema } from './no-payload';
import { ticketStatusRequestSchema, type TicketPublicStatus } from './ticket-status';

/** Passive authentication of a read whose `card:identified` was already sent (that one said 'not-checked'). */
export const cardAuthenticityEventSchema = z.object({
  readId: z.string().min(1).max(64),
  authenticity: cardAuthenticitySchema,
});
export type CardAuthenticityEvent = z.infer<typeof cardAuthenticityEventSchema>;

const mrzDateSchema = z.string().regex(/^\d{6}$/u, 'expected YYMMDD');
const isoDateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/u, 'expected YYYY-MM-DD');

/**
 * What opens the chip when no CCCD QR was scanned: typed by staff. The MRZ text itself; the MRZ's
 * document number + birth + expiry dates; a 12-digit CCCD number + birth date + expiry date (or
 * the issue date, or neither: the agent then derives the expiry milestones from the birth date
 * and today; the ID's last 6 digits serve as the PACE CAN); or a 6-digit card access number
 * (PACE only). Lives for the session only.
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
  z.object({ kind: z.literal('can'), can: z.string().regex(/^\d{6}$/u, 'expected 6 digits') }),
]);
export type CardKeyCommand = z.infer<typeof cardKeyCommandSchema>;

export const scanSubmitSchema = z.object({ payload: z.string().min(1).max(4096) });
export const printerTestSchema = z.object({ printerId: z.string().max(128).optional() });
export interface PrinterTestOutcome {
  state: 'confirmed' | 'failed';
  reason?: string;
}

/** Facts the agent tells its kiosk page. */
export interface AgentToKioskUiEvents {
  'scan:classified': (scan: ClassifiedScan) => void;
  'devices:changed': (devices: DeviceHealth[]) => void;
  /** `offlineBacklog`: check-ins issued offline that the server has not yet stored. */
  'server-link:changed': (link: { connected: boolean; pending: number; offlineBacklog?: number }) => void;
  /** Sent on connection: the optional steps this agent supports (kiosk-flow.ts). */
  'features:announced': (features: AgentFeatures) => void;
  /**
   * A card was placed; nothing is read until the page sends `card:read` with the patient's consent.
   * A card removed before that ends the presentation with `card:failed` 'card-removed'.
   */
  'card:presented': (card: CardPresent) => void;
  /** A chip read moved on; `card:identified`, `card:face-read`, `card:verified` and `card:failed` carry the same readId. */
  'card:progressed': (progress: CardProgress) => void;
  'card:identified': (card: CardIdentity) => void;
  /** Screen only: the page drops it on session reset; the agent never stores it. */
  'card:face-read': (face: CardFace) => void;
  /** Passive authentication finished for a read already identified (valid or not: see `authenticity`). */
  'card:verified': (event: CardAuthenticityEvent) => void;
  'card:failed': (failure: CardFailure) => void;
  /** The identification session needs the patient: a QR to open the card, or a fresh start. */
  'identification:changed': (state: IdentificationState) => void;
  /** A payment this kiosk started changed state (the bank confirmed it, it expired → cashier). */
  'payment:updated': (update: PaymentUpdate) => void;
}

/**
 * Where the identification session stands when the page must act on it. The QR on the front of
 * the CCCD and the card on the reader are two halves of one act, in either order:
 * - 'need-qr': a card lies on the reader and nothing opens its chip (a plain reader has no MRZ
 *   optics): the patient scans the QR on the front of the card; the agent then reads the chip
 *   (same readId) with the consent already given;
 * - 'start-over': the QR and the card are not the same person's ('qr-other-person'), or a second
 *   card of another person was placed ('other-card'): the agent forgot both; the page starts over
 *   and says why.
 */
export interface IdentificationState {
  state: 'need-qr' | 'start-over';
  readId?: string;
  reason?: 'no-key' | 'qr-other-person' | 'other-card';
}

/** What the kiosk page asks of its agent. */
export const kioskUiCommands = {
  'services:list': answers<ServiceInfo[]>()(noPayloadSchema),
  'checkin:submit': answers<CheckInOutcome>()(checkInRequestSchema),
  /** The patient left or the idle timer fired: the agent forgets the session. */
  'session:reset': answers<null>()(noPayloadSchema),
  /** BHYT eligibility for the identified patient, relayed to the server's insurance gateway adapter. */
  'insurance:check': answers<InsuranceCheck>()(insuranceCheckRequestSchema),
  /**
   * A code typed by a keyboard-wedge scanner (detected in the page with KeyboardWedgeDetector):
   * the agent classifies it like any scan and answers, and emits `scan:classified`.
   */
  'scan:submit': answers<ClassifiedScan>()(scanSubmitSchema),
  /**
   * A counter page prints a ticket the server issued on its own agent's printer; the agent reports
   * the outcome to the server (a ticket counts as printed only when confirmed).
   */
  'ticket:print': answers<PrintReport>()(ticketPrintCommandSchema),
  /**
   * The patient agreed to the privacy notice shown on `card:presented`: the agent reads that card
   * now (`card:progressed` …). Refused without `consent: true` or when the card has gone.
   */
  'card:read': answers<null>()(cardReadCommandSchema),
  /**
   * Staff typed the MRZ or ID: a card the patient consented to and that waits for a key is read
   * now, and it opens the next one (which still needs the patient's consent).
   */
  'card:set-key': answers<null>()(cardKeyCommandSchema),
  /** Prints a test ticket on a printer (the first one by default). */
  'printer:test': answers<PrinterTestOutcome>()(printerTestSchema),
  /** The fee for a service and patient class, shown before the ticket (0: nothing to pay). */
  'payment:quote': answers<PaymentQuote>()(paymentQuoteRequestSchema),
  /** A payment with its VietQR; `payment:updated` tells when the bank confirms it. */
  'payment:start': answers<PaymentIntent>()(paymentStartRequestSchema),
  /** The patient chose the cashier or left. */
  'payment:cancel': answers<PaymentIntent>()(paymentRefSchema),
  /** Pays by the kiosk's card terminal: a card intent, the SALE, the server marks it paid. */
  'payment:card': answers<CardPaymentOutcome>()(paymentStartRequestSchema),
  /** Prints the receipt of a paid payment (the agent asks the server that it is paid). */
  'payment:print-receipt': answers<PrintReport>()(paymentRefSchema),
  /** Prints the VietQR of a pending payment on a slip. */
  'payment:print-qr': answers<PrintReport>()(paymentRefSchema),
  /** Today's appointments for a booking QR, a booking code or the identified patient. */
  'appointment:find': answers<Appointment[]>()(appointmentLookupSchema),
  /** One tap: checks in for the appointment; the agent prints its ticket like any check-in. */
  'appointment:check-in': answers<CheckInOutcome & { appointment: Appointment }>()(appointmentCheckInRequestSchema),
  /** The status of a ticket whose QR was scanned here, asked of the server (no name, no ID). */
  'ticket:status': answers<TicketPublicStatus>()(ticketStatusRequestSchema),
} as const;
export type KioskUiToAgentEvents = CommandEvents<typeof kioskUiCommands>;
