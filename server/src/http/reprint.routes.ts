/**
 * Reprint: a ticket whose print failed (or was lost) is printed again on a kiosk agent's printer —
 * the agent that issued it, or the one staff name (a counter's own agent). The printer's outcome
 * is recorded like any print, so a ticket counts as printed only when a printer confirmed it.
 */
import { z } from 'zod';
import {
  err,
  ok,
  printReportSchema,
  reprintRequestSchema,
  type PrintReport,
  type Result,
  type Ticket,
} from '@kiosk/protocol';
import type { Services } from '../services';
import type { ApiRegistry } from './api';
import { CALLERS } from '../access';

export type PrintOnAgent = (
  agentId: string,
  command: { ticketId: string; ticket: Ticket },
) => Promise<Result<PrintReport>>;

const ticketParams = z.object({ ticketId: z.string().min(1).max(64) });

export function registerReprintRoutes(api: ApiRegistry, s: Services, printOnAgent: PrintOnAgent): void {
  api.define(
    {
      method: 'GET',
      url: '/api/queue/tickets/:ticketId/printable',
      summary: "What a counter's own printer prints for a ticket (its number, room and QR code; masked name)",
      tag: 'queue',
      access: CALLERS,
      params: ticketParams,
    },
    async ({ params }) => {
      const printable = await s.queue.printable(params.ticketId);
      return printable.ok ? ok(printable.value.ticket) : printable;
    },
  );
  api.define(
    {
      method: 'POST',
      url: '/api/queue/tickets/:ticketId/reprint',
      summary: "Prints a ticket again on a kiosk agent's printer (default: the kiosk that issued it)",
      tag: 'queue',
      access: CALLERS,
      params: ticketParams,
      body: reprintRequestSchema,
      response: printReportSchema,
    },
    async ({ params, body, user }) => {
      const printable = await s.queue.printable(params.ticketId);
      if (!printable.ok) return printable;
      // A counter's registration (`counter:<user>`) was issued by no kiosk.
      const issuedBy = printable.value.issuedBy?.startsWith('counter:') ? null : printable.value.issuedBy;
      const agentId = body.agentId ?? issuedBy;
      if (!agentId) return err('no-kiosk-printer', 'this ticket was not issued by a kiosk: print it at a counter');
      const outcome = await printOnAgent(agentId, { ticketId: params.ticketId, ticket: printable.value.ticket });
      await s.auth.audit(user.username, 'ticket-reprint', params.ticketId);
      if (!outcome.ok) return outcome;
      await s.queue.recordPrint(params.ticketId, outcome.value.state, outcome.value.reason, agentId);
      return ok(outcome.value);
    },
  );
}
