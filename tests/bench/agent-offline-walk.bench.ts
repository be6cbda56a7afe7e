/**
 * Offline check-in as the patient lives it (target: the ticket within 3 s of the tap while the
 * server hangs or the network is cut). A real server process behind a TCP proxy, a kiosk agent
 * (simulated devices, the real ESC/POS driver and simulated printer) with its default offline
 * budget, and the kiosk page's socket. Each patient's tap is what the page sends on "Lấy số": the
 * fee quote (`payment:quote`; unanswered, the fee goes to the cashier) and then the check-in
 * (`checkin:submit`), timed from the tap to the check-in's answer, which comes once the ticket
 * is in the journal and printed.
 *
 * Two faults, one after the other: the server process frozen (SIGSTOP, its sockets left open) and
 * the network cut (the proxy drops every packet, no reset). In each, the first patient waits the
 * budget once; the link then knows the server does not answer and the next patients are issued
 * at once. Afterwards every offline ticket is replayed into the queue once.
 * Run: npx tsx tests/bench/agent-offline-walk.bench.ts [patients per fault]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { createAgent, createLogger, loadAgentConfig } from '@kiosk/device-agent';
import type {
  AgentToKioskUiEvents,
  CheckInOutcome,
  KioskUiToAgentEvents,
  PaymentQuote,
  QueueEntry,
  Result,
} from '@kiosk/protocol';
import { api, login } from '../support/server-harness';
import { spawnServer } from '../support/server-process';
import { startTcpProxy } from '../support/tcp-proxy';
import { freePort } from '../support/free-port';
import { until } from '../support/until';
import { median, percentile } from './stats';

const patients = Number(process.argv[2] ?? 20);
const SERVICE = 'noi-tong-quat';
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-offline-walk-'));
const port = await freePort();
const server = await spawnServer({
  port,
  databaseFile: path.join(root, 'kiosk.sqlite'),
  env: { OFFLINE_LEASE_BLOCK: '200', KIOSK_OFFLINE_AFTER_SECONDS: '3600' },
});
const proxy = await startTcpProxy({ host: '127.0.0.1', port });
const adminToken = await login(server.url, 'admin', 'admin-demo');
const code = await api<{ code: string }>(server.url, adminToken, 'POST', '/api/admin/pairing-codes');
const agent = await createAgent(
  loadAgentConfig({
    AGENT_PORT: '0',
    SERVER_URL: proxy.url,
    PAIRING_CODE: code.body.value?.code ?? '',
    AGENT_DATA_DIR: path.join(root, 'agent'),
    LOG_LEVEL: 'silent',
  }),
  createLogger('silent'),
);
const ui: Socket<AgentToKioskUiEvents, KioskUiToAgentEvents> = io(`http://127.0.0.1:${agent.gateway.port}`, {
  transports: ['websocket'],
});
await until(() => ui.connected && agent.link.connected, { what: 'kiosk page and server link connected' });
await until(() => (agent.offline?.journal.remaining().length ?? 0) > 0, { what: 'offline leases granted' });

let n = 0;
/** One patient's tap on "Lấy số": the quote, then the check-in; the ms to the ticket. */
async function tap(): Promise<{ ms: number; number: string }> {
  const started = performance.now();
  const quote = await new Promise<Result<PaymentQuote>>((resolve) =>
    ui.emit('payment:quote', { serviceId: SERVICE, patientClass: 'fee-paying' }, resolve),
  );
  if (quote.ok) throw new Error('the quote was answered: the server is not down');
  const outcome = await new Promise<Result<CheckInOutcome>>((resolve) =>
    ui.emit(
      'checkin:submit',
      {
        checkInId: randomUUID(),
        identity: {
          source: 'cccd-qr',
          idNumber: `0792${String(n++).padStart(8, '0')}`,
          fullName: 'Bệnh Nhân Đo Đạc',
          dateOfBirth: '1980-02-02',
        },
        serviceId: SERVICE,
        priorityClaims: [],
        consent: true,
      },
      resolve,
    ),
  );
  if (!outcome.ok || !outcome.value.offline || outcome.value.print.state !== 'confirmed')
    throw new Error(`not issued offline: ${outcome.ok ? outcome.value.print.state : outcome.error.code}`);
  return { ms: performance.now() - started, number: outcome.value.receipt.ticket.number };
}

async function fault(name: string, begin: () => void, end: () => Promise<void>) {
  begin();
  const walks = [];
  for (let i = 0; i < patients; i++) walks.push(await tap());
  await end();
  await until(() => agent.offline?.journal.backlog().backlog === 0, { what: `${name}: replayed`, timeoutMs: 120_000 });
  const ms = walks.map((w) => w.ms);
  const round = (x: number) => Math.round(x);
  return {
    numbers: walks.map((w) => w.number),
    figures: {
      patients,
      firstMs: round(ms[0] ?? 0),
      medianMs: round(median(ms)),
      p99Ms: round(percentile(ms, 99)),
      maxMs: round(Math.max(...ms)),
      withinThreeSeconds: ms.every((x) => x <= 3000),
    },
  };
}

const frozen = await fault(
  'server frozen',
  () => server.child.kill('SIGSTOP'),
  async () => {
    server.child.kill('SIGCONT');
    await until(() => agent.link.answering, { what: 'answered again', timeoutMs: 120_000 });
  },
);
const cut = await fault(
  'network cut',
  () => proxy.cut(),
  async () => {
    proxy.restore();
    await until(() => agent.link.connected && agent.link.answering, { what: 'link back', timeoutMs: 120_000 });
  },
);

// Every offline ticket once in the queue.
const q = await api<QueueEntry[]>(server.url, adminToken, 'GET', `/api/queue?serviceId=${SERVICE}`);
const queued = (q.body.value ?? []).map((e) => e.number);
const issued = [...frozen.numbers, ...cut.numbers];
const onceEach = issued.every((x) => queued.filter((y) => y === x).length === 1);

ui.close();
await agent.close();
await proxy.close();
server.child.kill('SIGKILL');
await server.exited();
fs.rmSync(root, { recursive: true, force: true });
console.log(
  JSON.stringify(
    {
      serverFrozen: frozen.figures,
      networkCut: cut.figures,
      replayedOnceEach: onceEach,
      load: fs.readFileSync('/proc/loadavg', 'utf8').trim(),
    },
    null,
    2,
  ),
);
process.exit(onceEach ? 0 : 1);
