/** The agent's composition root: builds devices, gateways and the server link from a config. */
import type { CheckInRequest, ClassifiedScan } from '@kiosk/protocol';
import type { AgentConfig } from './config';
import type { Logger } from './logger';
import { DeviceRegistry } from './devices/device-registry';
import { ReceiptPrinter } from './devices/receipt-printer.device';
import type { BarcodeScanner } from './scanners';
import { startUiGateway, type UiGateway } from './gateway/ui.gateway';
import { ServerLink } from './server-link/server-link';
import { classifyScan } from './identity';
import { EscPosPrinterDriver } from './printing';
import { createSimulatedDevices, type SimulatedDevices } from './simulator/simulated-devices';
import { attachSimGateway } from './simulator/sim.gateway';
import { runCheckIn } from './checkin.flow';

export const SOFTWARE_VERSION = '0.1.0';

export interface Agent {
  gateway: UiGateway;
  link: ServerLink;
  registry: DeviceRegistry;
  simulated: SimulatedDevices | undefined;
  close(): Promise<void>;
}

export async function createAgent(config: AgentConfig, log: Logger): Promise<Agent> {
  const registry = new DeviceRegistry();
  const link = new ServerLink({
    serverUrl: config.SERVER_URL,
    dataDir: config.AGENT_DATA_DIR,
    name: config.AGENT_NAME,
    pairingCode: config.PAIRING_CODE,
    timeoutMs: config.SERVER_TIMEOUT_MS,
    log,
  });

  let simulated: SimulatedDevices | undefined;
  let printer: ReceiptPrinter | undefined;
  const scanners: BarcodeScanner[] = [];
  if (config.DEVICES === 'simulated') {
    simulated = createSimulatedDevices({
      printerProfileId: config.PRINTER_PROFILE,
      duplicateWindowMs: config.SCAN_DUPLICATE_WINDOW_MS,
    });
    const driver = new EscPosPrinterDriver(simulated.printerTransport, simulated.printerProfile);
    printer = new ReceiptPrinter('sim-printer', simulated.printerProfile, driver, registry);
    scanners.push(simulated.scanner);
  } else {
    log.warn('hardware discovery is not wired yet: no devices');
  }

  const gateway = await startUiGateway({
    port: config.AGENT_PORT,
    allowedOrigins: config.ALLOWED_ORIGINS,
    log,
    onServices: () => link.services(),
    onCheckIn: (request: CheckInRequest) => runCheckIn(request, { link, printer, log }),
    onReset: async () => undefined,
  });
  if (simulated) {
    if (config.AGENT_MODE === 'production') log.warn('production mode: the simulator control namespace is refused');
    else attachSimGateway(gateway.io, simulated);
  }

  // Scans are classified here; the kiosk UI never sees a raw payload.
  for (const scanner of scanners) {
    const publish = () =>
      registry.update({
        id: scanner.id,
        class: 'scanner',
        profileId: scanner.profileId,
        state: scanner.state,
        ...(scanner.reason ? { reason: scanner.reason } : {}),
        counters: { ...scanner.counters },
      });
    scanner.onStateChange(publish);
    publish();
    scanner.onScan((payload) => {
      const scan: ClassifiedScan = classifyScan(payload);
      registry.count(scanner.id, 'scans');
      log.info(
        { scanner: scanner.id, kind: scan.kind, ...(scan.kind === 'rejected' ? { reason: scan.reason } : {}) },
        'scan',
      );
      gateway.io.emit('scan:classified', scan);
    });
  }
  registry.changes.add((devices) => {
    gateway.io.emit('devices:changed', devices);
    void link.heartbeat({ softwareVersion: SOFTWARE_VERSION, uptimeSec: process.uptime(), devices });
  });
  link.changes.add((state) => gateway.io.emit('server-link:changed', state));
  gateway.io.on('connection', (socket) => {
    socket.emit('devices:changed', registry.list());
    socket.emit('server-link:changed', { connected: link.connected, pending: link.pending });
  });

  await printer?.start();
  for (const scanner of scanners) {
    const started = await scanner.start();
    if (!started.ok) log.warn({ scanner: scanner.id, code: started.error.code }, 'scanner did not start');
  }
  await link.start();
  const heartbeat = setInterval(() => {
    void link.heartbeat({ softwareVersion: SOFTWARE_VERSION, uptimeSec: process.uptime(), devices: registry.list() });
  }, config.HEARTBEAT_INTERVAL_MS);
  heartbeat.unref();

  return {
    gateway,
    link,
    registry,
    simulated,
    async close() {
      clearInterval(heartbeat);
      link.close();
      await printer?.close();
      for (const s of scanners) await s.close();
      await gateway.close();
    },
  };
}
