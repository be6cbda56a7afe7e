/** Device agent entry point. */
import { loadAgentConfig } from './config';
import { createLogger } from './logger';
import { createAgent } from './agent';
import { sdNotifier } from './sd-notify';

const config = loadAgentConfig();
const log = createLogger(config.LOG_LEVEL);
// A device fault must never take the kiosk down: anything that escapes is logged (no payloads).
process.on('unhandledRejection', (reason) => {
  log.error(
    { err: reason instanceof Error ? `${reason.name}: ${reason.message}`.slice(0, 200) : 'rejection' },
    'unhandled rejection',
  );
});
const agent = await createAgent(config, log);
log.info({ port: agent.gateway.port, devices: config.DEVICES }, 'agent listening on 127.0.0.1');
// Under systemd (Type=notify): ready once the kiosk page can connect, then watchdog pings.
const systemd = sdNotifier();
systemd.ready(`kiosk gateway on ${agent.gateway.port}`);

let closing = false;
const shutdown = () => {
  if (closing) return;
  closing = true;
  systemd.stopping();
  agent.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
