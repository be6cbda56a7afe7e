/** Builds the whole server from a config: the composition root used by main.ts and by tests. */
import Fastify, { type FastifyInstance } from 'fastify';
import { err, type CalledTicket, type FleetAlert, type QueueEntry } from '@kiosk/protocol';
import { encryptionKeysOf, type Config } from './config';
import { ColumnCipher } from './repositories/column-cipher';
import { migrateToLatest, openDatabase, type Db } from './db/database';
import { createLogger, type Logger } from './logger';
import { systemClock, facilityDay, type Clock } from './clock';
import { AuthService } from './services/auth.service';
import { FacilityService } from './services/facility.service';
import { CheckInService } from './services/checkin.service';
import { OfflineService } from './services/offline.service';
import { QueueService } from './services/queue.service';
import { FleetService } from './services/fleet.service';
import { PatientService } from './services/patient.service';
import { IdentityConflictService } from './services/identity-conflict.service';
import { TrustStoreService } from './services/trust-store.service';
import { RetentionService } from './services/retention.service';
import { AlertService } from './services/alert.service';
import { StatsService } from './services/stats.service';
import { PrivacyService } from './services/privacy.service';
import { DisplayService } from './services/display.service';
import { ReportService } from './services/report.service';
import { PaymentService } from './services/payment.service';
import { AppointmentService } from './services/appointment.service';
import { FleetManagementService } from './services/fleet-management.service';
import { registerFleetManagementRoutes } from './http/fleet-management.routes';
import { TicketStatusService } from './services/ticket-status.service';
import { patientNotifiersOf, ZNS_REFRESH_TOKEN_SETTING } from './integrations/patient-notifiers';
import { registerTicketStatusRoutes } from './http/ticket-status.routes';
import { registerAppointmentRoutes } from './http/appointment.routes';
import { registerBankStatementRoute, registerPaymentRoutes } from './http/payment.routes';
import { createBankStatementPoller, type BankStatementPoller } from './integrations/bank-statement.poller';
import { HttpClient } from './integrations/http.client';
import type { Services } from './services';
import { createRepositories, type Repositories } from './repositories';
import { registerRoutes } from './http/routes';
import { registerReprintRoutes } from './http/reprint.routes';
import { registerKioskRoutes } from './http/kiosk.routes';
import { registerAdminRoutes } from './http/admin.routes';
import { registerPrivacyRoutes } from './http/privacy.routes';
import { registerIdentityConflictRoutes } from './http/identity-conflict.routes';
import { registerTrustStoreRoutes } from './http/trust-store.routes';
import { registerDisplayRoutes } from './http/display.routes';
import { registerLanguageRoutes } from './http/language.routes';
import { registerReportRoutes } from './http/report.routes';
import { ApiRegistry, type DeclaredRoute } from './http/api';
import { registerOpsRoutes } from './http/ops.routes';
import { registerStaticPages } from './http/static-pages';
import { addSecurityHeaders } from './http/edge';
import { createRealtime, type Realtime } from './realtime/realtime';
import { demoLogins, seedDemoFacility } from './demo-seed';
import { Metrics } from './ops/metrics';
import { GroupCommitter, directCommitter, type Committer } from './db/group-commit';
import { Integrations, registerIntegrationRoutes } from './integrations';
import { SqliteBackups } from './ops/backup';
import path from 'node:path';

/**
 * socket.io's PostgreSQL adapter on its own pool of two: one connection stays in LISTEN, the
 * other publishes. The adapter delivers an event locally only after publishing it, so a single
 * publishing connection keeps events in the order they were emitted, here and on other instances.
 */
async function postgresFanOut(url: string, log: Logger) {
  const [{ default: pg }, { createAdapter }] = await Promise.all([import('pg'), import('@socket.io/postgres-adapter')]);
  // A NOTIFY commits a transaction of its own: with synchronous_commit on, every event waited for
  // a WAL flush on the one publishing connection, and under load the events queued in memory
  // faster than they left. Notifications are not data (a lost one is a missed refresh, and a
  // crash loses the listeners anyway), so these two connections commit without waiting.
  const pool = new pg.Pool({ connectionString: url, max: 2, options: '-c synchronous_commit=off' });
  pool.on('error', (e) => log.warn({ err: String(e) }, 'realtime fan-out pool error'));
  const adapter = createAdapter(pool, {
    errorHandler: (e) => log.warn({ err: String(e) }, 'realtime fan-out error'),
  });
  return { adapter, close: () => pool.end() };
}

/** How long a shutdown waits for open connections to finish before closing them. */
const SHUTDOWN_GRACE_MS = 5000;

const dialectOf = (url: string) => (url.startsWith('sqlite:') ? 'sqlite' : 'postgres');

export interface ServerApp {
  http: FastifyInstance;
  services: Services;
  realtime: Realtime;
  log: Logger;
  metrics: Metrics;
  /** Every route Fastify registered (HEAD included), for the authorization suite. */
  routes: readonly { method: string; url: string }[];
  /** EMR port and outbox, BHYT gateway, Decision 4750 record. */
  integrations: Integrations;
  /** The declared API routes with their access rules, as in /api/openapi.json. */
  api: readonly DeclaredRoute[];
  /** Reads the bank's statement (undefined: no statement API configured). */
  bankStatement: BankStatementPoller | undefined;
  /** Where units of work commit (grouped on SQLite): what check-ins and tickets go through. */
  committer: Committer;
  /** Every query of the server, one repository per aggregate. */
  repositories: Repositories;
  /** SQLite files: the scheduled online backups (PostgreSQL: pg_dump and WAL archiving, see deploy/). */
  backups: SqliteBackups | undefined;
  /** Listens and resolves with the bound port. */
  listen(): Promise<number>;
  /**
   * Readies every route without binding a port: a front server that routes by host hands this
   * app's `http.server` its requests and upgrades (socket.io is attached to that server).
   */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export async function createServerApp(
  config: Config,
  options: { clock?: Clock; log?: Logger } = {},
): Promise<ServerApp> {
  const log = options.log ?? createLogger(config.LOG_LEVEL);
  const clock = options.clock ?? systemClock;
  const metricsRef: { current?: Metrics } = {};
  const db: Db = await openDatabase(
    config.DATABASE_URL,
    (sql, ms, failed) => metricsRef.current?.observeQuery(sql, ms, dialectOf(config.DATABASE_URL), failed),
    {
      sqliteCacheMb: config.SQLITE_CACHE_MB,
      pgPoolMax: config.PG_POOL_MAX,
      onWalSync: (ms) => metricsRef.current?.walSync(ms / 1000),
      onCheckpointProblem: (message) => log.warn({ err: message }, 'WAL checkpoint problem'),
    },
  );
  await migrateToLatest(db);

  const http = Fastify({
    logger: false,
    bodyLimit: 256 * 1024,
    trustProxy: config.TRUST_PROXY.length > 0 ? config.TRUST_PROXY : false,
  });
  // Bodies are JSON only: a text/plain body (what a cross-site form or a "simple" fetch sends) is
  // refused (415) instead of parsed.
  http.removeContentTypeParser('text/plain');
  addSecurityHeaders(http, { tls: config.TLS });
  const registeredRoutes: { method: string; url: string }[] = [];
  http.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) registeredRoutes.push({ method, url: route.url });
  });
  // Nothing thrown inside a route reaches a client as text: 4xx from Fastify itself (a body that
  // is not JSON, too large …) become validation-failed, anything else an opaque internal-error.
  http.setErrorHandler(async (thrown: unknown, req, reply) => {
    const error = (thrown ?? {}) as { statusCode?: unknown; code?: string; name?: string };
    const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (status >= 400 && status < 500)
      return reply
        .code(status)
        .send({ ok: false, error: { code: 'validation-failed', message: error.code ?? 'bad request' } });
    log.error({ route: req.routeOptions.url ?? 'unmatched', err: error.code ?? error.name }, 'request failed');
    return reply
      .code(500)
      .send({ ok: false, error: { code: 'internal-error', message: 'the server could not complete this request' } });
  });
  http.addHook('onResponse', async (req, reply) => {
    // The route pattern, never the raw URL: paths and queries may carry identifiers.
    log.debug(
      {
        method: req.method,
        route: req.routeOptions.url ?? 'unmatched',
        status: reply.statusCode,
        ms: reply.elapsedTime,
      },
      'http',
    );
  });
  // Services are built before the socket layer that broadcasts their events.
  const rt: { current?: Realtime } = {};
  const statusRef: { current?: TicketStatusService } = {};
  const broadcast = {
    issued: (e: QueueEntry) => {
      metricsRef.current?.ticketsIssued.inc({ service: e.serviceId });
      rt.current?.ticketIssued(e);
      rt.current?.ticketStatusChanged(e.serviceId);
    },
    changed: (e: QueueEntry) => {
      metricsRef.current?.transitions.inc({ status: e.status });
      rt.current?.ticketChanged(e);
      rt.current?.ticketStatusChanged(e.serviceId);
      void statusRef.current?.onChanged(e);
    },
    called: (c: CalledTicket) => {
      metricsRef.current?.calls.inc({ service: c.serviceId });
      rt.current?.callAnnounced(c);
      void statusRef.current?.onCalled(c);
    },
    alert: (a: FleetAlert) => rt.current?.alertChanged(a),
  };
  const grouped = config.GROUP_COMMIT === 'on' || (config.GROUP_COMMIT === 'auto' && db.dialect === 'sqlite');
  const committer: Committer = grouped
    ? new GroupCommitter(db, {
        windowMs: config.GROUP_COMMIT_WINDOW_MS,
        maxBatch: config.GROUP_COMMIT_MAX_BATCH,
        onBatch: (size) => metricsRef.current?.groupCommitBatch.observe(size),
        ...(db.beforeGroupCommit ? { beforeBatch: db.beforeGroupCommit } : {}),
      })
    : directCommitter(db);
  // Every other unit of work (queue transitions, admin changes, purges) is a transaction of its own.
  const transactions = directCommitter(db);
  const keys = encryptionKeysOf(config);
  const cipher = new ColumnCipher(keys, keys.length > 0 ? config.DATA_KEY_ID : undefined);
  const repositories = createRepositories(db, clock, cipher);
  // PostgreSQL: the day partitions of tickets and events from yesterday to a week ahead, made
  // now and re-checked every hour (a day without one lands in the default partition).
  const partitionDays = () => {
    const now = clock.now().getTime();
    const days = new Set<string>();
    for (let d = -1; d <= 7; d++) {
      const at = new Date(now + d * 86_400_000);
      days.add(facilityDay(at, config.FACILITY_TIME_ZONE));
      days.add(at.toISOString().slice(0, 10));
    }
    return [...days].sort();
  };
  const ensurePartitions = async () => {
    const failed = await transactions.run((trx) => repositories.partitions.ensureDays(trx, partitionDays()));
    if (failed.length > 0)
      log.warn({ days: failed }, 'day partitions not made (their rows stay in the default partition)');
  };
  if (repositories.partitions.partitioned) await ensurePartitions();
  const auth = new AuthService(repositories.staff, transactions, clock, config.SESSION_TTL_HOURS * 3600_000, {
    perAccount: config.LOGIN_MAX_FAILURES_PER_ACCOUNT,
    perAddress: config.LOGIN_MAX_FAILURES_PER_ADDRESS,
    overall: config.LOGIN_MAX_FAILURES_OVERALL,
    windowMs: config.LOGIN_WINDOW_MINUTES * 60_000,
    maxTracked: config.LOGIN_TRACKED_KEYS,
  });
  const integrations = new Integrations(config, { repositories, transactions, clock, log });
  const retention = new RetentionService(repositories, transactions, clock, config.RETENTION_DAYS, log);
  const facility = new FacilityService(repositories, transactions, () =>
    facilityDay(clock.now(), config.FACILITY_TIME_ZONE),
  );
  const checkIn = new CheckInService({
    repositories,
    committer,
    clock,
    timeZone: config.FACILITY_TIME_ZONE,
    hospitalName: config.HOSPITAL_NAME,
    privacyNoticeVersion: config.PRIVACY_NOTICE_VERSION,
    log,
    onIssued: broadcast.issued,
    ...(config.PUBLIC_URL ? { publicUrl: config.PUBLIC_URL } : {}),
    onOutcome: (outcome, ms) => {
      metricsRef.current?.checkIns.inc({ outcome });
      metricsRef.current?.checkInSeconds.observe(ms / 1000);
    },
    hooks: integrations.checkInHooks,
    // People ahead in the queue's own call order (the status page's), × the service's pace.
    describeTicket: async (serviceId, ticketId, line) => {
      const [chosen, place] = await Promise.all([
        facility.serviceNames(serviceId),
        line ? services.ticketStatus.placeIn(serviceId, line) : services.ticketStatus.placeOf(serviceId, ticketId),
      ]);
      const peopleAhead = place?.ahead ?? 0;
      return {
        ...(chosen ? { serviceName: chosen.name, departmentName: chosen.department } : {}),
        peopleAhead,
        estimatedWaitMinutes: Math.round((peopleAhead * (place?.paceMs ?? 0)) / 60_000),
      };
    },
    // PostgreSQL commits each check-in as one statement unless told to group them.
    ...(db.dialect === 'postgres' && !grouped && !cipher.enabled ? { oneStatement: repositories.checkIns } : {}),
  });
  const notifiers = patientNotifiersOf(config, {
    log,
    storedZnsRefreshToken: await repositories.catalogue.setting(ZNS_REFRESH_TOKEN_SETTING),
    keepZnsRefreshToken: (token) =>
      void repositories.catalogue
        .saveSetting(ZNS_REFRESH_TOKEN_SETTING, token, clock.now().toISOString())
        .catch((e: unknown) => log.error({ err: String(e) }, 'keeping the rotated ZNS refresh token failed')),
  });
  const services: Services = {
    db,
    auth,
    facility,
    checkIn,
    appointments: new AppointmentService(
      repositories,
      checkIn,
      clock,
      {
        timeZone: config.FACILITY_TIME_ZONE,
        window: { earlyMin: config.APPOINTMENT_EARLY_MINUTES, lateMin: config.APPOINTMENT_LATE_MINUTES },
        transactions,
        onNoShows: async (trx, noShows) => void (await integrations.enqueueNoShows(trx, noShows)),
        noShowsCommitted: () => integrations.worker.nudge(),
        closeAt: config.APPOINTMENTS_CLOSE_AT === 'off' ? undefined : config.APPOINTMENTS_CLOSE_AT,
      },
      log,
    ),
    queue: new QueueService({
      repositories,
      transactions,
      clock,
      timeZone: config.FACILITY_TIME_ZONE,
      ...(config.PUBLIC_URL ? { publicUrl: config.PUBLIC_URL } : {}),
      policy: {
        priorityRatio: config.PRIORITY_RATIO,
        priorityClasses: config.PRIORITY_CLASSES,
        ordering: config.PRIORITY_ORDERING,
        noShowAfterSkips: config.NO_SHOW_AFTER_SKIPS,
        defaultServiceMs: config.DEFAULT_SERVICE_MINUTES * 60_000,
        appointmentWindow: { earlyMin: config.APPOINTMENT_EARLY_MINUTES, lateMin: config.APPOINTMENT_LATE_MINUTES },
      },
      onCalled: (call, entry) => {
        broadcast.called(call);
        broadcast.changed(entry);
      },
      onChanged: broadcast.changed,
      onIssued: broadcast.issued,
    }),
    fleet: new FleetService(repositories.agents, transactions, clock, repositories.alerts),
    patients: new PatientService(repositories, clock, auth, config.PRIVACY_NOTICE_VERSION),
    identityConflicts: new IdentityConflictService(repositories, transactions, clock, auth),
    trustStore: new TrustStoreService(repositories, clock, auth, (set) => rt.current?.trustChanged(set)),
    retention,
    privacy: new PrivacyService(repositories, transactions, clock, auth, {
      controller: config.HOSPITAL_NAME,
      privacyNoticeVersion: config.PRIVACY_NOTICE_VERSION,
      retention: {
        insuranceCheckDays: config.RETENTION_INSURANCE_CHECK_DAYS,
        emrDeliveredDays: config.RETENTION_EMR_DELIVERED_DAYS,
        auditDays: config.RETENTION_AUDIT_DAYS,
        breachDays: config.RETENTION_BREACH_DAYS,
        keepCheckinRecords: config.ERASURE_KEEPS_CHECKIN_RECORDS,
      },
      visitDays: () => retention.retentionDays(),
    }),
    alerts: new AlertService(repositories, clock, broadcast.alert, config.KIOSK_OFFLINE_AFTER_SECONDS * 1000),
    stats: new StatsService(repositories, clock, config.FACILITY_TIME_ZONE),
    displays: new DisplayService(repositories, transactions, clock, {
      hospitalName: config.HOSPITAL_NAME,
      listServices: () => facility.listServices(),
    }),
    reports: new ReportService(repositories, config.FACILITY_TIME_ZONE, () =>
      facilityDay(clock.now(), config.FACILITY_TIME_ZONE),
    ),
    payments: new PaymentService(
      repositories,
      transactions,
      clock,
      {
        bank: {
          bin: config.PAYMENT_BANK_BIN,
          accountNumber: config.PAYMENT_ACCOUNT_NUMBER,
          accountName: config.PAYMENT_ACCOUNT_NAME,
          bankName: config.PAYMENT_BANK_NAME,
        },
        timeoutMs: config.PAYMENT_TIMEOUT_MINUTES * 60_000,
        webhookSecrets: config.BANK_WEBHOOK_SECRETS,
        signatureToleranceMs: config.BANK_SIGNATURE_TOLERANCE_SECONDS * 1000,
        timeZone: config.FACILITY_TIME_ZONE,
        onUpdate: (agentId, update) => {
          if (agentId !== null) rt.current?.paymentUpdated(agentId, update);
        },
        ...(integrations.paymentInvoices ? { invoices: integrations.paymentInvoices } : {}),
      },
      log,
    ),
    fleetManagement: new FleetManagementService(
      repositories.fleetManagement,
      repositories.agents,
      transactions,
      clock,
      log,
    ),
    ticketStatus: new TicketStatusService(
      repositories,
      { paceOf: (serviceId, day, now) => services.queue.paceOf(serviceId, day, now) },
      clock,
      {
        timeZone: config.FACILITY_TIME_ZONE,
        hospitalName: config.HOSPITAL_NAME,
        policy: {
          priorityRatio: config.PRIORITY_RATIO,
          priorityClasses: config.PRIORITY_CLASSES,
          ordering: config.PRIORITY_ORDERING,
        },
        directionsUrl: config.STATUS_DIRECTIONS_URL,
        placesAhead: config.STATUS_NOTIFY_PLACES_AHEAD,
        guesses: { burst: config.STATUS_GUESS_BURST, perSecond: config.STATUS_GUESS_PER_MINUTE / 60 },
        maxKeys: config.RATE_LIMIT_MAX_KEYS,
        vapidPublicKey: config.VAPID_PUBLIC_KEY,
        notifiers: notifiers.notifiers,
      },
      log,
    ),
    offline: new OfflineService({
      repositories,
      transactions,
      checkIn,
      clock,
      timeZone: config.FACILITY_TIME_ZONE,
      hospitalName: config.HOSPITAL_NAME,
      ...(config.PUBLIC_URL ? { publicUrl: config.PUBLIC_URL } : {}),
      blockSize: config.OFFLINE_LEASE_BLOCK,
      lowWater: Math.min(config.OFFLINE_LEASE_LOW_WATER, config.OFFLINE_LEASE_BLOCK),
      onConflict: async (agentId, checkInId, detail) => {
        await services.alerts.raise('offline-checkin-conflict', agentId, checkInId, 'warning', detail);
      },
      log,
    }),
  };
  statusRef.current = services.ticketStatus;

  const metrics = new Metrics({
    waitingByService: () => services.queue.waitingByService(),
    openAlertsByKind: () => services.alerts.openCounts(),
    defaultPartitionUsed: () => repositories.partitions.defaultUsed(),
  });
  metricsRef.current = metrics;
  integrations.attach({
    registry: metrics.registry,
    setEmrDeliveryFailing: (failing, detail) => services.alerts.setEmrDeliveryFailing(failing, detail),
    setPortalDeliveryFailing: (failing, detail) => services.alerts.setPortalDeliveryFailing(failing, detail),
    setEInvoiceDeliveryFailing: (failing, detail) => services.alerts.setEInvoiceDeliveryFailing(failing, detail),
    raiseInsuranceRefused: async (agentId, checkInId, detail) => {
      await services.alerts.raise('offline-insurance-refused', agentId ?? 'server', checkInId, 'warning', detail);
    },
  });

  if (config.NODE_ENV === 'production')
    for (const u of demoLogins)
      if (await auth.acceptsPassword(u.username, u.password)) {
        await db.close();
        throw new Error(
          `demo-password-in-production: the account '${u.username}' still has its published demo password; change or disable it before starting in production`,
        );
      }
  if (config.DEMO) {
    if (await seedDemoFacility(repositories.catalogue, transactions)) log.info('seeded the demo hospital');
    if (!(await auth.hasUsers())) for (const u of demoLogins) await auth.createUser(u.username, u.password, u.role);
  }
  if (config.BOOTSTRAP_PAIRING_CODE)
    await services.fleet.createPairingCode('bootstrap', 10 * 60_000, config.BOOTSTRAP_PAIRING_CODE);

  const api = new ApiRegistry(http, auth, {
    session: { burst: config.HTTP_RATE_BURST, perSecond: config.HTTP_RATE_PER_SECOND },
    address: { burst: config.HTTP_ADDRESS_RATE_BURST, perSecond: config.HTTP_ADDRESS_RATE_PER_SECOND },
    maxKeys: config.RATE_LIMIT_MAX_KEYS,
    allowedOrigins: config.ALLOWED_ORIGINS,
    onLimited: (group) => metricsRef.current?.rateLimited.inc({ edge: 'http', group }),
  });
  registerRoutes(api, services, config.SESSION_TTL_HOURS * 3600);
  registerAdminRoutes(api, services, {
    agentRevoked: (agentId) => rt.current?.disconnectAgent(agentId),
    servicesChanged: () => {
      services.checkIn.invalidateServices();
      services.facility.forgetNames();
      rt.current?.displayReconfigured(null);
      services.facility.listServices().then(
        (list) => rt.current?.servicesChanged(list),
        (e: unknown) => log.warn({ err: String(e) }, 'services broadcast failed'),
      );
    },
  });
  registerLanguageRoutes(api, services, {
    now: () => clock.now(),
    // Names in further languages travel with the service list the kiosks hold.
    servicesChanged: () => {
      services.facility.forgetNames();
      void services.facility.listServices().then(
        (list) => rt.current?.servicesChanged(list),
        (e: unknown) => log.warn({ err: String(e) }, 'services broadcast failed'),
      );
    },
  });
  registerPrivacyRoutes(api, services);
  registerIdentityConflictRoutes(api, services);
  registerTrustStoreRoutes(api, services);
  registerDisplayRoutes(api, services, {
    reconfigured: (displayId) => rt.current?.displayReconfigured(displayId),
    revoked: (displayId) => rt.current?.disconnectDisplay(displayId),
  });
  registerReportRoutes(api, services);
  registerKioskRoutes(api, services, {
    hospitalName: config.HOSPITAL_NAME,
    accentColor: config.HOSPITAL_ACCENT_COLOR,
    ...(config.KIOSK_AGENT_PORT ? { agentPort: config.KIOSK_AGENT_PORT } : {}),
    now: () => clock.now(),
  });
  registerPaymentRoutes(api, services, config.FACILITY_TIME_ZONE, clock);
  const statementHttp = new HttpClient();
  const bankStatement = createBankStatementPoller(config, {
    settings: repositories.catalogue,
    settle: (credit) => services.payments.settleCredit(credit, 'statement'),
    setFailing: (failing, detail) => services.alerts.setBankStatementFailing(failing, detail),
    clock,
    log,
    http: statementHttp,
  });
  registerBankStatementRoute(api, () => bankStatement?.state());
  registerAppointmentRoutes(api, services);
  registerFleetManagementRoutes(api, services);
  registerReprintRoutes(api, services, (agentId, command) =>
    rt.current ? rt.current.printOnAgent(agentId, command) : Promise.resolve(err('kiosk-offline', 'not ready')),
  );
  registerOpsRoutes(api, metrics, config.METRICS_TOKEN);
  registerIntegrationRoutes(api, { integrations, auth, timeZone: config.FACILITY_TIME_ZONE });
  registerStaticPages(api, config.UI_DIST);
  registerTicketStatusRoutes(api, services, config.UI_DIST, config.HOSPITAL_NAME);
  // The kiosk page is served by the server but talks to its own agent; staff pages are same-origin.
  // With PostgreSQL, events reach clients on every server instance through LISTEN/NOTIFY.
  const fanOut = db.dialect === 'postgres' ? await postgresFanOut(config.DATABASE_URL, log) : undefined;
  const realtime = createRealtime(http.server, services, log, {
    allowedOrigins: config.ALLOWED_ORIGINS,
    limits: {
      socket: { burst: config.SOCKET_RATE_BURST, perSecond: config.SOCKET_RATE_PER_SECOND },
      session: { burst: config.SESSION_RATE_BURST, perSecond: config.SESSION_RATE_PER_SECOND },
      maxInFlight: config.SOCKET_MAX_IN_FLIGHT,
      floodAfter: config.SOCKET_FLOOD_DISCONNECT_AFTER,
      maxSessions: config.RATE_LIMIT_MAX_KEYS,
    },
    onLimited: (namespace, event) => metricsRef.current?.rateLimited.inc({ edge: namespace, group: event }),
    insurance: integrations,
    adapter: fanOut?.adapter,
  });
  rt.current = realtime;
  services.fleetManagement.channel = realtime.agentChannel;

  const timers: NodeJS.Timeout[] = [];
  let sweeping = false;
  const sweep = () => {
    if (sweeping) return;
    sweeping = true;
    services.alerts
      .sweepOffline()
      .catch((e: unknown) => log.error({ err: String(e) }, 'offline sweep failed'))
      .finally(() => {
        sweeping = false;
      });
  };
  timers.push(setInterval(sweep, config.ALERT_SWEEP_INTERVAL_MS).unref());
  if (repositories.partitions.partitioned) {
    const ensure = () =>
      ensurePartitions().catch((e: unknown) => log.error({ err: String(e) }, 'making day partitions failed'));
    timers.push(setInterval(ensure, 3600_000).unref());
  }
  if (config.RETENTION_PURGE_INTERVAL_MINUTES > 0) {
    const purge = () =>
      services.retention
        .purge()
        .then(() => services.privacy.purgeByKind())
        .catch((e: unknown) => log.error({ err: String(e) }, 'retention purge failed'));
    timers.push(setInterval(purge, config.RETENTION_PURGE_INTERVAL_MINUTES * 60_000).unref());
  }
  let expiring = false;
  const expirePayments = () => {
    if (expiring) return;
    expiring = true;
    services.payments
      .expireDue()
      .catch((e: unknown) => log.error({ err: String(e) }, 'payment expiry sweep failed'))
      .finally(() => {
        expiring = false;
      });
  };
  timers.push(setInterval(expirePayments, config.PAYMENT_SWEEP_INTERVAL_MS).unref());
  bankStatement?.start();
  let closing = false;
  const closeSessions = async (): Promise<void> => {
    if (closing) return;
    closing = true;
    await services.appointments
      .closeDue()
      .catch((e: unknown) => log.error({ err: String(e) }, 'closing the appointment session failed'))
      .finally(() => {
        closing = false;
      });
  };
  await integrations.loadSettings();
  const sweepStatus = () =>
    services.ticketStatus.sweep().catch((e: unknown) => log.error({ err: String(e) }, 'opt-in sweep failed'));
  void sweepStatus();
  timers.push(setInterval(sweepStatus, config.STATUS_SWEEP_INTERVAL_MS).unref());
  integrations.start();
  // After the outbox worker runs: no-shows of days closed at start go to the EMR at once. The
  // server answers only once the days left open are closed, so no one sees yesterday still booked.
  await closeSessions();
  timers.push(setInterval(() => void closeSessions(), config.APPOINTMENTS_CLOSE_CHECK_MS).unref());
  const sqliteFile = config.DATABASE_URL.slice('sqlite:'.length);
  const backups = db.backup
    ? new SqliteBackups(db, {
        dir: config.BACKUP_DIR ?? path.join(path.dirname(path.resolve(sqliteFile)), 'backups'),
        keep: config.BACKUP_KEEP,
        intervalMinutes: config.BACKUP_INTERVAL_MINUTES,
        clock,
        log,
        onResult: (succeeded, seconds, at) => {
          metrics.backupSeconds.set(seconds);
          if (succeeded) metrics.backupLastSuccess.set(at.getTime() / 1000);
          else metrics.backupFailures.inc();
        },
      })
    : undefined;
  backups?.start();

  return {
    http,
    services,
    committer,
    repositories,
    backups,
    realtime,
    log,
    metrics,
    integrations,
    routes: registeredRoutes,
    api: api.routes,
    bankStatement,
    async listen() {
      await http.listen({ port: config.PORT, host: config.HOST });
      const address = http.server.address();
      return typeof address === 'object' && address ? address.port : config.PORT;
    },
    async ready() {
      await http.ready();
    },
    async close() {
      for (const t of timers) clearInterval(t);
      await backups?.stop();
      // In-flight requests get a grace period; a connection still open after it (a client that
      // never finishes its request or its WebSocket close) must not hold the shutdown forever.
      const force = setTimeout(() => {
        http.server.getConnections((_e, open) => log.warn({ open }, 'shutdown: closing connections still open'));
        http.server.closeAllConnections();
      }, SHUTDOWN_GRACE_MS);
      await realtime.close();
      await http.close();
      clearTimeout(force);
      await bankStatement?.stop();
      statementHttp.close();
      await committer.drain();
      await integrations.stop();
      await services.ticketStatus.settled();
      notifiers.close();
      await fanOut?.close();
      await db.close();
    },
  };
}
