/** HTTP API. Every payload is validated; every route but health, login and enrollment needs a staff session. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { callNextSchema, parseWith, queueQuerySchema } from '@kiosk/protocol';
import type { Services } from '../services';
import { SESSION_COOKIE, requireRole, tokenOf, userOf } from './auth';
import { ping } from '../db/migrations';

const loginSchema = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) });
const enrollSchema = z.object({ pairingCode: z.string().min(8).max(32), name: z.string().min(1).max(64) });

export function registerRoutes(app: FastifyInstance, s: Services, sessionTtlSec: number): void {
  const staff = requireRole(s.auth, ['admin', 'reception', 'clinic', 'viewer']);
  const callers = requireRole(s.auth, ['admin', 'reception', 'clinic']);
  const admin = requireRole(s.auth, ['admin']);
  const bad = (message: string) => ({ ok: false, error: { code: 'validation-failed', message } });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    try {
      await ping(s.db.kysely);
      return { status: 'ready', database: s.db.dialect };
    } catch {
      return reply.code(503).send({ status: 'not-ready', database: s.db.dialect });
    }
  });

  app.post('/api/auth/login', async (req, reply) => {
    const body = parseWith(loginSchema, req.body);
    if (!body.ok) return reply.code(400).send(bad(body.error.message));
    const result = await s.auth.login(body.value.username, body.value.password, req.ip);
    if (result === 'rate-limited')
      return reply
        .code(429)
        .send({ ok: false, error: { code: 'rate-limited', message: 'too many attempts, wait a minute' } });
    if (result === 'invalid')
      return reply
        .code(401)
        .send({ ok: false, error: { code: 'invalid-login', message: 'wrong user name or password' } });
    reply.header(
      'set-cookie',
      `${SESSION_COOKIE}=${result.token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${sessionTtlSec}`,
    );
    return { ok: true, value: { user: result.user, token: result.token } };
  });
  app.post('/api/auth/logout', async (req, reply) => {
    const token = tokenOf(req.headers);
    if (token) await s.auth.logout(token);
    reply.header('set-cookie', `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
    return { ok: true, value: null };
  });
  app.get('/api/auth/me', { preHandler: staff }, async (req) => ({ ok: true, value: userOf(req) }));

  app.post('/api/agents/enroll', async (req, reply) => {
    const body = parseWith(enrollSchema, req.body);
    if (!body.ok) return reply.code(400).send(bad(body.error.message));
    const result = await s.fleet.enroll(body.value.pairingCode, body.value.name);
    if (result === 'invalid-code')
      return reply
        .code(403)
        .send({ ok: false, error: { code: 'invalid-pairing-code', message: 'pairing code unknown, used or expired' } });
    return { ok: true, value: result };
  });

  app.get('/api/services', { preHandler: staff }, async () => ({ ok: true, value: await s.facility.listServices() }));
  app.get('/api/queue', { preHandler: staff }, async (req, reply) => {
    const q = parseWith(queueQuerySchema, req.query);
    if (!q.ok) return reply.code(400).send(bad(q.error.message));
    return { ok: true, value: await s.queue.list(q.value.serviceId) };
  });
  app.post('/api/queue/call-next', { preHandler: callers }, async (req, reply) => {
    const body = parseWith(callNextSchema, req.body);
    if (!body.ok) return reply.code(400).send(bad(body.error.message));
    return { ok: true, value: await s.queue.callNext(body.value.serviceId, body.value.counter, userOf(req).username) };
  });

  app.post('/api/admin/pairing-codes', { preHandler: admin }, async (req) => {
    const user = userOf(req);
    const code = await s.fleet.createPairingCode(user.username);
    await s.auth.audit(user.username, 'pairing-code-created', null);
    return { ok: true, value: code };
  });
  app.get('/api/admin/agents', { preHandler: admin }, async () => ({ ok: true, value: await s.fleet.list() }));
}
