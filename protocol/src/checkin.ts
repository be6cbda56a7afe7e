import { z } from 'zod';
import { identitySchema, identitySourceSchema } from './identity';
import { insuranceCheckSchema } from './kiosk-flow';
import { declaredPrioritySchema, ticketSchema } from './ticket';

/** The kiosk UI asks its agent to check the patient in. */
export const checkInRequestSchema = z.object({
  /** Client-generated; a retry with the same id returns the same ticket. */
  checkInId: z.string().uuid(),
  identity: identitySchema,
  serviceId: z.string().min(1).max(64),
  priorityClaims: z.array(declaredPrioritySchema).max(3).default([]),
  consent: z.literal(true),
  /**
   * The chip read this identity came from (`card:identified`'s readId). A hint only: the agent
   * replaces the identity with the one it read itself from that chip, and a page's `source: 'chip'`
   * that no read of the agent backs is recorded as 'manual'.
   */
  chipReadId: z.string().min(1).max(64).optional(),
});
export type CheckInRequest = z.infer<typeof checkInRequestSchema>;

/** Passive authentication of a chip identity as the server records it (kiosk-flow.ts `pa`, or not done). */
export const passiveAuthOutcomeSchema = z.enum(['verified', 'no-trust-anchor', 'failed', 'unavailable', 'not-checked']);
export type PassiveAuthOutcome = z.infer<typeof passiveAuthOutcomeSchema>;

/**
 * What the agent attests about the identity of a check-in it relays. The agent sets it; the kiosk
 * page cannot (its `checkin:submit` schema has no such field, so a page's copy is stripped).
 */
export const identityProvenanceSchema = z.object({
  /** 'chip' only for an identity the agent read from a chip itself in this session. */
  source: identitySourceSchema,
  readId: z.string().min(1).max(64).optional(),
  passiveAuth: passiveAuthOutcomeSchema.optional(),
  chipAuth: z.enum(['verified', 'not-supported', 'failed']).optional(),
  activeAuth: z.enum(['verified', 'not-supported', 'failed']).optional(),
  /** The page claimed more than the agent could attest (a chip identity without a chip read). */
  downgradedFrom: identitySourceSchema.optional(),
});
export type IdentityProvenance = z.infer<typeof identityProvenanceSchema>;

/** A check-in as an agent sends it to the server: the page's request and the agent's provenance. */
export const agentCheckInRequestSchema = checkInRequestSchema.extend({
  provenance: identityProvenanceSchema.optional(),
});
export type AgentCheckInRequest = z.infer<typeof agentCheckInRequestSchema>;

/** The server's answer to a check-in. */
export const checkInReceiptSchema = z.object({
  checkInId: z.string().uuid(),
  visitId: z.string(),
  ticketId: z.string(),
  ticket: ticketSchema,
  /** True when this receipt answers a retry of an earlier, already stored check-in. */
  replayed: z.boolean(),
  /** The BHYT eligibility verdict the ticket was issued under (when the site checks insurance). */
  insurance: insuranceCheckSchema.optional(),
});
export type CheckInReceipt = z.infer<typeof checkInReceiptSchema>;

/** What the kiosk UI gets back once the agent has also tried to print. */
export const checkInOutcomeSchema = z.object({
  receipt: checkInReceiptSchema,
  print: z.object({ state: z.enum(['confirmed', 'failed']), reason: z.string().optional() }),
  /** The kiosk issued the ticket itself (the server did not answer); it syncs when the server is back. */
  offline: z.boolean().optional(),
});
export type CheckInOutcome = z.infer<typeof checkInOutcomeSchema>;

export const printReportSchema = z.object({
  ticketId: z.string().min(1).max(64),
  state: z.enum(['confirmed', 'failed']),
  reason: z.string().max(200).optional(),
});
export type PrintReport = z.infer<typeof printReportSchema>;
