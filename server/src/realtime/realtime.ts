/**
 * socket.io namespaces: /agent (device credential), /staff (staff session), /display (public,
 * numbers and rooms only). Every inbound payload is validated; acks carry a Result.
 */
import type { Server as HttpServer } from 'node:http';
import { Server, type Namespace } from 'socket.io';
import {
  checkInRequestSchema,
  callNextSchema,
  err,
  ok,
  parseWith,
  printReportSchema,
  queueQuerySchema,
  agentHeartbeatSchema,
  type AgentToServerEvents,
  type Ack,
  type CalledTicket,
  type DisplayToServerEvents,
  type QueueEntry,
  type ServerToAgentEvents,
  type ServerToDisplayEvents,
  type ServerToStaffEvents,
  type StaffToServerEvents,
  type Result,
} from '@kiosk/protocol';
import type { z } from 'zod';
import type { Services } from '../services';
import type { AgentIdentity } from '../services/fleet.service';
import type { StaffUser } from '../services/auth.service';
import { tokenOf } from '../http/auth';
import type { Logger } from '../logger';

export interface Realtime {
  io: Server;
  ticketIssued(entry: QueueEntry): void;
  ticketChanged(entry: QueueEntry): void;
  callAnnounced(call: CalledTicket): void;
  close(): Promise<void>;
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

export function createRealtime(http: HttpServer, s: Services, log: Logger, allowedOrigins: string[] | true): Realtime {
  const io = new Server(http, {
    cors: { origin: allowedOrigins, credentials: true },
    serveClient: false,
    maxHttpBufferSize: 256_000,
  });
  const empty = queueQuerySchema.pick({});

  const agents = io.of('/agent') as unknown as Namespace<
    AgentToServerEvents,
    ServerToAgentEvents,
    Record<string, never>,
    { agent: AgentIdentity }
  >;
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
        return ok(null);
      }),
    );
  });

  const staff = io.of('/staff') as unknown as Namespace<
    StaffToServerEvents,
    ServerToStaffEvents,
    Record<string, never>,
    { user: StaffUser }
  >;
  staff.use((socket, next) => {
    const token =
      typeof socket.handshake.auth['token'] === 'string'
        ? (socket.handshake.auth['token'] as string)
        : tokenOf({ cookie: socket.handshake.headers.cookie });
    s.auth.session(token).then(
      (user) => {
        if (!user) return next(new Error('unauthorized'));
        socket.data.user = user;
        next();
      },
      () => next(new Error('unauthorized')),
    );
  });
  staff.on('connection', (socket) => {
    const user = socket.data.user;
    socket.on(
      'queue:list',
      handle(log, queueQuerySchema, async (q) => ok(await s.queue.list(q.serviceId))),
    );
    socket.on(
      'queue:call-next',
      handle(log, callNextSchema, async (c) => {
        if (user.role === 'viewer') return err('forbidden', 'viewers cannot call tickets');
        return ok(await s.queue.callNext(c.serviceId, c.counter, user.username));
      }),
    );
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
    close: () => new Promise<void>((resolve) => io.close(() => resolve())),
  };
}
