/**
 * Device agent ↔ server, namespace /agent (device credential). Facts are `noun:past-tense`;
 * commands are `noun:verb`, declared in a command table whose schemas validate them on arrival
 * and whose ack values type the event maps (socket-command.ts).
 */
import { z } from 'zod';
import { answers, type CommandEvents } from './socket-command';
import { agentCheckInRequestSchema, printReportSchema, type CheckInReceipt, type PrintReport } from './checkin';
import { agentHeartbeatSchema } from './device';
import type { ServiceInfo } from './facility';
import { insuranceCheckRequestSchema, type InsuranceCheck } from './kiosk-flow';
import { ticketSchema } from './ticket';
import { noPayloadSchema } from './no-payload';
import { trustSetSchema, type TrustApplied } from './trust-store';
import { ticketStatusRequestSchema, type TicketPublicStatus } from './ticket-status';
import { leaseRequestSchema, replayBatchSchema, type OfflineLease, type ReplayOutcome } from './offline';
import { appointmentCheckInRequestSchema, appointmentLookupSchema, type Appointment } from './appointment';
import {
  paymentQuoteRequestSchema,
  paymentStartRequestSchema,
  cardPaymentReportSchema,
  type PaymentIntent,
  type PaymentQuote,
  type PaymentUpdate,
} from './payment';
import {
  agentRestartCommandSchema,
  configApplyCommandSchema,
  rolloutReportSchema,
  softwareUpdateCommandSchema,
  type AgentDiagnostics,
  type ConfigApplyReport,
} from './fleet-management';

/** Names one payment the agent started. */
export const paymentRefSchema = z.object({ paymentId: z.string().uuid() });

/** Print this issued ticket on the agent's printer; the ack is the print outcome. */
export const ticketPrintCommandSchema = z.object({ ticketId: z.string().min(1).max(64), ticket: ticketSchema });
export type TicketPrintCommand = z.infer<typeof ticketPrintCommandSchema>;

export const reprintRequestSchema = z.object({
  /** The agent whose printer prints (a counter's own kiosk agent); default: the kiosk that issued it. */
  agentId: z.string().min(1).max(64).optional(),
});

/** What an agent asks of the server. */
export const agentCommands = {
  'checkin:submit': answers<CheckInReceipt>()(agentCheckInRequestSchema),
  'services:list': answers<ServiceInfo[]>()(noPayloadSchema),
  'print:report': answers<null>()(printReportSchema),
  'heartbeat:send': answers<null>()(agentHeartbeatSchema),
  /** BHYT eligibility through the server's insurance gateway adapter (its credentials stay there). */
  'insurance:check': answers<InsuranceCheck>()(insuranceCheckRequestSchema),
  /** The fee for a service and patient class (0: nothing to pay). */
  'payment:quote': answers<PaymentQuote>()(paymentQuoteRequestSchema),
  /** A payment intent with its VietQR; a retry with the same id returns it again. */
  'payment:start': answers<PaymentIntent>()(paymentStartRequestSchema),
  'payment:status': answers<PaymentIntent>()(paymentRefSchema),
  /** The patient chose the cashier or left: a pending payment is cancelled. */
  'payment:cancel': answers<PaymentIntent>()(paymentRefSchema),
  /** The card terminal approved a card payment: the server marks it paid once (terminal id + RRN). */
  'payment:card-approved': answers<PaymentIntent>()(cardPaymentReportSchema),
  /** Today's appointments for a booking QR, a booking code or an identity. */
  'appointment:find': answers<Appointment[]>()(appointmentLookupSchema),
  /** One tap: check in for a found appointment (a ticket to its service, the appointment arrived). */
  'appointment:check-in': answers<{ receipt: CheckInReceipt; appointment: Appointment }>()(
    appointmentCheckInRequestSchema,
  ),
  /** A step of a software rollout on this kiosk (downloading, refused, staged, adopted, rolled back). */
  'rollout:report': answers<null>()(rolloutReportSchema),
  /** Leases of numbers for offline check-in: every lease of this kiosk for today, new blocks included. */
  'lease:take': answers<OfflineLease[]>()(leaseRequestSchema),
  /** Check-ins the kiosk issued offline, in issue order; idempotent on each check-in id. */
  'checkin:replay': answers<ReplayOutcome[]>()(replayBatchSchema),
  /**
   * A ticket's public status for a code scanned at the kiosk (the phone page's answer; unknown
   * codes count against this kiosk's guess budget).
   */
  'ticket:status': answers<TicketPublicStatus>()(ticketStatusRequestSchema),
} as const;
export type AgentToServerEvents = CommandEvents<typeof agentCommands>;

/** What the server asks of one agent. */
export const serverToAgentCommands = {
  /** Staff asked for a ticket to be printed (again) on this agent's printer: the ack is the print outcome. */
  'ticket:print': answers<PrintReport>()(ticketPrintCommandSchema),
  /** Acknowledge, then exit with the restart code: the launcher (or systemd) starts the agent again. */
  'agent:restart': answers<{ exitCode: number }>()(agentRestartCommandSchema),
  /** Apply a configuration revision; the ack says exactly what was applied and what refused. */
  'config:apply': answers<ConfigApplyReport>()(configApplyCommandSchema),
  /** `kiosk-agent doctor`, device states and the last device errors (no screen, no personal data). */
  'diagnostics:collect': answers<AgentDiagnostics>()(noPayloadSchema),
  /** Download, verify and stage a signed bundle; accepted at once, progress comes as `rollout:report`. */
  'software:update': answers<{ accepted: true }>()(softwareUpdateCommandSchema),
  /** The CSCA trust set (on connect and on every change); the ack says what the agent applied. */
  'trust:apply': answers<TrustApplied>()(trustSetSchema),
} as const;

/** Facts the server tells agents. */
export interface ServerToAgentFacts {
  'services:changed': (services: ServiceInfo[]) => void;
  /** Sent to an agent just before the server disconnects it for a revoked credential. */
  'credential:revoked': (info: { agentId: string }) => void;
  /** A payment this agent started changed state (paid by the bank, expired → cashier, refunded). */
  'payment:updated': (update: PaymentUpdate) => void;
}
export type ServerToAgentEvents = ServerToAgentFacts & CommandEvents<typeof serverToAgentCommands>;
