/** /staff: counters, viewers and admins (staff session). Queue commands; ticket facts to every staff page. */
import type { Namespace, Server } from 'socket.io';
import {
  ok,
  staffCommands,
  type QueueEntry,
  type ServerToStaffEvents,
  type StaffToServerEvents,
} from '@kiosk/protocol';
import type { Services } from '../services';
import { STAFF, staffCommandRoles } from '../access';
import type { Logger } from '../logger';
import { admitSession, serveSessionCommands, type SessionData, type SocketLimits } from './namespace.support';

export function attachStaffNamespace(io: Server, s: Services, log: Logger, limits: SocketLimits) {
  const staff = io.of('/staff') as unknown as Namespace<
    StaffToServerEvents,
    ServerToStaffEvents,
    Record<string, never>,
    SessionData
  >;
  staff.use(admitSession(s, STAFF));
  staff.on('connection', (socket) => {
    const actor = socket.data.user.username;
    serveSessionCommands(s, log, limits, '/staff', socket, staffCommands, staffCommandRoles, {
      'queue:list': async (q) => ok(await s.queue.list(q.serviceId)),
      'queue:estimate': async () => ok(await s.queue.estimates()),
      'queue:call-next': async (c) => ok(await s.queue.callNext(c.serviceId, c.counter, actor)),
      'queue:recall': (c) => s.queue.recall(c.ticketId, c.counter, actor),
      'queue:skip': (c) => s.queue.skip(c.ticketId, actor),
      'queue:complete': (c) => s.queue.complete(c.ticketId, actor),
      'queue:transfer': (c) => s.queue.transfer(c.ticketId, c.targetServiceId, c.keepPriority, actor),
      'visit:get-history': (q) => s.queue.historyOfTicket(q.ticketId),
    });
  });
  return {
    ticketIssued: (entry: QueueEntry) => staff.emit('ticket:issued', entry),
    ticketChanged: (entry: QueueEntry) => staff.emit('ticket:changed', entry),
  };
}
