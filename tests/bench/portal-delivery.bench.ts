/**
 * How fast Decision 4750 records drain through the outbox to the social-insurance data portal's
 * contract simulator (in its own process, over HTTP). N check-ins are stored with the portal's
 * worker stopped (as after a portal outage), then the worker starts and the time until the last
 * delivery is recorded: claim, read the record, token (cached), send, results written back.
 * Afterwards the portal must hold exactly one record per check-in. Server on SQLite, default
 * outbox settings, EMR in local mode (nothing else in the outbox).
 * Run: npx tsx tests/bench/portal-delivery.bench.ts [check-ins]
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Identity } from '@kiosk/protocol';
import { startPortalSimulator } from '../support/portal-simulator';
import { startServer } from '../support/server-harness';

interface PortalInfo {
  url: string;
  username: string;
  password: string;
}

if (process.argv[2] === '--portal') {
  const portal = await startPortalSimulator();
  process.on('message', (m) => {
    if (m === 'counts') process.send?.({ received: portal.received.size, submissions: portal.submissions.length });
  });
  process.send?.({ url: portal.url, username: portal.username, password: portal.password } satisfies PortalInfo);
} else {
  await main();
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 2000);
  const child = fork(fileURLToPath(import.meta.url), ['--portal'], { execArgv: ['--import', 'tsx'] });
  const info = await new Promise<PortalInfo>((resolve) => child.once('message', (m) => resolve(m as PortalInfo)));
  const server = await startServer({
    FACILITY_CODE: '92012',
    PORTAL_MODE: 'on',
    PORTAL_URL: info.url,
    PORTAL_USERNAME: info.username,
    PORTAL_PASSWORD: info.password,
  });
  const { integrations, services } = server.app;
  const worker = integrations.portalWorker;
  if (!worker) throw new Error('no portal worker');
  await worker.stop();

  const person = (i: number): Identity => ({
    source: 'chip',
    idNumber: `0793${String(i).padStart(8, '0')}`,
    insuranceNumber: `GD479${String(i).padStart(10, '0')}`,
    fullName: 'Nguyễn Văn Thử',
    dateOfBirth: '1980-01-15',
    sex: 'male',
  });
  for (let i = 0; i < n; i += 50)
    await Promise.all(
      Array.from({ length: Math.min(50, n - i) }, (_, k) =>
        services.checkIn.checkIn(
          {
            checkInId: randomUUID(),
            identity: person(i + k),
            serviceId: ['noi-tong-quat', 'nhi-khoa', 'tai-mui-hong'][(i + k) % 3] ?? 'noi-tong-quat',
            priorityClaims: [],
            consent: true,
          },
          null,
        ),
      ),
    );
  const waiting = await integrations.outbox.depth(['portal-4750']);
  if (waiting.pending !== n) throw new Error(`expected ${n} pending portal deliveries, found ${waiting.pending}`);

  const started = performance.now();
  worker.start();
  for (;;) {
    const d = await integrations.outbox.depth(['portal-4750']);
    if (d.pending + d.delivering === 0) {
      if (d.failed > 0) throw new Error(`${d.failed} deliveries failed`);
      break;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  const drainMs = performance.now() - started;
  const counts = await new Promise<{ received: number; submissions: number }>((resolve) => {
    child.once('message', (m) => resolve(m as { received: number; submissions: number }));
    child.send('counts');
  });
  await server.stop();
  child.kill();
  const rate = n / (drainMs / 1000);
  console.log(`drained ${n} records in ${drainMs.toFixed(0)} ms = ${rate.toFixed(0)} records/s`);
  console.log(`portal: ${counts.received} records received (expected ${n}), ${counts.submissions} submissions`);
  process.exitCode = counts.received === n ? 0 : 1;
}
