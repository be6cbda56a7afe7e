/**
 * /ticket-status: the ticket's public status page, open to anyone holding a code (no credential).
 * `status:watch` answers the status and puts the socket in its service's room; every change of
 * that service's queue (a call, a new ticket, a skip …) re-reads the line once and sends each
 * watching socket its new status, on every server instance (the instance that made the change
 * tells the others with a server-side event; each answers its own sockets). The other instances
 * are told once per `TELL_OTHERS_MS` with every service changed meanwhile, not once per change:
 * each server-side event is a NOTIFY that every instance receives and parses, and at hundreds of
 * check-ins a second one per check-in doubled the cross-instance traffic. A visit that ends
 * sends `status:expired`. The commands are served from `ticketStatusCommands` with the per-socket
 * and per-address limits; unknown codes also count against the address's guess budget.
 */
import type { Namespace, Server, Socket } from 'socket.io';
import {
  ok,
  serveCommands,
  ticketStatusCommands,
  type ServerToTicketStatusEvents,
  type TicketPublicStatus,
  type TicketStatusToServerEvents,
} from '@kiosk/protocol';
import type { Services } from '../services';
import type { Logger } from '../logger';
import { commandOptions, type SocketLimits } from './namespace.support';

interface StatusServerSideEvents {
  'status:services-changed': (serviceIds: string[]) => void;
}
interface StatusSocketData {
  watch?: { code: string; ticketId: string; serviceId: string };
}
type StatusSocket = Socket<
  TicketStatusToServerEvents,
  ServerToTicketStatusEvents,
  StatusServerSideEvents,
  StatusSocketData
>;

const serviceRoom = (serviceId: string) => `status-service:${serviceId}`;

/** How long changes gather before the other instances are told of them (the phone's page lags that much more). */
export const TELL_OTHERS_MS = 50;

const publicOf = <T extends TicketPublicStatus>(s: T): TicketPublicStatus => {
  const { ticketId: _t, serviceId: _s, ...rest } = s as T & { ticketId?: string; serviceId?: string };
  return rest;
};

export function attachTicketStatusNamespace(
  io: Server,
  s: Services,
  log: Logger,
  limits: SocketLimits,
  /** Other server instances share the events (PostgreSQL adapter); alone, nothing to tell. */
  fannedOut: boolean,
) {
  const ns = io.of('/ticket-status') as unknown as Namespace<
    TicketStatusToServerEvents,
    ServerToTicketStatusEvents,
    StatusServerSideEvents,
    StatusSocketData
  >;

  const watch = (socket: StatusSocket, w: NonNullable<StatusSocketData['watch']>) => {
    const before = socket.data.watch;
    if (before && before.serviceId !== w.serviceId) void socket.leave(serviceRoom(before.serviceId));
    socket.data.watch = w;
    void socket.join(serviceRoom(w.serviceId));
  };

  /** Services being re-read now, and those changed again meanwhile (read once more after). */
  const running = new Set<string>();
  const again = new Set<string>();
  const refreshLocal = async (serviceId: string): Promise<void> => {
    if (running.has(serviceId)) {
      again.add(serviceId);
      return;
    }
    running.add(serviceId);
    try {
      do {
        again.delete(serviceId);
        const ids = ns.adapter.rooms.get(serviceRoom(serviceId));
        if (!ids || ids.size === 0) break;
        const sockets = [...ids].map((id) => ns.sockets.get(id)).filter((x): x is StatusSocket => !!x?.data.watch);
        const watched = sockets.map((x) => x.data.watch as NonNullable<StatusSocketData['watch']>);
        const statuses = await s.ticketStatus.statusesOf(watched);
        for (const socket of sockets) {
          const w = socket.data.watch;
          const r = w ? statuses.get(w.code) : undefined;
          if (!w || !r) continue;
          if (!r.ok) {
            socket.emit('status:expired', { code: w.code });
            void socket.leave(serviceRoom(w.serviceId));
            delete socket.data.watch;
            continue;
          }
          if (r.value.ticketId !== w.ticketId || r.value.serviceId !== w.serviceId)
            watch(socket, { code: w.code, ticketId: r.value.ticketId, serviceId: r.value.serviceId });
          socket.emit('status:changed', publicOf(r.value));
        }
      } while (again.has(serviceId));
    } finally {
      running.delete(serviceId);
    }
  };
  const refresh = (serviceId: string) =>
    void refreshLocal(serviceId).catch((e: unknown) => log.warn({ err: String(e) }, 'ticket status refresh failed'));
  ns.on('status:services-changed', (serviceIds) => {
    // Another instance's word, unchecked by any schema: only a list of service ids is acted on.
    if (!Array.isArray(serviceIds)) return;
    for (const id of serviceIds) if (typeof id === 'string') refresh(id);
  });

  /** Services changed here that the other instances have not yet been told of. */
  const untold = new Set<string>();
  let telling: NodeJS.Timeout | undefined;
  const tellOthers = (serviceId: string) => {
    untold.add(serviceId);
    telling ??= setTimeout(() => {
      telling = undefined;
      const ids = [...untold];
      untold.clear();
      ns.serverSideEmit('status:services-changed', ids);
    }, TELL_OTHERS_MS).unref();
  };

  ns.on('connection', (socket) => {
    const address = socket.handshake.address;
    serveCommands(
      socket,
      ticketStatusCommands,
      {
        'status:watch': async ({ code }) => {
          const r = await s.ticketStatus.lookup(code, address);
          if (!r.ok) return r;
          watch(socket, { code, ticketId: r.value.ticketId, serviceId: r.value.serviceId });
          return ok(publicOf(r.value));
        },
        'notify:subscribe': (req) => s.ticketStatus.subscribe(req, address),
        'notify:unsubscribe': ({ code }) => s.ticketStatus.unsubscribe(code, address),
      },
      commandOptions(log, limits.forSocket('/ticket-status', `address ${address}`, socket)),
    );
  });

  return {
    /** A service's queue changed here: every instance re-reads it for the sockets watching it. */
    serviceChanged(serviceId: string): void {
      refresh(serviceId);
      if (fannedOut) tellOthers(serviceId);
    },
  };
}
