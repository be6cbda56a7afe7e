/**
 * An agent killed hard (SIGKILL) in the middle of its offline replay. The agent runs as its own
 * process (its real entry point, simulated devices), the server as another. With the server down
 * the kiosk issues tickets from its lease; the server comes back on the same database, the agent
 * replays one check-in per request, and the moment the first replayed check-in is in the server's
 * database the agent is killed: no close, no flush, whatever it was sending or settling is cut off.
 * Started again on the same data folder, it finishes the replay: every ticket is in the queue once,
 * at its issue time, none lost, no number twice. While the server is down the kiosk page still gets
 * the service list (the one the server last gave), without which no patient could check in.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { io, type Socket } from 'socket.io-client';
import type {
  AgentToKioskUiEvents,
  CheckInOutcome,
  KioskUiToAgentEvents,
  QueueEntry,
  Result,
  ServiceInfo,
  Ticket,
} from '@kiosk/protocol';
import { api, login } from '../support/server-harness';
import { spawnServer, type ServerProcess } from '../support/server-process';
import { freePort } from '../support/free-port';
import { until } from '../support/until';

type Ui = Socket<AgentToKioskUiEvents, KioskUiToAgentEvents>;
const SERVICE = 'noi-tong-quat';
const TICKETS = 12;
const repoRoot = path.resolve(import.meta.dirname, '../..');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-offline-kill-'));
const databaseFile = path.join(root, 'kiosk.sqlite');
const agentDir = path.join(root, 'agent');
const journalFile = path.join(agentDir, 'offline-journal.sqlite');
const PAIRING_CODE = 'OFFLINEKILL001';

let serverPort = 0;
let agentPort = 0;
let server: ServerProcess | undefined;
let agent: ChildProcess | undefined;
let ui: Ui | undefined;

const startServer = (port: number) =>
  spawnServer({
    port,
    databaseFile,
    env: { BOOTSTRAP_PAIRING_CODE: PAIRING_CODE, OFFLINE_LEASE_BLOCK: '40', KIOSK_OFFLINE_AFTER_SECONDS: '3600' },
  });

/** The agent as a kiosk runs it: its own process, its entry point, simulated devices. */
function startAgent(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'device-agent/src/main.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      AGENT_PORT: String(agentPort),
      SERVER_URL: `http://127.0.0.1:${serverPort}`,
      AGENT_DATA_DIR: agentDir,
      DEVICES: 'simulated',
      LOG_LEVEL: 'silent',
      HEARTBEAT_INTERVAL_MS: '300',
      OFFLINE_AFTER_MS: '1500',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
  );

/** Reads a SQLite file another process is writing (WAL), without writing to it. */
function readOnly<T>(file: string, read: (db: Database.Database) => T): T | undefined {
  if (!fs.existsSync(file)) return undefined;
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    return read(db);
  } catch {
    return undefined; // not created yet, or its tables not yet there
  } finally {
    db?.close();
  }
}

const leasedNumbers = () =>
  readOnly(
    journalFile,
    (db) =>
      (
        db
          .prepare('select coalesce(sum(last_seq - next_seq + 1), 0) as n from leases where service_id = ?')
          .get(SERVICE) as {
          n: number;
        }
      ).n,
  ) ?? 0;
const unsettled = () =>
  readOnly(
    journalFile,
    (db) => (db.prepare('select count(*) as n from journal where synced_at is null').get() as { n: number }).n,
  );
const storedOf = (numbers: string[]) =>
  readOnly(databaseFile, (db) => {
    const rows = db.prepare('select number from tickets where service_id = ?').all(SERVICE) as { number: string }[];
    return rows.filter((r) => numbers.includes(r.number)).length;
  }) ?? 0;

async function agentHealth(): Promise<{ serverLink?: { state?: string } }> {
  try {
    return (await (await fetch(`http://127.0.0.1:${agentPort}/health`)).json()) as { serverLink?: { state?: string } };
  } catch {
    return {}; // not listening
  }
}

async function connectUi(): Promise<Ui> {
  const socket: Ui = io(`http://127.0.0.1:${agentPort}`, { transports: ['websocket'] });
  await until(() => socket.connected, { what: 'kiosk page connected to the agent', timeoutMs: 60_000 });
  return socket;
}

async function tap(socket: Ui, n: number): Promise<Result<CheckInOutcome>> {
  return new Promise((resolve) =>
    socket.emit(
      'checkin:submit',
      {
        checkInId: randomUUID(),
        identity: {
          source: 'cccd-qr',
          idNumber: `0793${String(n).padStart(8, '0')}`,
          fullName: 'Bệnh Nhân Ngoại Tuyến',
          dateOfBirth: '1979-09-09',
        },
        serviceId: SERVICE,
        priorityClaims: [],
        consent: true,
      },
      resolve,
    ),
  );
}

afterAll(async () => {
  ui?.close();
  agent?.kill('SIGKILL');
  if (agent) await exited(agent);
  server?.child.kill('SIGCONT');
  server?.child.kill('SIGKILL');
  await server?.exited();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('agent killed during its offline replay', () => {
  it('started again on the same journal, it replays every ticket once: none lost, no number twice', async () => {
    serverPort = await freePort();
    agentPort = await freePort();
    server = await startServer(serverPort);
    agent = startAgent({ PAIRING_CODE, OFFLINE_REPLAY_BATCH: '1' });
    ui = await connectUi();
    // The kiosk in service (leased, so linked to the server): its page has listed the services.
    await until(() => leasedNumbers() >= TICKETS, { what: 'offline lease granted', timeoutMs: 60_000 });
    await until(
      async () => {
        const online = await new Promise<Result<ServiceInfo[]>>((resolve) => ui!.emit('services:list', {}, resolve));
        return online.ok;
      },
      { what: 'the service list from the server', timeoutMs: 60_000 },
    );

    // The server goes down hard; the kiosk keeps issuing from its lease.
    server.child.kill('SIGKILL');
    await server.exited();
    await until(async () => (await agentHealth()).serverLink?.state === 'disconnected', {
      what: 'agent saw the server go',
      timeoutMs: 60_000,
    });
    // The patient still chooses a service on the page: the list the server last gave.
    const services = await new Promise<Result<ServiceInfo[]>>((resolve) => ui!.emit('services:list', {}, resolve));
    expect(services.ok && services.value.map((s) => s.id)).toContain(SERVICE);
    const tickets: Ticket[] = [];
    for (let i = 0; i < TICKETS; i++) {
      const r = await tap(ui, i);
      if (!r.ok) throw new Error(`offline tap refused: ${r.error.code}`);
      expect(r.value.offline).toBe(true);
      expect(r.value.print.state).toBe('confirmed');
      tickets.push(r.value.receipt.ticket);
    }
    const numbers = tickets.map((t) => t.number);
    expect(new Set(numbers).size).toBe(TICKETS);
    expect(unsettled()).toBe(TICKETS);

    // Back on the same database; the agent reconnects by itself and replays, one per request.
    server = await startServer(serverPort);
    const running = server;
    await until(() => storedOf(numbers) > 0, {
      what: 'first replayed check-in on the server',
      timeoutMs: 120_000,
      intervalMs: 5,
    });
    // Frozen at the state seen, so a busy machine cannot let the replay run on to its end before
    // the kill lands; the agent dies with check-ins sent and not settled, and some not yet sent.
    running.child.kill('SIGSTOP');
    agent.kill('SIGKILL');
    await exited(agent);
    running.child.kill('SIGCONT');
    ui.close();
    const left = unsettled() ?? 0;
    console.info(`agent killed with ${left} of ${TICKETS} check-ins unsettled, ${storedOf(numbers)} on the server`);
    expect(left).toBeGreaterThan(0);
    expect(storedOf(numbers)).toBeLessThan(TICKETS);

    // Started again on the same data folder (already paired): the replay finishes.
    agent = startAgent({ OFFLINE_REPLAY_BATCH: '5' });
    ui = await connectUi();
    await until(() => unsettled() === 0, { what: 'journal replayed after the restart', timeoutMs: 120_000 });

    const token = await login(running.url, 'admin', 'admin-demo');
    const q = (await api<QueueEntry[]>(running.url, token, 'GET', `/api/queue?serviceId=${SERVICE}`)).body.value ?? [];
    for (const t of tickets) {
      const found = q.filter((e) => e.number === t.number);
      expect(found, t.number).toHaveLength(1);
      expect(found[0]?.issuedAt, t.number).toBe(t.issuedAt);
    }
    expect(new Set(q.map((e) => e.number)).size).toBe(q.length);
    // Every check-in settled once, none refused or clashing.
    const outcomes =
      readOnly(journalFile, (db) => db.prepare('select outcome from journal').all() as { outcome: string }[]) ?? [];
    expect(outcomes).toHaveLength(TICKETS);
    for (const o of outcomes) expect(JSON.parse(o.outcome).state).not.toMatch(/conflict|refused/u);
  }, 300_000);
});
