/** Server entry point: one facility, or with FACILITIES_FILE every facility of a province behind one front. */
import { loadConfig } from './config';
import { createServerApp } from './app';
import { sdNotifier } from '@kiosk/protocol/node';
import { createLogger } from './logger';
import { readFacilitiesFile } from './province/facilities-file';
import { createProvince } from './province/province';

const config = loadConfig();
let running: { close(): Promise<void>; log: (o: object, m: string) => void; reload(): void };
let port: number;
if (config.FACILITIES_FILE) {
  const log = createLogger(config.LOG_LEVEL, 'province');
  const file = config.FACILITIES_FILE;
  const province = await createProvince(readFacilitiesFile(file), {
    baseEnv: process.env,
    log,
    sessionTtlHours: config.SESSION_TTL_HOURS,
    tls: config.TLS,
    source: () => readFacilitiesFile(file),
  });
  port = await province.listen(config.PORT, config.HOST);
  log.info({ port, facilities: province.facilities.map((f) => f.code) }, 'province listening');
  running = {
    close: () => province.close(),
    log: (o, m) => log.info(o, m),
    // The outcome is logged by the reload; a refused file changes nothing and says why.
    reload: () => void province.reload().catch((e: Error) => log.error({ err: e.message }, 'facilities file refused')),
  };
} else {
  const app = await createServerApp(config);
  port = await app.listen();
  app.log.info({ port, database: app.services.db.dialect }, 'server listening');
  running = {
    close: () => app.close(),
    log: (o, m) => app.log.info(o, m),
    reload: () => app.log.warn('one facility reads its settings at start: restart the server to change them'),
  };
}
// Under systemd (Type=notify): ready once listening, then watchdog pings while the loop turns.
const systemd = sdNotifier();
systemd.ready(`listening on ${port}`);

let closing = false;
const shutdown = (signal: string) => {
  if (closing) return;
  closing = true;
  running.log({ signal }, 'shutting down');
  systemd.stopping();
  running.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
// SIGHUP (systemctl reload): a province re-reads its facilities file; nothing is restarted but what changed.
process.on('SIGHUP', () => running.reload());
