/** Device agent entry point. */
import { loadAgentConfig } from './config';
import { createLogger } from './logger';
import { createAgent } from './agent';
import { sdNotifier } from '@kiosk/protocol/node';

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
/** Closes devices and sockets, then exits with `code` (0 on a signal; the restart or update code when asked). */
const shutdown = (code = 0) => {
  if (closing) return;
  closing = true;
  systemd.stopping();
  agent.close().then(
    () => process.exit(code),
    () => process.exit(code === 0 ? 1 : code),
  );
};
process.on('SIGINT', () => shutdown());
process.on('SIGTERM', () => shutdown());
// The server asked for a restart, or a verified version is staged: the launcher (or systemd's
// RestartForceExitStatus) starts the agent again on these codes.
agent.exitRequests.add((code) => {
  log.info({ code }, 'exiting for the launcher');
  shutdown(code);
});
