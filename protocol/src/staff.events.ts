/**
 * Staff pages ↔ server, namespace /staff (staff session: counters, viewers and admins). Facts are
 * `noun:past-tense`; commands are `noun:verb`, declared in a command table whose schemas validate
 * them on arrival and whose ack values type the event maps (socket-command.ts). Who may send each
 * command: `staffCommandAccess` in access.ts.
 */
import { z } from 'zod';
import { answers, type CommandEvents } from './socket-command';
import type { QueueEntry } from './ticket';
import {
  ticketCommandSchema,
  ticketHistoryQuerySchema,
  transferCommandSchema,
  type ServiceWait,
  type TransferResult,
  type VisitHistory,
} from './operations';
import { noPayloadSchema } from './no-payload';

export const queueQuerySchema = z.object({ serviceId: z.string().min(1).max(64).optional() });
export const callNextSchema = z.object({ serviceId: z.string().min(1).max(64), counter: z.string().min(1).max(32) });

export interface CalledTicket {
  ticketId: string;
  number: string;
  serviceId: string;
  room: string;
  counter: string;
  calledAt: string;
}

export const staffCommands = {
  'queue:list': answers<QueueEntry[]>()(queueQuerySchema),
  /** Estimated wait per service from the pace of recent calls. */
  'queue:estimate': answers<ServiceWait[]>()(noPayloadSchema),
  'queue:call-next': answers<CalledTicket | null>()(callNextSchema),
  /** Calls the same patient again (a called or skipped ticket); the display announces it again. */
  'queue:recall': answers<CalledTicket>()(ticketCommandSchema),
  /** The called patient did not come: 'skipped', or 'no-show' once the skip limit is reached. */
  'queue:skip': answers<QueueEntry>()(ticketCommandSchema),
  'queue:complete': answers<QueueEntry>()(ticketCommandSchema),
  'queue:transfer': answers<TransferResult>()(transferCommandSchema),
  /** The visit of a ticket: every ticket it had and every stored transition. */
  'visit:get-history': answers<VisitHistory>()(ticketHistoryQuerySchema),
} as const;
export type StaffToServerEvents = CommandEvents<typeof staffCommands>;

export interface ServerToStaffEvents {
  'ticket:issued': (entry: QueueEntry) => void;
  'ticket:changed': (entry: QueueEntry) => void;
}
