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
import { createServerApp, type ServerApp } from '../app';
import { migrateToLatest, openDatabase, type Db } from '../db/database';
import { createLogger, type Logger } from '../logger';
import { systemClock, type Clock } from '../clock';
import { StaffRepository } from '../repositories/staff.repository';
import { facilityPlans, hostNameOf, type FacilitiesFile } from './facilities-file';
import { ProvinceAccounts } from './province-accounts';
import { createProvinceApp, type ProvinceFacility } from './province-app';
import type { FastifyInstance } from 'fastify';

export interface Province {
  /** The front server every connection reaches. */
  server: Server;
  facilities: readonly ProvinceFacility[];
  /** The province's own app and database. */
  app: FastifyInstance;
  db: Db;
  accounts: ProvinceAccounts;
  /** The facility a host name is served by (undefined: the province's, or nobody's). */
  facilityOf(host: string): ProvinceFacility | undefined;
  /** Listens and resolves with the bound port. */
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

const MISDIRECTED = JSON.stringify({
  ok: false,
  error: { code: 'unknown-host', message: 'this server does not serve that host name' },
});

/** Answers a request for a host nobody here serves. */
function misdirected(res: ServerResponse): void {
  res.writeHead(421, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(MISDIRECTED),
  });
  res.end(MISDIRECTED);
}

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
  } = {},
): Promise<Province> {
  const plans = facilityPlans(file, options.baseEnv ?? {});
  const log = options.log ?? createLogger(plans[0]?.config.LOG_LEVEL ?? 'info', 'province');
  const clock = options.clock ?? systemClock;
  const facilities: ProvinceFacility[] = [];
  const started: ServerApp[] = [];
  let provinceDb: Db | undefined;
  try {
    for (const plan of plans) {
      const app = await createServerApp(plan.config, { clock, log: log.child({ facility: plan.code }) });
      started.push(app);
      // Each facility's metrics carry its code, so one Prometheus job may scrape every host.
      app.metrics.registry.setDefaultLabels({ facility: plan.code });
      await app.ready();
      facilities.push({ code: plan.code, name: plan.name, hosts: plan.hosts, app });
    }
    // Its accounts, sessions and audit log only: a small cache, a pool of two.
    provinceDb = await openDatabase(file.province.databaseUrl, undefined, { sqliteCacheMb: 8, pgPoolMax: 2 });
    await migrateToLatest(provinceDb);
  } catch (e) {
    await Promise.allSettled(started.map((a) => a.close()));
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
    facilities,
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

  const targets = new Map<string, Server>();
  for (const h of file.province.hosts) targets.set(h, provinceApp.server);
  const facilityByHost = new Map<string, ProvinceFacility>();
  for (const f of facilities)
    for (const h of f.hosts) {
      targets.set(h, f.app.http.server);
      facilityByHost.set(h, f);
    }
  const targetOf = (req: IncomingMessage) => {
    const host = hostNameOf(req.headers.host);
    return host === undefined ? undefined : targets.get(host);
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
    else socket.end(`HTTP/1.1 421 Misdirected Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  });

  return {
    server,
    facilities,
    app: provinceApp,
    db,
    accounts,
    facilityOf: (host) => facilityByHost.get(host.toLowerCase()),
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
      await Promise.allSettled(facilities.map((f) => f.app.close()));
      await provinceApp.close();
      server.closeAllConnections();
      for (const c of connections) c.destroy();
      await closed;
      await db.close();
    },
  };
}
