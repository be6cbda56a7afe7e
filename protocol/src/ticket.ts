import { z } from 'zod';
import { STATUS_URL_MAX_CHARS } from './ticket-qr';

export const priorityClassSchema = z.enum([
  'normal',
  'child-under-6',
  'elderly-75',
  'pregnant',
  'disability',
  'meritorious',
]);
export type PriorityClass = z.infer<typeof priorityClassSchema>;
export const declaredPrioritySchema = z.enum(['pregnant', 'disability', 'meritorious']);

/** What a printed or on-screen ticket shows. No unmasked personal data. */
export const ticketSchema = z.object({
  hospitalName: z.string().max(120),
  department: z.string().max(120),
  room: z.string().max(32),
  floor: z.number().int(),
  /** Display number, e.g. `A012`. */
  number: z.string().max(16),
  serviceType: z.enum(['insurance', 'fee-paying']),
  priority: priorityClassSchema,
  issuedAt: z.string().datetime({ offset: true }),
  /** Short code encoded in the ticket QR for look-up at the counter. */
  lookupCode: z.string().max(64),
  maskedName: z.string().max(120).optional(),
  footer: z.string().max(200).optional(),
  /** Issued by the kiosk from its lease while the server did not answer (printed with a discreet mark). */
  offline: z.boolean().optional(),
  /** The clinic chosen, in both languages (the screen and the ticket name it, not only the department). */
  serviceName: z.object({ vi: z.string().max(120), en: z.string().max(120) }).optional(),
  /** The department in both languages; `department` stays the Vietnamese name for older peers. */
  departmentName: z.object({ vi: z.string().max(120), en: z.string().max(120) }).optional(),
  /** Tickets of the same service waiting before this one when it was issued. */
  peopleAhead: z.number().int().nonnegative().optional(),
  /** The server's estimate of the wait when it was issued (people ahead × the service's pace), minutes. */
  estimatedWaitMinutes: z.number().int().nonnegative().optional(),
  /**
   * The ticket's public status page for the patient's phone (`<public URL>/t/<lookupCode>`), when the
   * server has a public URL: the QR carries it (else `TK:<lookupCode>`). Never stored with the receipt.
   */
  statusUrl: z
    .string()
    .max(STATUS_URL_MAX_CHARS)
    .regex(/^https?:\/\/[^\s/?#]+\/t\/[A-Za-z0-9]+$/u, 'expected <public URL>/t/<code>')
    .optional(),
});
export type Ticket = z.infer<typeof ticketSchema>;

export const ticketStatusSchema = z.enum(['waiting', 'called', 'skipped', 'no-show', 'completed', 'transferred']);
export type TicketStatus = z.infer<typeof ticketStatusSchema>;

/** A queue entry as staff screens see it. */
export const queueEntrySchema = z.object({
  ticketId: z.string(),
  number: z.string(),
  serviceId: z.string(),
  status: ticketStatusSchema,
  priority: priorityClassSchema,
  issuedAt: z.string(),
  /** Masked for staff lists; full names only on a deliberate, audited record read. */
  maskedName: z.string().optional(),
  /**
   * 'pending': a kiosk is printing it; 'printed' / 'failed': a printer reported; 'none': no printer
   * has it (issued at a counter or by a transfer) until staff print it on a counter's printer.
   */
  printStatus: z.enum(['pending', 'printed', 'failed', 'none']),
  /**
   * How the visit's identity was attested, as the visit records it: the source ('chip', 'cccd-qr',
   * 'bhyt-qr', 'manual') and the check ('verified', 'no-trust-anchor', 'failed', 'unavailable',
   * 'not-checked' for a chip the agent read; 'unattested' for a chip claim without its word;
   * 'claimed' otherwise; null on visits stored before checks were recorded).
   */
  identity: z.object({ source: z.string(), check: z.string().nullable() }).optional(),
});
export type QueueEntry = z.infer<typeof queueEntrySchema>;
