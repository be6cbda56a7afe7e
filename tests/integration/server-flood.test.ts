/**
 * One client flooding: the kiosk page through its agent (30,000 service-list requests), the agent's
 * own socket, one viewer on /staff (20,000 queue lists), one session over HTTP, one address over
 * HTTP without a session or with a new token each time. Each is answered
 * 'rate-limited' past its bucket, nothing piles up, and /healthz stays fast meanwhile. The agent
 * asks the server for the service list once and answers the rest from its cache until the server
 * says the services changed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { createAgent, createLogger, loadAgentConfig, type Agent } from '@kiosk/device-agent';
import type {
  AgentToKioskUiEvents,
  AgentToServerEvents,
  KioskUiToAgentEvents,
  Result,
  ServerToAgentEvents,
  ServerToStaffEvents,
  StaffToServerEvents,
} from '@kiosk/protocol';
import { api, login, startServer, type RunningServer } from '../support/server-harness';

let server: RunningServer;
let agent: Agent;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-flood-'));

const connected = async <S extends Socket>(socket: S): Promise<S> => {
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
};

/**
 * Emits `count` commands at once on `socket`; tallies the answers by outcome (ok or the error
 * code). Commands left unanswered when the server cuts the socket off count as 'disconnected'.
 */
async function flood(socket: Socket, emit: (ack: (r: Result<unknown>) => void) => void, count: number) {
  const cut = new Promise<Result<unknown>>((resolve) =>
    socket.once('disconnect', () => resolve({ ok: false, error: { code: 'disconnected', message: '' } })),
  );
  const answers = await Promise.all(
    Array.from({ length: count }, () => Promise.race([new Promise<Result<unknown>>((resolve) => emit(resolve)), cut])),
  );
  const tally: Record<string, number> = {};
  for (const a of answers) {
    const k = a.ok ? 'ok' : a.error.code;
    tally[k] = (tally[k] ?? 0) + 1;
  }
  return tally;
}

/**
 * A bound against /healthz starving behind a flood, not a speed target: a loaded 2-core machine
 * stretches every answer (tests/bench/server-flood.bench.ts holds the < 100 ms figure).
 */
const HEALTHZ_HANG_MS = 15_000;

/** Times /healthz while `during` runs: the slowest answer in ms. */
async function healthzWhile(during: Promise<unknown>): Promise<number> {
  let done = false;
  void during.finally(() => (done = true));
  let slowest = 0;
  let probes = 0;
  while (!done || probes < 3) {
    const started = performance.now();
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    slowest = Math.max(slowest, performance.now() - started);
    probes += 1;
  }
  await during;
  return slowest;
}

beforeAll(async () => {
  // HTTP sessions refill slowly here, so the flood outruns its bucket however slowly a loaded
  // machine sends it; the burst is the default.
  server = await startServer({ BOOTSTRAP_PAIRING_CODE: 'FLOODCODE123', HTTP_RATE_PER_SECOND: '20' });
  agent = await createAgent(
    loadAgentConfig({
      AGENT_PORT: '0',
      SERVER_URL: server.url,
      PAIRING_CODE: 'FLOODCODE123',
      AGENT_DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
    }),
    createLogger('silent'),
  );
  await vi.waitFor(() => expect(agent.link.connected).toBe(true), { timeout: 10_000 });
});

afterAll(async () => {
  await agent?.close();
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('one client floods', () => {
  it('the kiosk page, 30,000 service lists through its agent: rate-limited, one request reaches the server', async () => {
    const ui: Socket<AgentToKioskUiEvents, KioskUiToAgentEvents> = await connected(
      io(`http://127.0.0.1:${agent.gateway.port}`, { transports: ['websocket'], reconnection: false }),
    );
    const before = agent.link.servicesRequests;
    const run = flood(ui, (ack) => ui.emit('services:list', {}, ack), 30_000);
    const slowest = await healthzWhile(run);
    const tally = await run;
    ui.close();
    // Refused, then cut off as a client that ignores 'rate-limited'.
    expect(tally['rate-limited'] ?? 0).toBeLessThanOrEqual(200);
    expect((tally['rate-limited'] ?? 0) + (tally['disconnected'] ?? 0)).toBeGreaterThan(29_000);
    // A well-behaved page is served at once afterwards, from the agent's cache.
    const fresh: Socket<AgentToKioskUiEvents, KioskUiToAgentEvents> = await connected(
      io(`http://127.0.0.1:${agent.gateway.port}`, { transports: ['websocket'], reconnection: false }),
    );
    expect(await new Promise<Result<unknown>>((resolve) => fresh.emit('services:list', {}, resolve))).toMatchObject({
      ok: true,
    });
    fresh.close();
    expect(tally['server-timeout']).toBeUndefined();
    expect(agent.link.servicesRequests - before).toBeLessThanOrEqual(1);
    // A loose bound for a busy test machine; the benchmark holds the 100 ms target.
    expect(slowest).toBeLessThan(HEALTHZ_HANG_MS);
  });

  it('a changed service list reaches the agent on its next request', async () => {
    const before = agent.link.servicesRequests;
    expect((await agent.link.services()).ok).toBe(true);
    expect(agent.link.servicesRequests).toBe(before);
    const admin = await login(server.url, 'admin', 'admin-demo');
    const services = await api<{ id: string; room: string }[]>(server.url, admin, 'GET', '/api/admin/services');
    const first = services.body.value?.[0];
    expect(first).toBeDefined();
    const renamed = await api(server.url, admin, 'PATCH', `/api/admin/services/${first?.id}`, { room: 'P.999' });
    expect(renamed.status).toBe(200);
    await vi.waitFor(async () => {
      const r = await agent.link.services();
      expect(r.ok && r.value.find((s) => s.id === first?.id)?.room).toBe('P.999');
    });
    expect(agent.link.servicesRequests).toBe(before + 1);
  });

  it("the agent's own socket, 30,000 service lists straight to the server: rate-limited", async () => {
    const credential = (
      JSON.parse(fs.readFileSync(path.join(dataDir, 'credential.json'), 'utf8')) as { credential: string }
    ).credential;
    const sock: Socket<ServerToAgentEvents, AgentToServerEvents> = await connected(
      io(`${server.url}/agent`, { auth: { credential }, transports: ['websocket'], reconnection: false }),
    );
    const run = flood(sock, (ack) => sock.emit('services:list', {}, ack), 30_000);
    const slowest = await healthzWhile(run);
    const tally = await run;
    sock.close();
    expect(tally['rate-limited'] ?? 0).toBeLessThanOrEqual(200);
    expect((tally['rate-limited'] ?? 0) + (tally['disconnected'] ?? 0)).toBeGreaterThan(29_000);
    expect(slowest).toBeLessThan(HEALTHZ_HANG_MS);
  });

  it('one viewer, 20,000 queue lists on /staff: rate-limited, and other staff are served meanwhile', async () => {
    const viewer = await login(server.url, 'xem', 'xem-demo');
    const sock: Socket<ServerToStaffEvents, StaffToServerEvents> = await connected(
      io(`${server.url}/staff`, { auth: { token: viewer }, transports: ['websocket'], reconnection: false }),
    );
    const run = flood(sock, (ack) => sock.emit('queue:list', {}, ack), 20_000);
    const slowest = await healthzWhile(run);
    const tally = await run;
    expect(tally['rate-limited'] ?? 0).toBeLessThanOrEqual(200);
    expect((tally['rate-limited'] ?? 0) + (tally['disconnected'] ?? 0)).toBeGreaterThan(19_000);
    expect(slowest).toBeLessThan(HEALTHZ_HANG_MS);
    // A second socket of the same session shares the session's bucket: still refused right after.
    const second: Socket<ServerToStaffEvents, StaffToServerEvents> = await connected(
      io(`${server.url}/staff`, { auth: { token: viewer }, transports: ['websocket'], reconnection: false }),
    );
    const again = await flood(second, (ack) => second.emit('queue:list', {}, ack), 500);
    expect(again['ok'] ?? 0).toBeLessThan(100);
    // Another session is not affected.
    const clinic = await login(server.url, 'phongkham', 'phongkham-demo');
    const other: Socket<ServerToStaffEvents, StaffToServerEvents> = await connected(
      io(`${server.url}/staff`, { auth: { token: clinic }, transports: ['websocket'], reconnection: false }),
    );
    expect(await new Promise<Result<unknown>>((resolve) => other.emit('queue:list', {}, resolve))).toMatchObject({
      ok: true,
    });
    for (const s of [sock, second, other]) s.close();
  });

  it('one session over HTTP: 429 rate-limited past its bucket, /healthz answered meanwhile', async () => {
    const viewer = await login(server.url, 'xem', 'xem-demo');
    // 20 connections each sending as fast as answers come back, 3,000 requests in all.
    const answers: Awaited<ReturnType<typeof api>>[] = [];
    const run = Promise.all(
      Array.from({ length: 20 }, async () => {
        while (answers.length < 3000) answers.push(await api(server.url, viewer, 'GET', '/api/queue'));
      }),
    );
    const started = performance.now();
    const slowest = await healthzWhile(run);
    const seconds = (performance.now() - started) / 1000;
    // Past the burst (200) only the refill (20 per second) gets through, however long the flood took.
    const ok = answers.filter((r) => r.status === 200).length;
    expect(ok).toBeLessThanOrEqual(200 + Math.ceil(20 * seconds) + 20);
    expect(answers.filter((r) => r.status === 429).length).toBe(answers.length - ok);
    expect(answers.find((r) => r.status === 429)?.body).toMatchObject({ error: { code: 'rate-limited' } });
    expect(slowest).toBeLessThan(HEALTHZ_HANG_MS);
  });
});

describe('one address floods over HTTP', () => {
  let small: RunningServer;
  beforeAll(async () => {
    // A small address bucket, refilled slowly, so the flood outruns it on any machine.
    small = await startServer({ HTTP_ADDRESS_RATE_BURST: '100', HTTP_ADDRESS_RATE_PER_SECOND: '10' });
  });
  afterAll(() => small?.stop());

  /** `count` requests from this address, 20 connections at a time; `token(i)` a bearer token or none. */
  async function fromOneAddress(count: number, url: string, token: (i: number) => string | undefined) {
    const statuses: number[] = [];
    const bodies: unknown[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        for (let i = next++; i < count; i = next++) {
          const t = token(i);
          const res = await fetch(`${small.url}${url}`, t ? { headers: { authorization: `Bearer ${t}` } } : {});
          statuses.push(res.status);
          bodies.push(await res.json());
        }
      }),
    );
    return { statuses, bodies, seconds: (performance.now() - started) / 1000 };
  }

  it('without a session: 429 rate-limited past the address bucket', async () => {
    const { statuses, bodies, seconds } = await fromOneAddress(1000, '/api/kiosk/config', () => undefined);
    const ok = statuses.filter((s) => s === 200).length;
    expect(ok).toBeLessThanOrEqual(100 + Math.ceil(10 * seconds) + 10);
    expect(statuses.filter((s) => s === 429).length).toBe(statuses.length - ok);
    expect(bodies[statuses.indexOf(429)]).toMatchObject({ error: { code: 'rate-limited' } });
  });

  it('a fresh session token per request does not escape it: the address bucket still refuses', async () => {
    const { statuses, seconds } = await fromOneAddress(1000, '/api/queue', (i) => `not-a-session-${i}`);
    // Each token's own bucket is full; only the address bucket can answer 429 here.
    const passed = statuses.filter((s) => s !== 429).length;
    expect(passed).toBeLessThanOrEqual(100 + Math.ceil(10 * seconds) + 10);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect((await fetch(`${small.url}/healthz`)).status).toBe(200);
  });
});
