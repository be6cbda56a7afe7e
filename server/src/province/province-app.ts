/**
 * The province host's own app: its accounts' login, the list of facilities with their health, and
 * a read-only dashboard per facility read in process through that facility's own services. Every
 * read is audited in the province's database. Nothing here reaches a facility's database but its
 * own report, statistics and alert services.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  KeyedBuckets,
  facilityCodeSchema,
  parseWith,
  provinceLoginSchema,
  type BucketSize,
  type FacilitiesReloaded,
  type FacilityDashboard,
  type FacilityHealth,
} from '@kiosk/protocol';
import type { Db } from '../db/database';
import type { Logger } from '../logger';
import type { ServerApp } from '../app';
import { SESSION_COOKIE, tokenOf } from '../access';
import { addSecurityHeaders, jsonOrNoBody, originAllowed } from '../http/edge';
import { sendBuiltFile } from '../http/static-pages';
import path from 'node:path';
import type { ProvinceAccounts, ProvinceUser } from './province-accounts';
import { openApiDocument, type DocumentedRoute } from '../ops/openapi';

export interface ProvinceFacility {
  code: string;
  name: string;
  hosts: string[];
  app: ServerApp;
}

const refusal = (code: string, message: string) => ({ ok: false, error: { code, message } });

/** A facility's health: its database answers, its kiosks connected now, its open alerts. */
export async function facilityHealth(f: ProvinceFacility): Promise<FacilityHealth> {
  const { services, realtime } = f.app;
  const ready = await services.db.ping().then(
    () => true,
    () => false,
  );
  const [kiosks, alerts] = ready
    ? await Promise.all([realtime.io.of('/agent').fetchSockets(), services.alerts.openCounts()])
    : [[], new Map<string, number>()];
  let openAlerts = 0;
  for (const n of alerts.values()) openAlerts += n;
  return { code: f.code, name: f.name, hosts: f.hosts, ready, kiosksOnline: kiosks.length, openAlerts };
}

export function createProvinceApp(options: {
  db: Db;
  accounts: ProvinceAccounts;
  /** The facilities served now (a reload replaces them). */
  facilities: () => readonly ProvinceFacility[];
  /** Re-reads the facilities file and serves what it lists (no restart). */
  reload: () => Promise<FacilitiesReloaded>;
  log: Logger;
  tls: boolean;
  sessionTtlSec: number;
  /** The built pages (the province overview and its assets). */
  uiDist: string;
  /** Each client address's bucket (the facilities' HTTP_ADDRESS_RATE_*). */
  addressRate: BucketSize;
}): FastifyInstance {
  const { accounts, facilities, log } = options;
  const http = Fastify({ logger: false, bodyLimit: 16 * 1024 });
  http.removeContentTypeParser('text/plain');
  addSecurityHeaders(http, { tls: options.tls });
  http.setErrorHandler(async (thrown: unknown, req, reply) => {
    const error = (thrown ?? {}) as { statusCode?: unknown; code?: string; name?: string };
    const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (status >= 400 && status < 500)
      return reply.code(status).send(refusal('validation-failed', error.code ?? 'bad request'));
    log.error({ route: req.routeOptions.url ?? 'unmatched', err: error.code ?? error.name }, 'province request failed');
    return reply.code(500).send(refusal('internal-error', 'the server could not complete this request'));
  });
  http.setNotFoundHandler(async (_req, reply) => reply.code(404).send(refusal('unknown-route', 'no such page here')));

  // Each client address's bucket, as a facility's routes have (the login has its own limiter too).
  const addresses = new KeyedBuckets(options.addressRate);
  http.addHook('onRequest', async (req, reply) => {
    if (!addresses.take(req.ip))
      return reply.code(429).header('retry-after', '1').send(refusal('rate-limited', 'too many requests: slow down'));
  });

  /** The province admin behind the request's token, or a 401 already sent. */
  const signedIn = async (headers: { authorization?: string; cookie?: string }, reply: FastifyReply) => {
    const user = await accounts.session(tokenOf(headers));
    if (!user) void reply.code(401).send(refusal('unauthenticated', 'province login required'));
    return user;
  };
  const byCode = (code: string) => facilities().find((f) => f.code === code);
  const audited = (user: ProvinceUser, action: string, target: string | null) =>
    accounts.audit(user.username, action, target);

  const root = path.resolve(options.uiDist);
  http.get('/', async (_req, reply) => reply.redirect('/province/'));
  http.get('/province', async (_req, reply) => reply.redirect('/province/'));
  http.get('/province/', async (_req, reply) => sendBuiltFile(root, 'province/index.html', reply));
  http.get('/favicon.svg', async (_req, reply) => sendBuiltFile(root, 'favicon.svg', reply));
  http.get('/assets/*', async (req, reply) =>
    sendBuiltFile(root, `assets/${(req.params as { '*': string })['*']}`, reply),
  );
  http.get('/healthz', async () => ({ status: 'ok' }));
  http.get('/readyz', async (_req, reply) => {
    try {
      await options.db.ping();
      return { status: 'ready', database: options.db.dialect };
    } catch {
      return reply.code(503).send({ status: 'not-ready', database: options.db.dialect });
    }
  });
  // Every /api/province route is declared as it is registered, so the OpenAPI document lists them all.
  const documented: DocumentedRoute[] = [];
  const admins = ['province-admin'] as const;
  const declare = (route: DocumentedRoute): string => {
    documented.push(route);
    return route.url;
  };
  /**
   * A province admin's route, declared for the OpenAPI document: a POST from another origin is
   * refused; without a province session the answer is 401; else the handler runs with the account.
   */
  const adminRoute = (
    route: Omit<DocumentedRoute, 'tag' | 'access' | 'method'> & { method: 'GET' | 'POST' },
    handler: (req: FastifyRequest, reply: FastifyReply, user: ProvinceUser) => Promise<unknown>,
  ) =>
    http.route({
      method: route.method,
      url: declare({ ...route, tag: 'province', access: admins }),
      handler: async (req, reply) => {
        if (route.method !== 'GET' && !originAllowed(req.headers, new Set()))
          return reply.code(403).send(refusal('origin-not-allowed', 'requests from this origin are not accepted'));
        const user = await signedIn(req.headers, reply);
        if (!user) return reply;
        return handler(req, reply, user);
      },
    });
  const loginRoute = {
    method: 'POST',
    url: '/api/province/login',
    summary: 'Sign in with a province account (sets the session cookie; answers the token for API clients)',
    tag: 'province',
    access: 'public',
    body: provinceLoginSchema,
  } as const;
  http.post(declare(loginRoute), async (req, reply) => {
    if (!originAllowed(req.headers, new Set()))
      return reply.code(403).send(refusal('origin-not-allowed', 'requests from this origin are not accepted'));
    if (!jsonOrNoBody(req.headers))
      return reply.code(415).send(refusal('unsupported-media-type', 'send the body as application/json'));
    const body = parseWith(provinceLoginSchema, req.body);
    if (!body.ok) return reply.code(400).send(body);
    const result = await accounts.login(body.value.username, body.value.password, req.ip);
    if (result === 'rate-limited')
      return reply.code(429).send(refusal('rate-limited', 'too many failed logins: try again later'));
    if (result === 'invalid') return reply.code(401).send(refusal('invalid-login', 'wrong user name or password'));
    reply.header(
      'set-cookie',
      `${SESSION_COOKIE}=${result.token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${options.sessionTtlSec}`,
    );
    return { ok: true, value: { token: result.token, username: result.user.username, role: result.user.role } };
  });
  adminRoute({ method: 'POST', url: '/api/province/logout', summary: 'End this session' }, async (req, reply, user) => {
    await accounts.logout(tokenOf(req.headers) ?? '');
    await audited(user, 'province-logout', null);
    reply.header('set-cookie', `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
    return { ok: true, value: null };
  });
  adminRoute(
    {
      method: 'GET',
      url: '/api/province/facilities',
      summary: 'Every facility with its health: database ready, kiosks online, open alerts (audited)',
    },
    async (_req, _reply, user) => {
      const value = await Promise.all(facilities().map(facilityHealth));
      await audited(user, 'province-facilities-read', null);
      return { ok: true, value };
    },
  );
  const codeParams = z.object({ code: facilityCodeSchema });
  adminRoute(
    {
      method: 'GET',
      url: '/api/province/facilities/:code/dashboard',
      summary: "One facility's dashboard: health, today's figures, the last seven days, its service names (audited)",
      params: codeParams,
    },
    async (req, reply, user) => {
      const params = parseWith(codeParams, req.params);
      const facility = params.ok ? byCode(params.value.code) : undefined;
      if (!facility) return reply.code(404).send(refusal('unknown-facility', 'no such facility'));
      const { services } = facility.app;
      const [health, today, week, catalogue] = await Promise.all([
        facilityHealth(facility),
        services.stats.day(),
        services.reports.report({ period: 'day' }),
        services.facility.listServices(),
      ]);
      await audited(user, 'province-dashboard-read', facility.code);
      const serviceNames = Object.fromEntries(catalogue.map((x) => [x.id, x.name]));
      const value: FacilityDashboard = { facility: health, today, week, serviceNames };
      return { ok: true, value };
    },
  );
  adminRoute(
    {
      method: 'POST',
      url: '/api/province/facilities/reload',
      summary:
        'Read the facilities file again and serve what it lists without a restart: add, remove, restart changed facilities (audited)',
    },
    async (_req, reply, user) => {
      try {
        const value = await options.reload();
        const changed = [...value.added, ...value.removed, ...value.restarted].join(',');
        await audited(user, 'province-facilities-reload', changed || null);
        return { ok: true, value };
      } catch (e) {
        await audited(user, 'province-facilities-reload-refused', null);
        log.warn({ err: (e as Error).message }, 'facilities file refused');
        return reply.code(422).send(refusal('facilities-file-refused', (e as Error).message));
      }
    },
  );
  const auditQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) });
  adminRoute(
    {
      method: 'GET',
      url: '/api/province/audit',
      summary: "The province accounts' audit log, newest first",
      query: auditQuery,
    },
    async (req, reply) => {
      const query = parseWith(auditQuery, req.query);
      if (!query.ok) return reply.code(400).send(query);
      return { ok: true, value: await accounts.auditLog(query.value.limit) };
    },
  );
  adminRoute(
    {
      method: 'GET',
      url: '/api/province/openapi.json',
      summary: 'This document: every province route with its schemas and who may call it (the bare OpenAPI document)',
      raw: true,
    },
    async (_req, reply) => {
      const doc = openApiDocument(documented, { title: 'Kiosk reception: province host', version: '0.1.0' });
      return reply.header('content-type', 'application/json; charset=utf-8').send(doc);
    },
  );
  return http;
}
