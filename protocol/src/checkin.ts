import { z } from 'zod';
import { identitySchema } from './identity';
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
});
export type CheckInRequest = z.infer<typeof checkInRequestSchema>;

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
