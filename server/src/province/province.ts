/**
 * Many facilities on one deployment: the composition root of a province (or hospital group).
 * Each facility is a whole server composed by `createServerApp` from its own configuration — its
 * own database, so its repositories are built on its own handle and no query can reach another
 * facility's rows — readied without a port of its own. One front HTTP server takes every
 * connection and hands each request and WebSocket upgrade to the facility its `Host` names; the
 * province hosts reach the province app (its own database, its own accounts); any other host (or
 * none: a load balancer's check) is answered only /healthz and /readyz (the whole deployment's
 * readiness) and 421 for everything else.
 */
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { createServerApp } from '../app';
import { migrateToLatest, openDatabase, type Db } from '../db/database';
import { createLogger, type Logger } from '../logger';
import { systemClock, type Clock } from '../clock';
import { StaffRepository } from '../repositories/staff.repository';
import { facilityPlans, hostNameOf, type FacilitiesFile, type FacilityPlan } from './facilities-file';
import { ProvinceAccounts } from './province-accounts';
import { createProvinceApp, type ProvinceFacility } from './province-app';
import type { FastifyInstance } from 'fastify';
import type { FacilitiesReloaded } from '@kiosk/protocol';

export interface Province {
  /** The front server every connection reaches. */
  server: Server;
  /** The facilities served now (a reload replaces the list). */
  readonly facilities: readonly ProvinceFacility[];
  /** The province's own app and database. */
  app: FastifyInstance;
  db: Db;
  accounts: ProvinceAccounts;
  /** The facility a host name is served by (undefined: the province's, or nobody's). */
  facilityOf(host: string): ProvinceFacility | undefined;
  /**
   * Serves the facilities `file` lists, without a restart: new ones are composed and routed,
   * removed ones closed, those whose settings changed restarted (alone); the others keep running
   * with their connections. Without `file`, the `source` given at creation is read again. A file
   * that fails validation, or changes the province's own hosts or database, changes nothing.
   * One reload at a time.
   */
  reload(file?: FacilitiesFile): Promise<FacilitiesReloaded>;
  /** Listens and resolves with the bound port. */
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

/** A fixed refusal the front answers itself (the Result envelope, as every facility's API answers). */
function refusal(status: number, code: string, message: string, headers: Record<string, string> = {}) {
  const body = JSON.stringify({ ok: false, error: { code, message } });
  return (res: ServerResponse): void => {
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      ...headers,
    });
    res.end(body);
  };
}
/** A host nobody here serves. */
const misdirected = refusal(421, 'unknown-host', 'this server does not serve that host name');
/** A facility being restarted by a reload. */
const restarting = refusal(503, 'restarting', 'this hospital is restarting with new settings: try again in a moment', {
  'retry-after': '2',
});

/** What a facility runs with: a change in any of it restarts the facility on reload. */
const settingsOf = (plan: FacilityPlan) => JSON.stringify({ name: plan.name, config: plan.config });

export async function createProvince(
  file: FacilitiesFile,
  options: {
    /** The environment facilities start from (their file settings win); never their database. */
    baseEnv?: Record<string, string | undefined>;
    log?: Logger;
    clock?: Clock;
    /** Province sessions last this long. */
    sessionTtlHours?: number;
    tls?: boolean;
    /** Reads the facilities file again (a reload without a file given: SIGHUP, the province route). */
    source?: () => FacilitiesFile;
  } = {},
): Promise<Province> {
  const plans = facilityPlans(file, options.baseEnv ?? {});
  const log = options.log ?? createLogger(plans[0]?.config.LOG_LEVEL ?? 'info', 'province');
  const clock = options.clock ?? systemClock;
  /** The facilities served now and the settings each was started with; replaced whole by a reload. */
  let facilities: ProvinceFacility[] = [];
  const startedWith = new Map<string, string>();
  const start = async (plan: FacilityPlan): Promise<ProvinceFacility> => {
    const app = await createServerApp(plan.config, { clock, log: log.child({ facility: plan.code }) });
    try {
      // Each facility's metrics carry its code, so one Prometheus job may scrape every host.
      app.metrics.registry.setDefaultLabels({ facility: plan.code });
      await app.ready();
    } catch (e) {
      await app.close().catch(() => undefined);
      throw e;
    }
    startedWith.set(plan.code, settingsOf(plan));
    return { code: plan.code, name: plan.name, hosts: plan.hosts, app };
  };
  let provinceDb: Db | undefined;
  try {
    for (const plan of plans) facilities.push(await start(plan));
    // Its accounts, sessions and audit log only: a small cache, a pool of two.
    provinceDb = await openDatabase(file.province.databaseUrl, undefined, { sqliteCacheMb: 8, pgPoolMax: 2 });
    await migrateToLatest(provinceDb);
  } catch (e) {
    await Promise.allSettled(facilities.map((f) => f.app.close()));
    await provinceDb?.close();
    throw e;
  }
  const db = provinceDb;
  const sessionTtlHours = options.sessionTtlHours ?? 12;
  const accounts = new ProvinceAccounts(new StaffRepository(db), clock, sessionTtlHours * 3600_000);
  const admin = file.province.bootstrapAdmin;
  if (admin && (await accounts.bootstrap(admin.username, admin.password))) log.info('created the first province admin');
  const provinceApp = createProvinceApp({
    db,
    accounts,
    facilities: () => facilities,
    reload: () => reload(),
    log: log.child({ facility: 'province' }),
    tls: options.tls ?? false,
    sessionTtlSec: sessionTtlHours * 3600,
    uiDist: plans[0]?.config.UI_DIST ?? '',
    addressRate: {
      burst: plans[0]?.config.HTTP_ADDRESS_RATE_BURST ?? 1000,
      perSecond: plans[0]?.config.HTTP_ADDRESS_RATE_PER_SECOND ?? 500,
    },
  });
  await provinceApp.ready();

  /** Host name → the server that answers it; rebuilt whenever the facilities change. */
  let targets = new Map<string, Server>();
  let facilityByHost = new Map<string, ProvinceFacility>();
  /** Hosts of facilities a reload is restarting: answered 503, retry shortly. */
  const paused = new Set<string>();
  const route = () => {
    const hosts = new Map<string, Server>();
    const byHost = new Map<string, ProvinceFacility>();
    for (const h of file.province.hosts) hosts.set(h, provinceApp.server);
    for (const f of facilities)
      for (const h of f.hosts) {
        hosts.set(h, f.app.http.server);
        byHost.set(h, f);
      }
    targets = hosts;
    facilityByHost = byHost;
  };
  route();
  const targetOf = (req: IncomingMessage) => {
    const host = hostNameOf(req.headers.host);
    return host === undefined ? undefined : targets.get(host);
  };
  const pausedFor = (req: IncomingMessage) => {
    const host = hostNameOf(req.headers.host);
    return host !== undefined && paused.has(host);
  };

  let reloading: Promise<unknown> = Promise.resolve();
  const reloadOnce = async (next: FacilitiesFile): Promise<FacilitiesReloaded> => {
    const same = (a: string[], b: string[]) => a.length === b.length && a.every((h, i) => h === b[i]);
    if (next.province.databaseUrl !== file.province.databaseUrl || !same(next.province.hosts, file.province.hosts))
      throw new Error("the province's own database and host names change only at a restart");
    // Every facility's settings are checked before anything changes.
    const nextPlans = facilityPlans(next, options.baseEnv ?? {});
    const outcome: FacilitiesReloaded = { added: [], removed: [], restarted: [], unchanged: [], failed: [] };
    const wanted = new Map(nextPlans.map((p) => [p.code, p]));
    const running = new Map(facilities.map((f) => [f.code, f]));
    const kept: ProvinceFacility[] = [];
    const gone: ProvinceFacility[] = [];
    const changed: { old: ProvinceFacility; plan: FacilityPlan }[] = [];
    for (const f of facilities) {
      const plan = wanted.get(f.code);
      if (!plan) gone.push(f);
      else if (startedWith.get(f.code) !== settingsOf(plan)) changed.push({ old: f, plan });
      // Host names alone change without a restart.
      else kept.push({ ...f, hosts: plan.hosts });
    }
    // Removed and restarting facilities stop taking requests first; then they close.
    for (const { old } of changed) for (const h of old.hosts) paused.add(h);
    facilities = [...kept, ...changed.map((c) => c.old)];
    route();
    for (const f of gone) {
      await f.app.close().catch((e: Error) => log.error({ facility: f.code, err: e.message }, 'facility close failed'));
      startedWith.delete(f.code);
      outcome.removed.push(f.code);
    }
    outcome.unchanged.push(...kept.map((f) => f.code));
    const started: ProvinceFacility[] = [];
    for (const { old, plan } of changed) {
      await old.app
        .close()
        .catch((e: Error) => log.error({ facility: old.code, err: e.message }, 'facility close failed'));
      try {
        started.push(await start(plan));
        outcome.restarted.push(plan.code);
      } catch (e) {
        outcome.failed.push({ code: plan.code, reason: (e as Error).message });
        // Back on the settings it ran with (they worked a moment ago).
        const before = facilityPlans(file, options.baseEnv ?? {}).find((p) => p.code === plan.code);
        try {
          if (before) started.push(await start(before));
        } catch (again) {
          log.error(
            { facility: plan.code, err: (again as Error).message },
            'facility down: its old settings failed too',
          );
        }
      }
    }
    for (const plan of nextPlans)
      if (!running.has(plan.code))
        try {
          started.push(await start(plan));
          outcome.added.push(plan.code);
        } catch (e) {
          outcome.failed.push({ code: plan.code, reason: (e as Error).message });
        }
    const order = new Map(nextPlans.map((p, i) => [p.code, i]));
    facilities = [...kept, ...started].sort((a, b) => (order.get(a.code) ?? 0) - (order.get(b.code) ?? 0));
    paused.clear();
    file = next;
    route();
    log.info({ ...outcome, failed: outcome.failed.map((f) => f.code) }, 'facilities reloaded');
    return outcome;
  };
  const reload = (next?: FacilitiesFile): Promise<FacilitiesReloaded> => {
    const run = reloading.then(() => {
      if (next) return reloadOnce(next);
      if (!options.source) throw new Error('this deployment was not started from a facilities file');
      return reloadOnce(options.source());
    });
    reloading = run.catch(() => undefined);
    return run;
  };

  /**
   * The whole deployment's readiness, for a load balancer's health check (HAProxy sends no
   * `Host`): every facility's database and the province's answer. Codes only, nothing else.
   */
  const readiness = async (res: ServerResponse) => {
    const pings = await Promise.all(
      [...facilities.map((f) => ({ code: f.code, db: f.app.services.db })), { code: 'province', db }].map((x) =>
        x.db.ping().then(
          () => undefined,
          () => x.code,
        ),
      ),
    );
    const notReady = pings.filter((c): c is string => c !== undefined);
    const body = JSON.stringify(
      notReady.length === 0 ? { status: 'ready', facilities: facilities.length } : { status: 'not-ready', notReady },
    );
    res.writeHead(notReady.length === 0 ? 200 : 503, { 'content-type': 'application/json; charset=utf-8' });
    res.end(body);
  };
  const server = http.createServer((req, res) => {
    const target = targetOf(req);
    if (target) target.emit('request', req, res);
    else if (pausedFor(req)) restarting(res);
    else if (req.method === 'GET' && req.url === '/readyz') void readiness(res);
    else if (req.method === 'GET' && req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end('{"status":"ok"}');
    } else misdirected(res);
  });
  // As a facility's own Fastify server keeps idle connections (longer than HAProxy's 10 s reuse).
  server.keepAliveTimeout = 72_000;
  // Every connection, upgraded ones too (WebSockets leave the HTTP server's own count).
  const connections = new Set<Duplex>();
  server.on('connection', (c: Duplex) => {
    connections.add(c);
    c.once('close', () => connections.delete(c));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const target = targetOf(req);
    // The province app opens no sockets: its host upgrades nothing, like an unknown one.
    if (target && target.listenerCount('upgrade') > 0) target.emit('upgrade', req, socket, head);
    else if (pausedFor(req))
      socket.end(
        `HTTP/1.1 503 Service Unavailable\r\nretry-after: 2\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`,
      );
    else socket.end(`HTTP/1.1 421 Misdirected Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  });

  return {
    server,
    get facilities() {
      return facilities;
    },
    app: provinceApp,
    db,
    accounts,
    facilityOf: (host) => facilityByHost.get(host.toLowerCase()),
    reload,
    listen: (port, host) =>
      new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
      }),
    async close() {
      // No new connections; each facility then closes its sockets, timers and database.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await reloading;
      await Promise.allSettled(facilities.map((f) => f.app.close()));
      await provinceApp.close();
      server.closeAllConnections();
      for (const c of connections) c.destroy();
      await closed;
      await db.close();
    },
  };
}
