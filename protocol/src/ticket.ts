import { z } from 'zod';

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

/**
 * A public URL and a ticket's status URL at most: the screen's QR encoder and the printers' native
 * QR go up to 213 bytes (version 10, level M); a shorter payload keeps the QR's modules large.
 */
export const PUBLIC_URL_MAX_CHARS = 120;
export const STATUS_URL_MAX_CHARS = 200;

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

/** The ticket QR's payload where the server has no public URL (read by the counter's and the kiosk's scanners). */
export const TICKET_QR_PREFIX = 'TK:';

/**
 * What the ticket's QR carries, on screen and on paper: its status page's URL (a phone's camera
 * opens it), else `TK:<lookupCode>`.
 */
export const ticketQrPayload = (ticket: Pick<Ticket, 'lookupCode' | 'statusUrl'>): string =>
  ticket.statusUrl ?? `${TICKET_QR_PREFIX}${ticket.lookupCode}`;

/**
 * The server's public base URL for patients' phones as a canonical origin (`http(s)://host[:port]`,
 * lower-case host, no default port, no trailing slash), or undefined when the text is not one: a
 * path, query, fragment or credentials are refused, not dropped. Short enough that
 * `<origin>/t/<code>` stays within STATUS_URL_MAX_CHARS.
 */
export function publicBaseUrlOf(text: string): string | undefined {
  if (text.length > PUBLIC_URL_MAX_CHARS) return undefined;
  const m = PUBLIC_URL.exec(text);
  if (!m) return undefined;
  const scheme = (m[1] ?? '').toLowerCase();
  const host = (m[2] ?? '').toLowerCase();
  const port = m[3] === undefined ? undefined : Number(m[3]);
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  const defaultPort = scheme === 'https' ? 443 : 80;
  return `${scheme}://${host}${port === undefined || port === defaultPort ? '' : `:${port}`}`;
}
const PUBLIC_URL =
  /^(https?):\/\/([a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::(\d{1,5}))?\/?$/iu;

/** The status page's URL of a ticket under a public base URL (from publicBaseUrlOf). */
export const ticketStatusUrl = (publicUrl: string, lookupCode: string): string =>
  `${publicUrl}/t/${encodeURIComponent(lookupCode)}`;

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
});
export type QueueEntry = z.infer<typeof queueEntrySchema>;
