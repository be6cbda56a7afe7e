/** Server entry point. */
import { loadConfig } from './config';
import { createServerApp } from './app';
import { sdNotifier } from '@kiosk/protocol/node';

const config = loadConfig();
const app = await createServerApp(config);
const port = await app.listen();
app.log.info({ port, database: app.services.db.dialect }, 'server listening');
// Under systemd (Type=notify): ready once listening, then watchdog pings while the loop turns.
const systemd = sdNotifier();
systemd.ready(`listening on ${port}`);

let closing = false;
const shutdown = (signal: string) => {
  if (closing) return;
  closing = true;
  app.log.info({ signal }, 'shutting down');
  systemd.stopping();
  app.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
