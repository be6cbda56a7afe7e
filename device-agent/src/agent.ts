/**
 * The agent's composition root: devices (simulated, or discovered hardware) through one device
 * manager, the kiosk session, the kiosk UI gateway, the simulator namespace and the server link.
 */
import fs from 'node:fs';
import {
  describePayload,
  err,
  ok,
  type AgentFeatures,
  type AgentHeartbeat,
  type ClassifiedScan,
  type Ticket,
} from '@kiosk/protocol';
import type { AgentConfig } from './config';
import type { Logger } from './logger';
import { DeviceRegistry } from './devices/device-registry';
import { DeviceManager } from './devices/device-manager';
import type { DeviceSource, TransportOpener } from './devices/device-source';
import type { CardEvent } from './devices/card-reader.device';
import { HardwareDeviceSource, hardwareOpener } from './devices/hardware.source';
import { KioskSession } from './devices/kiosk-session';
import { ChipReads } from './devices/chip-reads';
import { loadTrustStore, type LoadedTrustStore } from './devices/trust-store.loader';
import { testTicket } from './devices/test-ticket';
import { startUiGateway, type UiGateway } from './gateway/ui.gateway';
import { ServerLink } from './server-link/server-link';
import { classifyScan, createTrustStore, type TrustStore } from './identity';
import type { DiscoverySources } from './transports';
import { createSimulatedDevices, type SimulatedDevices } from './simulator/simulated-devices';
import { attachSimGateway, refuseSimGateway } from './simulator/sim.gateway';
import { runCheckIn } from './checkin.flow';
import { printPaymentReceipt, printVietQrSlip, runAppointmentCheckIn } from './payment.flow';

export const SOFTWARE_VERSION = '0.1.0';

export interface Agent {
  gateway: UiGateway;
  link: ServerLink;
  registry: DeviceRegistry;
  devices: DeviceManager;
  session: KioskSession;
  /** The chip identities this agent read in the current session (provenance of check-ins). */
  chipReads: ChipReads;
  simulated: SimulatedDevices | undefined;
  trust: LoadedTrustStore;
  close(): Promise<void>;
}

/** Test seams: a fake discovery listing, or a whole device source and transport opener. */
export interface AgentOverrides {
  discoverySources?: DiscoverySources;
  source?: DeviceSource;
  opener?: TransportOpener;
}

export async function createAgent(config: AgentConfig, log: Logger, overrides: AgentOverrides = {}): Promise<Agent> {
  const registry = new DeviceRegistry();
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

  const simulated =
    config.DEVICES === 'simulated'
      ? createSimulatedDevices({
          printerProfileId: config.PRINTER_PROFILE,
          duplicateWindowMs: config.SCAN_DUPLICATE_WINDOW_MS,
        })
      : undefined;
  const trust = loadTrustStore(config.TRUST_STORE_DIR);
  for (const problem of trust.problems) log.warn({ problem }, 'trust store');
  if (trust.store.anchors.length === 0 && !simulated)
    log.warn('no CSCA certificates: chip reads report no-trust-anchor');
  // The simulated world's cards are signed by its own throwaway CSCA, which it trusts; built at the
  // first read, not at start.
  let simulatedTrust: TrustStore | undefined;
  const trustStore = (): TrustStore => {
    if (!simulated) return trust.store;
    if (!simulatedTrust) {
      const combined = createTrustStore([...trust.store.anchors.map((a) => a.toString()), simulated.pki().csca.pem]);
      simulatedTrust = combined.ok ? combined.value : trust.store;
    }
    return simulatedTrust;
  };

  // Identities the agent read from chips itself, for this session only (chip-reads.ts).
  const chipReads = new ChipReads(config.SESSION_IDLE_MS);
  const session = new KioskSession(config.SESSION_IDLE_MS, () => {
    chipReads.clear();
    log.info('session wiped');
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
    sessionKey: () => {
      const key = session.key();
      if (key) return key;
      const printed = simulated?.printedMrzKey();
      return printed ? { key: printed, source: 'printed-mrz' } : undefined;
    },
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
    softwareVersion: SOFTWARE_VERSION,
    uptimeSec: process.uptime(),
    devices: registry.list(),
    transports: registry.transports,
    storageFaults: link.storageFaults.slice(0, 16),
  });
  // 'insurance-check' means this agent can relay the BHYT pre-check; the server answers
  // 'insurance-check-off' where the site does not check cards at the kiosk.
  const features = (): AgentFeatures => ({
    features: [
      ...(registry.list().some((d) => d.class === 'card-reader' && d.state !== 'disconnected' && d.state !== 'error')
        ? (['card-read'] as const)
        : []),
      ...(link.connected ? (['insurance-check'] as const) : []),
    ],
  });

  const flowDeps = { link, printer: () => devices.printer(), log };
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
      'checkin:submit': (request) => runCheckIn(request, { link, printer: () => devices.printer(), log, chipReads }),
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
      'payment:quote': (request) => link.paymentQuote(request),
      'payment:start': (request) => link.paymentStart(request),
      'payment:cancel': ({ paymentId }) => link.paymentCancel(paymentId),
      'payment:print-receipt': ({ paymentId }) => printPaymentReceipt(paymentId, flowDeps),
      'payment:print-qr': ({ paymentId }) => printVietQrSlip(paymentId, flowDeps),
      'appointment:find': (lookup) => link.appointmentFind(lookup),
      'appointment:check-in': (request) => {
        if (request.lookup.by !== 'identity') return runAppointmentCheckIn(request, flowDeps);
        // The patient identity of the visit: a chip claim must be backed by this agent's own read.
        const attested = chipReads.attest(request.lookup.identity);
        if (!attested.ok) return attested;
        const lookup = { by: 'identity' as const, identity: attested.value.identity };
        return runAppointmentCheckIn({ ...request, lookup }, flowDeps);
      },
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
      softwareVersion: SOFTWARE_VERSION,
      devicesMode: config.DEVICES,
      devices: registry.list(),
      transports: registry.transports,
      features: features().features,
      trustAnchors: trust.store.anchors.length,
      serverLink: { state: link.state, pending: link.pending, dropped: link.dropped },
    }),
  });
  const io = gateway.io;
  // The server's word on a payment goes to this kiosk's page as it comes.
  link.paymentUpdates.add((update) => io.emit('payment:updated', update));
  if (config.AGENT_MODE === 'production') {
    if (simulated) log.warn('production mode: the simulator control namespace is refused');
    refuseSimGateway(io);
  } else if (simulated) attachSimGateway(io, simulated, log);

  // Scans are classified here; the kiosk UI never sees a raw payload.
  devices.scans.add((payload, meta) => void handleScan(payload, meta.scannerId));
  function handleScan(payload: string, scannerId: string): ClassifiedScan {
    const scan: ClassifiedScan = classifyScan(payload);
    if (scan.kind === 'cccd-qr') {
      if (session.scannedCccd(scan.identity)) devices.keyAvailable();
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
    io.emit('scan:classified', scan);
    return scan;
  }
  devices.cardEvents.add((e: CardEvent) => chipReads.observe(e));
  devices.cardEvents.add((e: CardEvent) => {
    session.touch();
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
    io.emit('devices:changed', list);
    link.reportHealth(heartbeat());
    publishFeatures();
  });
  link.changes.add((state) => {
    io.emit('server-link:changed', state);
    publishFeatures();
    if (state.connected) void link.heartbeat(heartbeat());
  });
  io.on('connection', (socket) => {
    socket.emit('devices:changed', registry.list());
    socket.emit('server-link:changed', { connected: link.connected, pending: link.pending });
    socket.emit('features:announced', features());
  });

  await devices.start();
  await link.start();
  const timer = setInterval(() => void link.heartbeat(heartbeat()), config.HEARTBEAT_INTERVAL_MS);
  timer.unref();

  return {
    gateway,
    link,
    registry,
    devices,
    session,
    chipReads,
    simulated,
    trust,
    async close() {
      clearInterval(timer);
      session.reset();
      link.close();
      await devices.stop();
      await gateway.close();
    },
  };
}
