/**
 * The server as a child process through its real entry point, kiosk agents on its /agent
 * namespace, and a check-in load that stops at a chosen number of acknowledgements: what the
 * crash and power-cut tests share.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { io, type Socket } from 'socket.io-client';
import type {
  AgentToServerEvents,
  CheckInReceipt,
  CheckInRequest,
  InsuranceCheck,
  QueueEntry,
  Result,
  ServerToAgentEvents,
} from '@kiosk/protocol';
import { api, login } from './server-harness';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type AgentSocket = Socket<ServerToAgentEvents, AgentToServerEvents>;
export interface Acked {
  request: CheckInRequest;
  receipt: CheckInReceipt;
}

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  exited(): Promise<void>;
}

/**
 * Rate limits for load tests: these drive hundreds of kiosks' worth of check-ins through one
 * paired agent, which the per-socket and per-session limits (sized for one real kiosk) would refuse.
 */
export const LOAD_TEST_LIMITS: Readonly<Record<string, string>> = {
  SOCKET_RATE_BURST: '1000000',
  SOCKET_RATE_PER_SECOND: '1000000',
  SESSION_RATE_BURST: '1000000',
  SESSION_RATE_PER_SECOND: '1000000',
};

export async function spawnServer(o: {
  port: number;
  databaseFile: string;
  env?: Record<string, string>;
}): Promise<ServerProcess> {
  const url = `http://127.0.0.1:${o.port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(o.port),
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${o.databaseFile}`,
      DEMO: '1',
      LOG_LEVEL: 'silent',
      NODE_ENV: 'test',
      ...o.env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = () =>
    new Promise<void>((resolve) =>
      child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
    );
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) return { child, url, exited };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('server not ready');
}

/** A kiosk enrolled with the pairing code: its id and the credential its agent connects with. */
export async function agentEnrolment(
  url: string,
  pairingCode: string,
  name: string,
): Promise<{ agentId: string; credential: string }> {
  const enrolled = await api<{ agentId: string; credential: string }>(url, undefined, 'POST', '/api/agents/enroll', {
    pairingCode,
    name,
  });
  if (!enrolled.body.value) throw new Error(`enrolment refused: ${enrolled.status}`);
  return enrolled.body.value;
}

export async function enrollAgent(url: string, pairingCode: string, name: string): Promise<string> {
  return (await agentEnrolment(url, pairingCode, name)).credential;
}

export async function connectAgents(url: string, credential: string, n: number): Promise<AgentSocket[]> {
  const sockets: AgentSocket[] = [];
  for (let i = 0; i < n; i++)
    sockets.push(
      io(`${url}/agent`, { auth: { credential }, transports: ['websocket'], forceNew: true, reconnection: false }),
    );
  await Promise.all(
    sockets.map(
      (s) => new Promise<void>((resolve, reject) => (s.once('connect', resolve), s.once('connect_error', reject))),
    ),
  );
  return sockets;
}

/** A kiosk enrolled with the pairing code, its /agent socket connected. */
export async function enrolledAgent(url: string, pairingCode: string, name: string): Promise<AgentSocket> {
  const [socket] = await connectAgents(url, await enrollAgent(url, pairingCode, name), 1);
  if (!socket) throw new Error('no agent socket');
  return socket;
}

/** A kiosk's check-in over its agent link (consent given, no priority claims): the server's answer. */
export const submitCheckIn = (
  agent: AgentSocket,
  identity: CheckInRequest['identity'],
  serviceId = 'noi-tong-quat',
): Promise<Result<CheckInReceipt>> =>
  new Promise((resolve) =>
    agent.emit(
      'checkin:submit',
      { checkInId: randomUUID(), identity, serviceId, priorityClaims: [], consent: true },
      resolve,
    ),
  );

/** A check-in that must be accepted: its receipt; a refusal throws with its code. */
export async function checkedIn(
  agent: AgentSocket,
  identity: CheckInRequest['identity'],
  serviceId?: string,
): Promise<CheckInReceipt> {
  const r = await submitCheckIn(agent, identity, serviceId);
  if (!r.ok) throw new Error(`check-in refused: ${r.error.code}`);
  return r.value;
}

/** A kiosk's insurance pre-check over its agent link: the server's answer. */
export const checkInsurance = (
  agent: AgentSocket,
  identity: CheckInRequest['identity'],
): Promise<Result<InsuranceCheck>> => new Promise((resolve) => agent.emit('insurance:check', { identity }, resolve));

export const checkInRequest = (n: number, serviceId = 'nhi-khoa'): CheckInRequest => ({
  checkInId: randomUUID(),
  identity: {
    source: 'cccd-qr',
    idNumber: `0791${String(n).padStart(8, '0')}`,
    fullName: 'Bệnh Nhân Thử',
    dateOfBirth: '1985-05-05',
  },
  serviceId,
  priorityClaims: [],
  consent: true,
});

/**
 * Each socket keeps one check-in in flight. Once `stopAfter` are acknowledged, `interrupt` runs
 * (a kill, a power cut) while the others are still in flight. Acknowledgements that arrive after
 * the interruption are kept too: the server sent them, so it must have kept those tickets.
 */
export async function loadUntil(sockets: AgentSocket[], stopAfter: number, interrupt: () => void): Promise<Acked[]> {
  const acked: Acked[] = [];
  let n = 0;
  let stopped = false;
  await new Promise<void>((resolve) => {
    for (const sock of sockets) {
      const next = () => {
        if (stopped) return;
        const req = checkInRequest(n++);
        sock.emit('checkin:submit', req, (r: Result<CheckInReceipt>) => {
          if (r.ok) acked.push({ request: req, receipt: r.value });
          if (stopped) return;
          if (acked.length >= stopAfter) {
            stopped = true;
            interrupt();
            resolve();
            return;
          }
          next();
        });
      };
      next();
    }
  });
  return acked;
}

/**
 * On a restarted server: every acknowledged ticket is stored with its number, the day's series is
 * 1…N without a gap, a retried check-in returns its original ticket, and the next one is N + 1.
 */
export async function expectKeptAndContinuing(
  url: string,
  credential: string,
  acked: Acked[],
  expect: (actual: unknown) => { toEqual(v: unknown): void; toBe(v: unknown): void },
): Promise<void> {
  const token = await login(url, 'tiepdon', 'tiepdon-demo');
  const queue = await api<QueueEntry[]>(url, token, 'GET', '/api/queue?serviceId=nhi-khoa');
  const stored = new Map((queue.body.value ?? []).map((e) => [e.ticketId, e.number]));
  const lost = acked.filter((a) => stored.get(a.receipt.ticketId) !== a.receipt.ticket.number);
  expect(lost.map((a) => a.receipt.ticket.number)).toEqual([]);
  const seqs = [...stored.values()].map((x) => Number(x.slice(1))).sort((a, b) => a - b);
  expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));

  const again = await connectAgents(url, credential, 2);
  const first = acked[0];
  if (!first) throw new Error('nothing acknowledged');
  const replay = await new Promise<Result<CheckInReceipt>>((resolve) =>
    again[0]?.emit('checkin:submit', first.request, resolve),
  );
  expect(replay.ok && replay.value.replayed && replay.value.ticketId).toBe(first.receipt.ticketId);
  const fresh = await new Promise<Result<CheckInReceipt>>((resolve) =>
    again[1]?.emit('checkin:submit', checkInRequest(1_000_000), resolve),
  );
  expect(fresh.ok && fresh.value.ticket.number).toBe(`B${String(seqs.length + 1).padStart(3, '0')}`);
  for (const s of again) s.close();
}
