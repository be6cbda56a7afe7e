/**
 * socket.io namespaces: /agent (device credential), /staff (staff session: counters, viewers and
 * admins), /admin (staff session of an admin: fleet alerts), /display (public, numbers and rooms
 * only). Every inbound payload is validated; acks carry a Result.
 */
import type { Server as HttpServer } from 'node:http';
import { Server, type Namespace, type ServerOptions, type Socket } from 'socket.io';
import {
  checkInRequestSchema,
  callNextSchema,
  err,
  ok,
  parseWith,
  printReportSchema,
  queueQuerySchema,
  agentHeartbeatSchema,
  ticketCommandSchema,
  ticketHistoryQuerySchema,
  transferCommandSchema,
  type AdminToServerEvents,
  type AgentToServerEvents,
  type Ack,
  type CalledTicket,
  type DisplayToServerEvents,
  type QueueEntry,
  type ServerToAdminEvents,
  type ServerToAgentEvents,
  type ServerToDisplayEvents,
  type ServerToStaffEvents,
  type StaffToServerEvents,
  type Result,
  type ServiceInfo,
  type FleetAlert,
  alertListSchema,
  type PrintReport,
  type ticketPrintCommandSchema,
} from '@kiosk/protocol';
import type { z } from 'zod';
import type { Services } from '../services';
import type { AgentIdentity } from '../services/fleet.service';
import type { Role, StaffUser } from '../services/auth.service';
import { ADMIN, CALLERS, STAFF, historyByTicket } from '../http/routes';
import { tokenOf } from '../http/auth';
import type { Logger } from '../logger';

export interface Realtime {
  io: Server;
  ticketIssued(entry: QueueEntry): void;
  ticketChanged(entry: QueueEntry): void;
  callAnnounced(call: CalledTicket): void;
  servicesChanged(services: ServiceInfo[]): void;
  /** To admins, on /admin. */
  alertChanged(alert: FleetAlert): void;
  /** Tells the agent its credential was revoked and disconnects it, on every server instance. */
  disconnectAgent(agentId: string): void;
  /** Asks one kiosk agent (on whichever instance holds its socket) to print a ticket; its ack is the outcome. */
  printOnAgent(agentId: string, command: TicketPrintCommand): Promise<Result<PrintReport>>;
  close(): Promise<void>;
}

type TicketPrintCommand = z.infer<typeof ticketPrintCommandSchema>;
const PRINT_ACK_TIMEOUT_MS = 20_000;

/** Who may send each /staff command; the authorization suite enumerates this table. */
export const staffCommandRoles = {
  'queue:list': STAFF,
  'queue:estimates': STAFF,
  'visit:history': STAFF,
  'queue:call-next': CALLERS,
  'queue:recall': CALLERS,
  'queue:skip': CALLERS,
  'queue:complete': CALLERS,
  'queue:transfer': CALLERS,
} as const satisfies Record<keyof StaffToServerEvents, readonly Role[]>;

/** Who may send each /admin command (the namespace admits admins only, at the handshake). */
export const adminCommandRoles = {
  'alerts:list': ADMIN,
} as const satisfies Record<keyof AdminToServerEvents, readonly Role[]>;

/** What a socket of a staff-session namespace (/staff, /admin) carries from its handshake. */
interface SessionData {
  user: StaffUser;
  token: string;
}

const agentRoom = (agentId: string) => `agent:${agentId}`;

/** Between server instances, on the /agent namespace. */
interface AgentServerSideEvents {
  'agent:revoke': (agentId: string) => void;
}

/** Wraps a handler: validates the payload, guarantees one ack, never lets a throw escape. */
function handle<S extends z.ZodType, T>(log: Logger, schema: S, fn: (payload: z.infer<S>) => Promise<Result<T>>) {
  return (payload: unknown, ack: unknown) => {
    const reply: Ack<T> = typeof ack === 'function' ? (ack as Ack<T>) : () => undefined;
    const parsed = parseWith(schema, payload);
    if (!parsed.ok) return reply(parsed);
    fn(parsed.value).then(reply, (e: unknown) => {
      log.error({ err: String(e) }, 'socket handler failed');
      reply(err('internal-error', 'the server could not complete this request'));
    });
  };
}

/**
 * Handshake of a staff-session namespace: the session token from `auth.token`, else the session
 * cookie. No valid session: 'unauthorized'; a session whose role is not in `roles`: 'forbidden'.
 */
function admitSession(s: Services, roles: readonly Role[]) {
  return (socket: Pick<Socket, 'handshake'> & { data: Partial<SessionData> }, next: (e?: Error) => void) => {
    const token =
      typeof socket.handshake.auth['token'] === 'string'
        ? (socket.handshake.auth['token'] as string)
        : tokenOf({ cookie: socket.handshake.headers.cookie });
    s.auth.session(token).then(
      (user) => {
        if (!user || !token) return next(new Error('unauthorized'));
        if (!roles.includes(user.role)) return next(new Error('forbidden'));
        socket.data.user = user;
        socket.data.token = token;
        next();
      },
      () => next(new Error('unauthorized')),
    );
  };
}

/**
 * Returns `command(event, schema, fn)` for one socket of a staff-session namespace: it registers a
 * handler for the roles `table` lists (others get 'forbidden'). Every command re-reads the
 * session first: a logout, an expiry, a disabled account or a role change takes effect on open
 * sockets too (the socket is then closed).
 */
function sessionCommands<E extends string>(
  s: Services,
  log: Logger,
  socket: { data: SessionData; on(event: NoInfer<E>, listener: never): unknown; disconnect(close: boolean): unknown },
  table: Record<E, readonly Role[]>,
) {
  const { user, token } = socket.data;
  const current = async (): Promise<StaffUser | undefined> => {
    const fresh = await s.auth.session(token);
    if (!fresh || fresh.role !== user.role) {
      setImmediate(() => socket.disconnect(true));
      return undefined;
    }
    return fresh;
  };
  return <S extends z.ZodType, T>(event: E, schema: S, fn: (payload: z.infer<S>) => Promise<Result<T>>) => {
    const roles = table[event];
    socket.on(
      event,
      handle(log, schema, async (payload) => {
        const fresh = await current();
        if (!fresh) return err('unauthenticated', 'the session ended');
        return roles.includes(fresh.role) ? fn(payload) : err('forbidden', `role ${fresh.role} may not do this`);
      }) as never,
    );
  };
}

export function createRealtime(
  http: HttpServer,
  s: Services,
  log: Logger,
  allowedOrigins: string[] | true,
  adapter?: ServerOptions['adapter'],
): Realtime {
  const io = new Server(http, {
    cors: { origin: allowedOrigins, credentials: true },
    serveClient: false,
    maxHttpBufferSize: 256_000,
    ...(adapter ? { adapter } : {}),
  });
  const empty = queueQuerySchema.pick({});

  const agents = io.of('/agent') as unknown as Namespace<
    AgentToServerEvents,
    ServerToAgentEvents,
    AgentServerSideEvents,
    { agent: AgentIdentity }
  >;
  /** Tells this instance's sockets of a revoked agent why, then closes them (in that order per socket). */
  const revokeLocal = (agentId: string) => {
    for (const socket of agents.sockets.values())
      if (socket.data.agent?.id === agentId) {
        socket.emit('credential:revoked', { agentId });
        socket.disconnect(true);
      }
  };
  // Other server instances ask through the adapter (PostgreSQL NOTIFY).
  agents.on('agent:revoke', revokeLocal);
  agents.use((socket, next) => {
    s.fleet.authenticate(socket.handshake.auth['credential']).then(
      (agent) => {
        if (!agent) return next(new Error('unauthorized'));
        socket.data.agent = agent;
        next();
      },
      () => next(new Error('unauthorized')),
    );
  });
  agents.on('connection', (socket) => {
    const agent = socket.data.agent;
    void socket.join(agentRoom(agent.id));
    s.fleet.touch(agent.id).then(
      () => s.alerts.resolve(agent.id, ['kiosk-offline']),
      (e: unknown) => log.warn({ err: String(e) }, 'agent touch failed'),
    );
    socket.on(
      'checkin:submit',
      handle(log, checkInRequestSchema, (cmd) => s.checkIn.checkIn(cmd, agent.id)),
    );
    socket.on(
      'services:list',
      handle(log, empty, async () => ok(await s.facility.listServices())),
    );
    socket.on(
      'print:report',
      handle(log, printReportSchema, async (r) =>
        (await s.queue.recordPrint(r.ticketId, r.state, r.reason, agent.id))
          ? ok(null)
          : err('unknown-ticket', 'no such ticket'),
      ),
    );
    socket.on(
      'heartbeat:send',
      handle(log, agentHeartbeatSchema, async (hb) => {
        await s.fleet.heartbeat(agent.id, hb);
        await s.alerts.reconcileHeartbeat(agent.id, hb.devices);
        return ok(null);
      }),
    );
  });

  const staff = io.of('/staff') as unknown as Namespace<
    StaffToServerEvents,
    ServerToStaffEvents,
    Record<string, never>,
    SessionData
  >;
  staff.use(admitSession(s, STAFF));
  staff.on('connection', (socket) => {
    const user = socket.data.user;
    const command = sessionCommands(s, log, socket, staffCommandRoles);
    command('queue:list', queueQuerySchema, async (q) => ok(await s.queue.list(q.serviceId)));
    command('queue:estimates', empty, async () => ok(await s.queue.estimates()));
    command('queue:call-next', callNextSchema, async (c) =>
      ok(await s.queue.callNext(c.serviceId, c.counter, user.username)),
    );
    command('queue:recall', ticketCommandSchema, (c) => s.queue.recall(c.ticketId, c.counter, user.username));
    command('queue:skip', ticketCommandSchema, (c) => s.queue.skip(c.ticketId, user.username));
    command('queue:complete', ticketCommandSchema, (c) => s.queue.complete(c.ticketId, user.username));
    command('queue:transfer', transferCommandSchema, (c) =>
      s.queue.transfer(c.ticketId, c.targetServiceId, c.keepPriority, user.username),
    );
    command('visit:history', ticketHistoryQuerySchema, (q) => historyByTicket(s, q.ticketId));
  });

  const admin = io.of('/admin') as unknown as Namespace<
    AdminToServerEvents,
    ServerToAdminEvents,
    Record<string, never>,
    SessionData
  >;
  admin.use(admitSession(s, ADMIN));
  admin.on('connection', (socket) => {
    const command = sessionCommands(s, log, socket, adminCommandRoles);
    command('alerts:list', alertListSchema, async (q) => ok(await s.alerts.list(q.includeResolved ?? false)));
  });

  const display = io.of('/display') as unknown as Namespace<DisplayToServerEvents, ServerToDisplayEvents>;
  display.on('connection', (socket) => {
    s.queue.recentCalls().then(
      (calls) => socket.emit('board:snapshot', calls),
      (e: unknown) => log.warn({ err: String(e) }, 'display snapshot failed'),
    );
  });

  return {
    io,
    ticketIssued: (entry) => staff.emit('ticket:issued', entry),
    ticketChanged: (entry) => staff.emit('ticket:changed', entry),
    callAnnounced: (call) => display.emit('call:announced', call),
    servicesChanged: (list) => agents.emit('services:changed', list),
    alertChanged: (alert) => admin.emit('alert:changed', alert),
    disconnectAgent: (agentId) => {
      revokeLocal(agentId);
      agents.serverSideEmit('agent:revoke', agentId);
    },
    async printOnAgent(agentId, command) {
      try {
        const answers = await agents
          .to(agentRoom(agentId))
          .timeout(PRINT_ACK_TIMEOUT_MS)
          .emitWithAck('ticket:print', command);
        const first = answers[0];
        if (!first) return err('kiosk-offline', 'that kiosk is not connected', 'go-to-counter');
        return first;
      } catch {
        return err('print-timeout', 'the kiosk did not answer in time');
      }
    },
    close: () => new Promise<void>((resolve) => io.close(() => resolve())),
  };
}
