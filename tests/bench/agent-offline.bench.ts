/**
 * Offline check-in figures (targets: issue latency p99 ≤ 200 ms; replay ≥ 200 check-ins/s).
 *
 * 1. Offline issue latency, tap → ticket bytes: a kiosk agent (simulated devices, the real ESC/POS
 *    driver and simulated printer) holds leases and its server link is down; each tap is the kiosk
 *    page's `checkin:submit` on its socket, timed to the ack, which comes once the journal entry is
 *    fsynced and the printer has confirmed the ticket's bytes. (A server that is up but hung adds
 *    the OFFLINE_AFTER_MS budget, 1500 ms by default, before this.)
 * 2. Replay: a real server (SQLite) and an agent whose journal holds N offline check-ins; from its
 *    server link's connection (and, for reference, from the agent's start) until the server has
 *    stored all of them. The site checks BHYT cards (BHYT_MODE=advisory, the gateway's contract
 *    simulator): each replayed check-in also queues its card's check, done after the replay by
 *    the outbox (its drain is reported apart, from the link's connection to the last answer stored).
 * Run: npx tsx tests/bench/agent-offline.bench.ts [taps] [replayed]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { createAgent, createLogger, loadAgentConfig, OfflineJournal, offlineTicket } from '@kiosk/device-agent';
import type {
  AgentToKioskUiEvents,
  CheckInOutcome,
  CheckInRequest,
  KioskUiToAgentEvents,
  Result,
} from '@kiosk/protocol';
import { startServer } from '../support/server-harness';
import { startBhytSimulator } from '../support/bhyt-simulator';
import { until } from '../support/until';
import { median, percentile } from './stats';

const taps = Number(process.argv[2] ?? 300);
const replayed = Number(process.argv[3] ?? 1000);
const SERVICE = 'noi-tong-quat';
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-offline-'));

const request = (n: number): CheckInRequest => ({
  checkInId: randomUUID(),
  identity: {
    source: 'cccd-qr',
    idNumber: `0793${String(n).padStart(8, '0')}`,
    fullName: 'Bệnh Nhân Đo Đạc',
    dateOfBirth: '1980-02-02',
  },
  serviceId: SERVICE,
  priorityClaims: [],
  consent: true,
});

const bhyt = await startBhytSimulator();
const server = await startServer({
  BOOTSTRAP_PAIRING_CODE: 'BENCHOFFLINE01',
  BHYT_MODE: 'advisory',
  BHYT_GATEWAY_URL: bhyt.url,
  BHYT_USERNAME: bhyt.username,
  BHYT_PASSWORD: bhyt.password,
  BHYT_STAFF_NAME: 'Nhân Viên Đo Đạc',
  BHYT_STAFF_CCCD: '092080001234',
  OFFLINE_LEASE_BLOCK: '2000',
  OFFLINE_LEASE_LOW_WATER: '10',
  SOCKET_RATE_BURST: '1000000',
  SOCKET_RATE_PER_SECOND: '1000000',
});
const dir = path.join(root, 'agent');
const config = (url: string, pairing?: string) =>
  loadAgentConfig({
    AGENT_PORT: '0',
    SERVER_URL: url,
    AGENT_DATA_DIR: dir,
    LOG_LEVEL: 'silent',
    UI_RATE_BURST: '1000000',
    UI_RATE_PER_SECOND: '1000000',
    ...(pairing ? { PAIRING_CODE: pairing } : {}),
  });

// Enrol and take a lease of 2000 numbers per service.
let agent = await createAgent(config(server.url, 'BENCHOFFLINE01'), createLogger('silent'));
await until(() => agent.link.connected, { what: 'connected' });
await until(() => (agent.offline?.journal.remaining().length ?? 0) > 0, { what: 'leases' });
const leased = agent.offline?.journal.remaining().find((r) => r.serviceId === SERVICE)?.count ?? 0;
await agent.close();

// 1. Link down (the server's address points nowhere): every tap is issued from the lease.
agent = await createAgent(config('http://127.0.0.1:9'), createLogger('silent'));
const ui: Socket<AgentToKioskUiEvents, KioskUiToAgentEvents> = io(`http://127.0.0.1:${agent.gateway.port}`, {
  transports: ['websocket'],
});
await until(() => ui.connected, { what: 'kiosk page connected' });
const latencies: number[] = [];
for (let i = 0; i < taps; i++) {
  const started = performance.now();
  const r = await new Promise<Result<CheckInOutcome>>((resolve) => ui.emit('checkin:submit', request(i), resolve));
  if (!r.ok || !r.value.offline || r.value.print.state !== 'confirmed') throw new Error('not issued offline');
  latencies.push(performance.now() - started);
}
ui.close();
await agent.close();

// 2. The journal grows to `replayed` entries (written as the kiosk writes them), then the server replays them.
const journal = new OfflineJournal(path.join(dir, 'offline-journal.sqlite'));
for (let i = journal.backlog().backlog; i < replayed; i++) {
  const r = request(100_000 + i);
  const now = new Date();
  if (!journal.issue(r, now, (lease, seq) => offlineTicket(r, lease, seq, now))) throw new Error('lease exhausted');
}
const backlog = journal.backlog().backlog;
journal.close();
const started = performance.now();
agent = await createAgent(config(server.url), createLogger('silent'));
let connectedAt = 0;
await until(
  () => {
    if (!connectedAt && agent.link.connected) connectedAt = performance.now();
    return agent.offline?.journal.backlog().backlog === 0;
  },
  { what: 'replayed', timeoutMs: 300_000, intervalMs: 1 },
);
const done = performance.now();
const replayMs = done - connectedAt;
const withStartMs = done - started;
const answered = async () =>
  Number(
    (
      await server.app.services.db.kysely
        .selectFrom('insurance_checks')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
await until(async () => (await answered()) >= backlog, { what: 'every replayed card checked', timeoutMs: 300_000 });
const recheckMs = performance.now() - connectedAt;
await agent.close();
await server.stop();
await bhyt.close();
fs.rmSync(root, { recursive: true, force: true });

const round = (n: number) => Math.round(n * 10) / 10;
console.log(
  JSON.stringify(
    {
      leased,
      offlineIssue: {
        taps,
        medianMs: round(median(latencies)),
        p99Ms: round(percentile(latencies, 99)),
        maxMs: round(Math.max(...latencies)),
      },
      replay: {
        checkIns: backlog,
        fromConnectedMs: Math.round(replayMs),
        perSecond: Math.round((backlog / replayMs) * 1000),
        fromAgentStartMs: Math.round(withStartMs),
      },
      bhytRecheck: { checked: backlog, fromConnectedMs: Math.round(recheckMs), gatewayLookups: bhyt.lookups.length },
      load: fs.readFileSync('/proc/loadavg', 'utf8').trim(),
    },
    null,
    2,
  ),
);
process.exit(0);
