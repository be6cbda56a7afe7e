/**
 * Durability on SQLite: the server runs as a child process (its real entry point), kiosk clients
 * issue check-ins under load, the process is killed with SIGKILL, and after a restart every
 * acknowledged ticket is there, the series has no gap, and numbering continues without duplicates.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import type {
  AgentToServerEvents,
  CheckInReceipt,
  CheckInRequest,
  QueueEntry,
  Result,
  ServerToAgentEvents,
} from '@kiosk/protocol';
import { api, login } from '../support/server-harness';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLIENTS = 8;
const KILL_AFTER_ACKS = 300;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server not ready');
}

describe('SQLite durability across kill -9', () => {
  let dir: string;
  let port: number;
  let url: string;
  let child: ChildProcess | undefined;

  const start = async (extra: Record<string, string> = {}) => {
    child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
      cwd: root,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: `sqlite:${path.join(dir, 'kiosk.sqlite')}`,
        DEMO: '1',
        LOG_LEVEL: 'silent',
        NODE_ENV: 'test',
        ...extra,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await waitReady(url, child);
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-crash-'));
    port = await freePort();
    url = `http://127.0.0.1:${port}`;
  });
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged ticket and continues the series without duplicates', async () => {
    await start({ BOOTSTRAP_PAIRING_CODE: 'CRASHCODE123' });
    const enrolled = await api<{ credential: string }>(url, undefined, 'POST', '/api/agents/enroll', {
      pairingCode: 'CRASHCODE123',
      name: 'kiosk-crash',
    });
    const credential = enrolled.body.value?.credential ?? '';
    const connect = async () => {
      const sockets: Socket<ServerToAgentEvents, AgentToServerEvents>[] = [];
      for (let i = 0; i < CLIENTS; i++)
        sockets.push(
          io(`${url}/agent`, { auth: { credential }, transports: ['websocket'], forceNew: true, reconnection: false }),
        );
      await Promise.all(
        sockets.map(
          (s) => new Promise<void>((resolve, reject) => (s.once('connect', resolve), s.once('connect_error', reject))),
        ),
      );
      return sockets;
    };
    const request = (n: number): CheckInRequest => ({
      checkInId: randomUUID(),
      identity: {
        source: 'cccd-qr',
        idNumber: `0791${String(n).padStart(8, '0')}`,
        fullName: 'Bệnh Nhân Thử',
        dateOfBirth: '1985-05-05',
      },
      serviceId: 'nhi-khoa',
      priorityClaims: [],
      consent: true,
    });

    const sockets = await connect();
    const acked: { request: CheckInRequest; receipt: CheckInReceipt }[] = [];
    let n = 0;
    let killed = false;
    const killedAt = new Promise<void>((resolve) => {
      // Each client keeps one check-in in flight; the kill lands while others are in flight.
      sockets.forEach((sock) => {
        const next = () => {
          if (killed) return;
          const req = request(n++);
          sock.emit('checkin:submit', req, (r: Result<CheckInReceipt>) => {
            if (killed) return;
            if (r.ok) acked.push({ request: req, receipt: r.value });
            if (acked.length >= KILL_AFTER_ACKS && !killed) {
              killed = true;
              child?.kill('SIGKILL');
              resolve();
              return;
            }
            next();
          });
        };
        next();
      });
    });
    await killedAt;
    await new Promise<void>((resolve) => (child?.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
    for (const s of sockets) s.close();
    expect(acked.length).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);

    await start();
    const token = await login(url, 'tiepdon', 'tiepdon-demo');
    const queue = await api<QueueEntry[]>(url, token, 'GET', '/api/queue?serviceId=nhi-khoa');
    const stored = new Map((queue.body.value ?? []).map((e) => [e.ticketId, e.number]));
    const lost = acked.filter((a) => stored.get(a.receipt.ticketId) !== a.receipt.ticket.number);
    expect(lost).toEqual([]);
    const seqs = [...stored.values()].map((x) => Number(x.slice(1))).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));

    const again = await connect();
    const first = acked[0];
    if (!first) throw new Error('nothing acknowledged');
    const replay = await new Promise<Result<CheckInReceipt>>((resolve) =>
      again[0]?.emit('checkin:submit', first.request, resolve),
    );
    expect(replay.ok && replay.value.replayed && replay.value.ticketId).toBe(first.receipt.ticketId);
    const fresh = await new Promise<Result<CheckInReceipt>>((resolve) =>
      again[1]?.emit('checkin:submit', request(n + 1), resolve),
    );
    expect(fresh.ok && fresh.value.ticket.number).toBe(`B${String(seqs.length + 1).padStart(3, '0')}`);
    for (const s of again) s.close();
    child?.kill('SIGTERM');
  });
});
