/** HTTP API. Every payload is validated; every route but health, login and enrollment needs a staff session. */
import { z } from 'zod';
import {
  callNextSchema,
  err,
  ok,
  queueEntrySchema,
  queueQuerySchema,
  ticketCommandSchema,
  transferCommandSchema,
} from '@kiosk/protocol';
import type { Services } from '../services';
import { CALLERS, SESSION_COOKIE, STAFF, tokenOf } from '../access';
import type { ApiRegistry } from './api';

const loginSchema = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) });
const enrollSchema = z.object({ pairingCode: z.string().min(8).max(32), name: z.string().min(1).max(64) });
const ticketParams = z.object({ ticketId: z.string().min(1).max(64) });
const counterBody = ticketCommandSchema.pick({ counter: true });

const calledTicketSchema = z.object({
  ticketId: z.string(),
  number: z.string(),
  serviceId: z.string(),
  room: z.string(),
  counter: z.string(),
  calledAt: z.string(),
});

export function registerRoutes(api: ApiRegistry, s: Services, sessionTtlSec: number): void {
  api.define(
    { method: 'GET', url: '/healthz', summary: 'Liveness', tag: 'ops', access: 'public', raw: true },
    async ({ reply }) => {
      await reply.send({ status: 'ok' });
    },
  );
  api.define(
    {
      method: 'GET',
      url: '/readyz',
      summary: 'Readiness (database reachable)',
      tag: 'ops',
      access: 'public',
      raw: true,
    },
    async ({ reply }) => {
      try {
        await s.db.ping();
        await reply.send({ status: 'ready', database: s.db.dialect });
      } catch {
        await reply.code(503).send({ status: 'not-ready', database: s.db.dialect });
      }
    },
  );

  api.define(
    {
      method: 'POST',
      url: '/api/auth/login',
      summary: 'Staff login: sets the session cookie and returns a bearer token',
      tag: 'auth',
      access: 'public',
      body: loginSchema,
    },
    async ({ body, req, reply }) => {
      const result = await s.auth.login(body.username, body.password, req.ip);
      if (result === 'rate-limited') return err('rate-limited', 'too many attempts, wait a minute');
      if (result === 'invalid') return err('invalid-login', 'wrong user name or password');
      reply.header(
        'set-cookie',
        `${SESSION_COOKIE}=${result.token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${sessionTtlSec}`,
      );
      return ok({ user: result.user, token: result.token });
    },
  );
  api.define(
    { method: 'POST', url: '/api/auth/logout', summary: 'Ends the session', tag: 'auth', access: STAFF },
    async ({ req, reply }) => {
      const token = tokenOf(req.headers);
      if (token) await s.auth.logout(token);
      reply.header('set-cookie', `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
      return ok(null);
    },
  );
  api.define(
    { method: 'GET', url: '/api/auth/me', summary: 'The logged-in staff member', tag: 'auth', access: STAFF },
    async ({ user }) => ok(user),
  );

  api.define(
    {
      method: 'POST',
      url: '/api/agents/enroll',
      summary: 'Kiosk enrollment with a one-time pairing code; returns the device credential once',
      tag: 'fleet',
      access: 'public',
      body: enrollSchema,
    },
    async ({ body }) => {
      const result = await s.fleet.enroll(body.pairingCode, body.name);
      if (result === 'invalid-code') return err('invalid-pairing-code', 'pairing code unknown, used or expired');
      return ok(result);
    },
  );

  api.define(
    {
      method: 'GET',
      url: '/api/services',
      summary: 'Active services with waiting counts',
      tag: 'queue',
      access: STAFF,
    },
    async () => ok(await s.facility.listServices()),
  );
  api.define(
    {
      method: 'GET',
      url: '/api/queue',
      summary: "Today's open tickets (waiting, called, skipped)",
      tag: 'queue',
      access: STAFF,
      query: queueQuerySchema,
      response: z.array(queueEntrySchema),
    },
    async ({ query }) => ok(await s.queue.list(query.serviceId)),
  );
  api.define(
    {
      method: 'GET',
      url: '/api/queue/estimates',
      summary: 'Estimated wait per service from the pace of recent calls',
      tag: 'queue',
      access: STAFF,
    },
    async () => ok(await s.queue.estimates()),
  );
  api.define(
    {
      method: 'POST',
      url: '/api/queue/call-next',
      summary: 'Calls the next ticket of a service (priority interleave)',
      tag: 'queue',
      access: CALLERS,
      body: callNextSchema,
      response: calledTicketSchema.nullable(),
    },
    async ({ body, user }) => ok(await s.queue.callNext(body.serviceId, body.counter, user.username)),
  );
  api.define(
    {
      method: 'POST',
      url: '/api/queue/tickets/:ticketId/recall',
      summary: 'Calls a called or skipped ticket again',
      tag: 'queue',
      access: CALLERS,
      params: ticketParams,
      body: counterBody,
      response: calledTicketSchema,
    },
    async ({ params, body, user }) => s.queue.recall(params.ticketId, body.counter, user.username),
  );
  api.define(
    {
      method: 'POST',
      url: '/api/queue/tickets/:ticketId/skip',
      summary: "The called patient did not come: 'skipped', or 'no-show' after the configured number of skips",
      tag: 'queue',
      access: CALLERS,
      params: ticketParams,
      response: queueEntrySchema,
    },
    async ({ params, user }) => s.queue.skip(params.ticketId, user.username),
  );
  api.define(
    {
      method: 'POST',
      url: '/api/queue/tickets/:ticketId/complete',
      summary: 'The patient was served',
      tag: 'queue',
      access: CALLERS,
      params: ticketParams,
      response: queueEntrySchema,
    },
    async ({ params, user }) => s.queue.complete(params.ticketId, user.username),
  );
  api.define(
    {
      method: 'POST',
      url: '/api/queue/tickets/:ticketId/transfer',
      summary: 'Moves the visit to another service: a new ticket there, this one ends transferred',
      tag: 'queue',
      access: CALLERS,
      params: ticketParams,
      body: transferCommandSchema.omit({ ticketId: true }),
      response: z.object({ from: queueEntrySchema, to: queueEntrySchema }),
    },
    async ({ params, body, user }) =>
      s.queue.transfer(params.ticketId, body.targetServiceId, body.keepPriority, user.username),
  );
  api.define(
    {
      method: 'GET',
      url: '/api/queue/tickets/:ticketId/history',
      summary: "The ticket's visit: every ticket it had and every stored transition",
      tag: 'queue',
      access: STAFF,
      params: ticketParams,
    },
    async ({ params }) => s.queue.historyOfTicket(params.ticketId),
  );
}
