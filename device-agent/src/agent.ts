/**
 * The agent's composition root: devices (simulated, or discovered hardware) through one device
 * manager, the kiosk session, the kiosk UI gateway, the simulator namespace and the server link.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  describePayload,
  err,
  ok,
  type AgentDiagnostics,
  type RemoteFeature,
  type AgentFeatures,
  type AgentHeartbeat,
  type ClassifiedScan,
  type IdentificationState,
  type Ticket,
  type TrustApplied,
} from '@kiosk/protocol';
import type { AgentConfig } from './config';
import type { Logger } from './logger';
import { DeviceRegistry } from './devices/device-registry';
import { DeviceManager } from './devices/device-manager';
import type { DeviceSource, TransportOpener } from './devices/device-source';
import type { CardEvent } from './devices/card-reader.device';
import { HardwareDeviceSource, hardwareOpener } from './devices/hardware.source';
import { ChipReads } from './devices/chip-reads';
import {
  loadPushedTrust,
  loadTrustStore,
  savePushedTrust,
  storeOfPushed,
  type LoadedTrustStore,
} from './devices/trust-store.loader';
import { testTicket } from './devices/test-ticket';
import { startUiGateway, type UiGateway } from './gateway/ui.gateway';
import { ServerLink } from './server-link/server-link';
import {
  classifyScan,
  createTrustStore,
  EMPTY_TRUST_STORE,
  IdentificationSession,
  mergeTrustStores,
  type SessionKey,
  type TrustStore,
} from './identity';
import type { DiscoverySources } from './transports';
import { createSimulatedDevices, type SimulatedDevices } from './simulator/simulated-devices';
import { attachSimGateway, refuseSimGateway } from './simulator/sim.gateway';
import type { TestPki } from './simulator/virtual-cccd/pki';
import { runCheckIn } from './checkin.flow';
import { printPaymentReceipt, printVietQrSlip, runAppointmentCheckIn } from './payment.flow';
import { Listeners } from './transports/transport';
import { runDoctor } from './transports';
import { applyRemoteConfig, KIOSK_LANGUAGES, loadRemoteConfig, saveRemoteConfig } from './management/remote-config';
import { DeviceErrorLog, scrub } from './management/diagnostics';
import { EXIT_RESTART, EXIT_UPDATE, readLauncherState, stageBundle } from './management/rollout';
import { readPublicKey, verifyBundle } from './management/bundle';
import { OfflineJournal } from './offline/offline-journal';
import { OfflineSync } from './offline/offline-sync';
import { createCardTerminal } from './payments/card-terminal.setup';
import { abortCardSale, recoverCardSale, runCardPayment, type CardPaymentDeps } from './payments/card-payment.flow';
import type { CardTerminal } from './payments/card-terminal.device';

export const SOFTWARE_VERSION = '0.1.0';

export interface Agent {
  gateway: UiGateway;
  link: ServerLink;
  registry: DeviceRegistry;
  devices: DeviceManager;
  session: IdentificationSession;
  /** The chip identities this agent read in the current session (provenance of check-ins). */
  chipReads: ChipReads;
  simulated: SimulatedDevices | undefined;
  trust: LoadedTrustStore;
  /** The version running (the launcher's bundle, else this build's). */
  version: string;
  /** The agent asks its process to exit with this code (restart, switch to a staged version): main.ts exits. */
  exitRequests: Listeners<[number]>;
  /** Offline check-in (absent when OFFLINE_AFTER_MS is 0). */
  offline: { journal: OfflineJournal; sync: OfflineSync } | undefined;
  /** The card payment terminal (absent: none configured). */
  cardTerminal: CardTerminal | undefined;
  close(): Promise<void>;
}

/** Test seams: a fake discovery listing, or a whole device source and transport opener. */
export interface AgentOverrides {
  discoverySources?: DiscoverySources;
  source?: DeviceSource;
  opener?: TransportOpener;
  /** Simulated mode: the CSCA and document signer of the simulated cards (tests build trust files with it). */
  simulatedPki?: TestPki;
}

export async function createAgent(config: AgentConfig, log: Logger, overrides: AgentOverrides = {}): Promise<Agent> {
  const registry = new DeviceRegistry();
  const version = config.AGENT_VERSION ?? SOFTWARE_VERSION;
  const exitRequests = new Listeners<[number]>();
  // Configuration pushed from the admin page, kept across restarts.
  const remoteConfigFile = path.join(config.AGENT_DATA_DIR, 'remote-config.json');
  let remote = loadRemoteConfig(remoteConfigFile);
  let languages: string[] = remote?.config.languages ?? [...KIOSK_LANGUAGES];
  let featureSwitches: Partial<Record<RemoteFeature, boolean>> = remote?.config.features ?? {};
  const enabled = (f: RemoteFeature) => featureSwitches[f] !== false;
  const errorLog = new DeviceErrorLog();
  const link = new ServerLink({
    serverUrl: config.SERVER_URL,
    ...(config.SERVER_CA_FILE ? { ca: fs.readFileSync(config.SERVER_CA_FILE, 'utf8') } : {}),
    dataDir: config.AGENT_DATA_DIR,
    name: config.AGENT_NAME,
    pairingCode: config.PAIRING_CODE,
    timeoutMs: config.SERVER_TIMEOUT_MS,
    outboxMaxItems: config.OUTBOX_MAX_ITEMS,
    log,
  });

  const journal =
    config.OFFLINE_AFTER_MS > 0
      ? new OfflineJournal(path.join(config.AGENT_DATA_DIR, 'offline-journal.sqlite'))
      : undefined;
  const offlineSync = journal
    ? new OfflineSync({ link, journal, log, batchSize: config.OFFLINE_REPLAY_BATCH })
    : undefined;
  const linkState = () => ({
    connected: link.connected,
    pending: link.pending,
    ...(journal ? { offlineBacklog: journal.backlog().backlog } : {}),
  });

  const simulated =
    config.DEVICES === 'simulated'
      ? createSimulatedDevices({
          printerProfileId: remote?.config.printer?.profileId ?? config.PRINTER_PROFILE,
          readerProfileId: config.READER_PROFILE,
          duplicateWindowMs: config.SCAN_DUPLICATE_WINDOW_MS,
          ...(overrides.simulatedPki ? { pki: overrides.simulatedPki } : {}),
        })
      : undefined;
  const trust = loadTrustStore(config.TRUST_STORE_DIR);
  for (const problem of trust.problems) log.warn({ problem }, 'trust store');
  // The set the server pushed last (admin-imported master lists, certificates, CRLs), kept across restarts.
  const pushedTrustFile = path.join(config.AGENT_DATA_DIR, 'trust-set.json');
  let pushed = loadPushedTrust(pushedTrustFile);
  if (trust.store.anchors.length === 0 && !pushed?.store.anchors.length && !simulated)
    log.warn('no CSCA certificates: chip reads report no-trust-anchor');
  // The simulated world's cards are signed by its own throwaway CSCA, which it trusts unless told
  // not to; built at the first read, not at start.
  let simulatedCsca: TrustStore | undefined;
  let combinedTrust: TrustStore | undefined;
  const trustStore = (): TrustStore => {
    if (combinedTrust) return combinedTrust;
    const parts = [trust.store, pushed?.store ?? EMPTY_TRUST_STORE];
    if (simulated && config.SIMULATED_CSCA_TRUSTED) {
      if (!simulatedCsca) {
        const own = createTrustStore([simulated.pki().csca.pem]);
        simulatedCsca = own.ok ? own.value : EMPTY_TRUST_STORE;
      }
      parts.push(simulatedCsca);
    }
    combinedTrust = mergeTrustStores(...parts);
    return combinedTrust;
  };
  const trustApplied = (): TrustApplied => ({
    revision: pushed?.set.revision ?? 'none',
    anchors: pushed?.store.anchors.length ?? 0,
    crls: pushed?.store.crls?.length ?? 0,
    localAnchors: trust.store.anchors.length,
  });

  // Identities the agent read from chips itself, for this session only (chip-reads.ts).
  const chipReads = new ChipReads(config.SESSION_IDLE_MS);
  // The reader is asked through `devices`, made just below (only when a scan or card arrives).
  const session = new IdentificationSession({
    idleMs: remote?.config.idleTimeoutSec !== undefined ? remote.config.idleTimeoutSec * 1000 : config.SESSION_IDLE_MS,
    cardAwaitingRead: (): boolean => devices.cardAwaitingRead(),
    onWipe: () => {
      chipReads.clear();
      log.info('session wiped');
    },
  });
  const source =
    overrides.source ??
    simulated?.source ??
    new HardwareDeviceSource({
      intervalMs: config.DISCOVERY_INTERVAL_MS,
      ...(overrides.discoverySources && { sources: overrides.discoverySources }),
    });
  const devices = new DeviceManager({
    source,
    opener: overrides.opener ?? simulated?.opener ?? hardwareOpener,
    registry,
    log,
    trustStore,
    sessionKey: (): SessionKey | undefined => session.key(),
    duplicateWindowMs: config.SCAN_DUPLICATE_WINDOW_MS,
  });
  // Staff print a ticket on this agent's printer: a reprint asked through the server (whose
  // answer is the outcome), or a counter page's own registration (reported to the server here).
  const printTicket = async (ticketId: string, ticket: Ticket) => {
    const printer = devices.printer();
    const outcome = printer ? await printer.print(ticket) : { state: 'failed' as const, reason: 'no-printer' };
    log.info({ ticket: ticket.number, state: outcome.state, reason: outcome.reason }, 'staff print');
    return { ticketId, state: outcome.state, ...(outcome.reason ? { reason: outcome.reason } : {}) };
  };
  link.onPrintRequest(async ({ ticketId, ticket }) => ok(await printTicket(ticketId, ticket)));

  const heartbeat = (): AgentHeartbeat => ({
    softwareVersion: version,
    uptimeSec: process.uptime(),
    devices: registry.list(),
    transports: registry.transports,
    storageFaults: link.storageFaults.slice(0, 16),
    ...(journal ? { offline: journal.backlog() } : {}),
    trust: trustApplied(),
  });
  // 'insurance-check' means this agent can relay the BHYT pre-check; the server answers
  // 'insurance-check-off' where the site does not check cards at the kiosk.
  const features = (): AgentFeatures => ({
    features: [
      ...(enabled('card-read') &&
      registry.list().some((d) => d.class === 'card-reader' && d.state !== 'disconnected' && d.state !== 'error')
        ? (['card-read'] as const)
        : []),
      ...(link.connected && enabled('insurance-check') ? (['insurance-check'] as const) : []),
      ...(enabled('payments') && cardTerminal?.ready ? (['card-payment'] as const) : []),
    ],
  });

  const flowDeps = { link, printer: () => devices.printer(), log };
  const cardTerminal = createCardTerminal(config, { registry, log, simulated });
  const cardDeps: CardPaymentDeps = {
    link,
    terminal: () => cardTerminal,
    pendingFile: path.join(config.AGENT_DATA_DIR, 'card-sale.json'),
    log,
  };
  const featureOff = (feature: RemoteFeature) =>
    err('feature-disabled', `${feature} is turned off on this kiosk`, 'go-to-counter');
  const gateway = await startUiGateway({
    port: config.AGENT_PORT,
    allowedOrigins: config.ALLOWED_ORIGINS,
    log,
    limits: {
      burst: config.UI_RATE_BURST,
      perSecond: config.UI_RATE_PER_SECOND,
      maxInFlight: config.UI_MAX_IN_FLIGHT,
      floodAfter: config.UI_FLOOD_DISCONNECT_AFTER,
    },
    commands: {
      'services:list': () => link.services(),
      'checkin:submit': (request) =>
        runCheckIn(request, {
          link,
          printer: () => devices.printer(),
          log,
          chipReads,
          ...(journal
            ? {
                offline: {
                  journal,
                  afterMs: config.OFFLINE_AFTER_MS,
                  issued: () => io.emit('server-link:changed', linkState()),
                },
              }
            : {}),
        }),
      'session:reset': () => {
        session.reset();
        chipReads.clear();
        devices.withdrawConsent();
        return ok(null);
      },
      'card:read': ({ readId }) => {
        const r = devices.consentToRead(readId);
        // The consent event (no personal data: the readId is random per card presentation).
        log.info({ readId, consent: true, accepted: r.ok }, 'chip read consent');
        return r;
      },
      'scan:submit': ({ payload }) => ok(handleScan(payload, 'keyboard-wedge')),
      'insurance:check': (request) => link.insuranceCheck(request),
      'ticket:print': async ({ ticketId, ticket }) => {
        const report = await printTicket(ticketId, ticket);
        link.reportPrint(report);
        return ok(report);
      },
      'card:set-key': (command) => {
        const r = session.setStaffKey(command);
        log.info({ kind: command.kind, accepted: r.ok }, 'staff access key');
        if (r.ok) devices.keyAvailable();
        return r;
      },
      // The quote comes from the server's price list, as fast to answer as a check-in: it gets the
      // same offline budget, so a hung server sends the fee to the cashier and the ticket comes from
      // the lease at once (the link then knows the server does not answer), within 3 s of the tap.
      'payment:quote': (request) =>
        enabled('payments')
          ? link.paymentQuote(request, config.OFFLINE_AFTER_MS > 0 ? config.OFFLINE_AFTER_MS : undefined)
          : featureOff('payments'),
      'payment:start': (request) => (enabled('payments') ? link.paymentStart(request) : featureOff('payments')),
      'payment:cancel': async ({ paymentId }) => {
        // The server first: once it has cancelled, an approval that still comes is refused and VOIDed.
        const cancelled = await link.paymentCancel(paymentId);
        await abortCardSale(paymentId, cardDeps);
        return cancelled;
      },
      'payment:card': (request) => (enabled('payments') ? runCardPayment(request, cardDeps) : featureOff('payments')),
      'payment:print-receipt': ({ paymentId }) => printPaymentReceipt(paymentId, flowDeps),
      'payment:print-qr': ({ paymentId }) => printVietQrSlip(paymentId, flowDeps),
      'appointment:find': (lookup) =>
        enabled('appointments') ? link.appointmentFind(lookup) : featureOff('appointments'),
      'appointment:check-in': (request) => {
        if (!enabled('appointments')) return featureOff('appointments');
        if (request.lookup.by !== 'identity') return runAppointmentCheckIn(request, flowDeps);
        // The patient identity of the visit: a chip claim must be backed by this agent's own read.
        const attested = chipReads.attest(request.lookup.identity);
        if (!attested.ok) return attested;
        const lookup = { by: 'identity' as const, identity: attested.value.identity };
        return runAppointmentCheckIn({ ...request, lookup }, flowDeps);
      },
      'ticket:status': ({ code }) => link.ticketStatus(code),
      'printer:test': async ({ printerId }) => {
        const printer = devices.printer(printerId);
        if (!printer) return err('no-printer', `no printer ${printerId ?? ''}`.trim());
        const outcome = await printer.print(testTicket());
        log.info({ printer: printer.id, state: outcome.state, reason: outcome.reason }, 'test ticket');
        return ok(outcome);
      },
    },
    health: () => ({
      status: 'ok',
      pid: process.pid,
      softwareVersion: version,
      languages,
      configRevision: remote?.revision ?? null,
      devicesMode: config.DEVICES,
      devices: registry.list(),
      transports: registry.transports,
      features: features().features,
      trustAnchors: trust.store.anchors.length,
      serverLink: {
        state: link.state,
        pending: link.pending,
        dropped: link.dropped,
        ...(journal ? { offline: journal.backlog() } : {}),
      },
    }),
  });
  const io = gateway.io;
  // The server's word on a payment goes to this kiosk's page as it comes.
  link.paymentUpdates.add((update) => io.emit('payment:updated', update));
  if (config.AGENT_MODE === 'production') {
    if (simulated) log.warn('production mode: the simulator control namespace is refused');
    refuseSimGateway(io);
  } else if (simulated)
    attachSimGateway(io, simulated, log, {
      burst: config.SIM_RATE_BURST,
      perSecond: config.SIM_RATE_PER_SECOND,
      maxInFlight: config.SIM_MAX_IN_FLIGHT,
      floodAfter: config.UI_FLOOD_DISCONNECT_AFTER,
    });

  // Scans are classified here; the kiosk UI never sees a raw payload.
  devices.scans.add((payload, meta) => void handleScan(payload, meta.scannerId));
  function handleScan(payload: string, scannerId: string): ClassifiedScan {
    const scan: ClassifiedScan = classifyScan(payload);
    // A CCCD QR is one half of the identification: the card on the reader may need it as its key.
    let toPage = true;
    if (scan.kind === 'cccd-qr') {
      const outcome = session.scannedCccd(scan.identity);
      toPage = outcome.kind === 'identity';
      if (outcome.kind === 'start-over') startOver(outcome.state);
      else if (outcome.kind !== 'same-as-chip') devices.keyAvailable();
      log.info({ outcome: outcome.kind }, 'identification: cccd qr');
    } else if (scan.kind === 'bhyt-qr') session.reset();
    else session.touch();
    log.info(
      {
        scanner: scannerId,
        kind: scan.kind,
        size: describePayload(payload),
        ...(scan.kind === 'rejected' ? { reason: scan.reason } : {}),
      },
      'scan',
    );
    if (toPage) io.emit('scan:classified', scan);
    return scan;
  }
  /** The QR and the card are not one person's: both are forgotten, and so is any consent given. */
  function startOver(state: IdentificationState): void {
    devices.withdrawConsent();
    log.info({ readId: state.readId, reason: state.reason }, 'identification: start over');
    io.emit('identification:changed', state);
  }
  devices.cardEvents.add((e: CardEvent) => chipReads.observe(e));
  devices.cardEvents.add((e: CardEvent) => {
    session.touch();
    const outcome = session.cardEvent(e);
    if (outcome.tell?.state === 'start-over') startOver(outcome.tell);
    else if (outcome.tell) {
      log.info({ readId: outcome.tell.readId, state: outcome.tell.state }, 'identification: waiting for the qr');
      io.emit('identification:changed', outcome.tell);
    }
    // The reader ends its read before it takes another key.
    if (outcome.retry) setImmediate(() => devices.keyAvailable());
    if (!outcome.forward) return;
    switch (e.type) {
      case 'card:present':
        log.info({ readId: e.payload.readId }, 'card presented: waiting for consent');
        return void io.emit('card:presented', e.payload);
      case 'card:progress':
        return void io.emit('card:progressed', e.payload);
      case 'card:identity':
        return void io.emit('card:identified', e.payload);
      case 'card:face':
        return void io.emit('card:face-read', e.payload);
      case 'card:authenticity':
        return void io.emit('card:verified', e.payload);
      case 'card:failed':
        return void io.emit('card:failed', e.payload);
    }
  });

  let lastFeatures = JSON.stringify(features());
  const publishFeatures = () => {
    const now = features();
    if (JSON.stringify(now) !== lastFeatures) {
      lastFeatures = JSON.stringify(now);
      io.emit('features:announced', now);
    }
  };
  registry.changes.add((list) => {
    errorLog.observe(list);
    io.emit('devices:changed', list);
    link.reportHealth(heartbeat());
    publishFeatures();
  });
  offlineSync?.changes.add(() => {
    io.emit('server-link:changed', linkState());
    void link.heartbeat(heartbeat());
  });
  link.changes.add((state) => {
    io.emit('server-link:changed', { ...state, ...linkState() });
    publishFeatures();
    if (state.connected) {
      void link.heartbeat(heartbeat());
      reportLauncherState();
    }
  });

  // ---- remote management ---------------------------------------------------------------------
  const releasesDir = config.AGENT_RELEASES_DIR;
  let lastReportedLauncherState = '';
  /** What the launcher did with a staged version, told to the server (again after each reconnect). */
  const reportLauncherState = (fromWatch = false) => {
    if (!releasesDir) return;
    const state = readLauncherState(releasesDir);
    if (!state?.rolloutId) return;
    const key = JSON.stringify(state);
    if (fromWatch && key === lastReportedLauncherState) return;
    lastReportedLauncherState = key;
    void link.reportRollout({
      rolloutId: state.rolloutId,
      version: state.version,
      state: state.state,
      ...(state.reason ? { reason: state.reason } : {}),
    });
  };
  // The launcher writes its verdict on a new version while that version already runs.
  const stateFile = releasesDir ? path.join(releasesDir, 'state.json') : undefined;
  if (stateFile) fs.watchFile(stateFile, { interval: 500, persistent: false }, () => reportLauncherState(true));
  let updating = false;
  const requestExit = (code: number) => {
    // The ack leaves first; the process exits from main.ts.
    setTimeout(() => exitRequests.emit(code), 50).unref();
  };
  const runUpdate = async (command: { rolloutId: string; version: string; sha256: string }, dir: string) => {
    const report = (state: 'downloading' | 'refused' | 'staged', reason?: string) =>
      link.reportRollout({
        rolloutId: command.rolloutId,
        version: command.version,
        state,
        ...(reason ? { reason } : {}),
      });
    try {
      await report('downloading');
      const keyPem = config.UPDATE_PUBLIC_KEY_FILE ? fs.readFileSync(config.UPDATE_PUBLIC_KEY_FILE, 'utf8') : '';
      const key = readPublicKey(keyPem);
      if (!key.ok) return void (await report('refused', key.error.code));
      const fetched = await link.downloadBundle(command.version);
      if (!fetched.ok) return void (await report('refused', fetched.error.code));
      const body = fetched.value as { manifest?: unknown; signature?: unknown; tarball?: unknown };
      if (typeof body.manifest !== 'string' || typeof body.signature !== 'string' || typeof body.tarball !== 'string')
        return void (await report('refused', 'bad-bundle'));
      const tarball = Buffer.from(body.tarball, 'base64');
      const verified = verifyBundle({ manifest: body.manifest, signature: body.signature, tarball }, key.value, {
        version: command.version,
        sha256: command.sha256,
      });
      if (!verified.ok) {
        log.warn({ version: command.version, code: verified.error.code }, 'software bundle refused');
        return void (await report('refused', verified.error.code));
      }
      const staged = await stageBundle(dir, verified.value, body.manifest, tarball, command.rolloutId);
      if (!staged.ok) return void (await report('refused', staged.error.code));
      log.info({ version: command.version }, 'software bundle verified and staged: switching');
      await report('staged');
      requestExit(EXIT_UPDATE);
    } finally {
      updating = false;
    }
  };
  link.onManagement({
    'agent:restart': ({ reason }) => {
      log.info({ reason: reason ? scrub(reason, 120) : undefined }, 'restart asked by the server');
      requestExit(EXIT_RESTART);
      return ok({ exitCode: EXIT_RESTART });
    },
    'config:apply': (command) => {
      const { report, kept } = applyRemoteConfig(command, {
        devicesMode: config.DEVICES,
        setIdleMs: (ms) => session.setIdleMs(ms),
        setLanguages: (l) => {
          languages = l;
        },
        setFeatures: (f) => {
          featureSwitches = { ...featureSwitches, ...f };
        },
      });
      const merged = { ...(remote?.config ?? {}), ...kept };
      if (kept.features) merged.features = featureSwitches;
      remote = { revision: command.revision, config: merged };
      saveRemoteConfig(remoteConfigFile, remote);
      publishFeatures();
      log.info(
        { revision: command.revision, applied: report.applied, refused: report.refused.map((r) => r.code) },
        'configuration applied',
      );
      return ok(report);
    },
    'diagnostics:collect': async () => {
      const doctor = await runDoctor();
      const diagnostics: AgentDiagnostics = {
        collectedAt: new Date().toISOString(),
        softwareVersion: version,
        uptimeSec: process.uptime(),
        platform: `${os.platform()} ${os.arch()}`,
        nodeVersion: process.version,
        devicesMode: config.DEVICES,
        serverLink: { state: link.state, pending: link.pending, dropped: link.dropped },
        doctor: doctor.map((p) => ({ code: p.code, message: scrub(p.message, 400), fix: scrub(p.fix, 400) })),
        devices: registry.list().map((d) => ({
          id: scrub(d.id, 128),
          class: d.class,
          profileId: d.profileId,
          state: d.state,
          ...(d.reason ? { reason: scrub(d.reason) } : {}),
        })),
        recentErrors: errorLog.list(),
        configRevision: remote?.revision ?? null,
        rollout: releasesDir ? (readLauncherState(releasesDir) ?? null) : null,
      };
      return ok(diagnostics);
    },
    'trust:apply': (set) => {
      const { store, dropped } = storeOfPushed(set);
      pushed = { set, store };
      combinedTrust = undefined;
      savePushedTrust(pushedTrustFile, set);
      const applied = trustApplied();
      log.info({ ...applied, dropped }, 'trust set applied');
      void link.heartbeat(heartbeat());
      return ok(applied);
    },
    'software:update': (command) => {
      if (!releasesDir) return err('no-launcher', 'this agent does not run under the launcher: no rollout');
      if (updating) return err('update-in-progress', 'an update is already running');
      updating = true;
      void runUpdate(command, releasesDir);
      return ok({ accepted: true as const });
    },
  });
  io.on('connection', (socket) => {
    socket.emit('devices:changed', registry.list());
    socket.emit('server-link:changed', linkState());
    socket.emit('features:announced', features());
  });

  await devices.start();
  await link.start();
  const timer = setInterval(() => {
    void link.heartbeat(heartbeat());
    // A server that hung and came back never dropped the link: the replay starts from here too.
    if (link.connected) void offlineSync?.sync();
  }, config.HEARTBEAT_INTERVAL_MS);
  timer.unref();
  // The card terminal: ready once it answers STATUS (asked again while it does not), then a sale
  // left unsettled by a stop or a lost answer is recovered by LAST.
  let terminalCheck: Promise<unknown> = Promise.resolve();
  const checkTerminal = () => {
    terminalCheck = terminalCheck.then(async () => {
      // A sale in flight is the terminal at work, not a terminal to check (a STATUS now would be refused).
      if (!cardTerminal || cardTerminal.busy) return;
      if (!cardTerminal.ready && !(await cardTerminal.start())) return;
      if (link.connected) await recoverCardSale(cardDeps);
    });
  };
  checkTerminal();
  const terminalTimer = setInterval(checkTerminal, config.CARD_TERMINAL_CHECK_MS);
  terminalTimer.unref();

  return {
    gateway,
    link,
    registry,
    devices,
    session,
    chipReads,
    simulated,
    trust,
    version,
    exitRequests,
    offline: journal && offlineSync ? { journal, sync: offlineSync } : undefined,
    cardTerminal,
    async close() {
      clearInterval(timer);
      clearInterval(terminalTimer);
      await terminalCheck;
      await cardTerminal?.close();
      if (stateFile) fs.unwatchFile(stateFile);
      session.reset();
      link.close();
      journal?.close();
      await devices.stop();
      await gateway.close();
    },
  };
}
