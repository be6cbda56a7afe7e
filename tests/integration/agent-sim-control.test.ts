/**
 * The simulator's control namespace (/sim) on the kiosk agent is held to the same edge rules as
 * the kiosk page's: every payload validated, a per-socket rate limit answered 'rate-limited' (a
 * socket that keeps sending is cut off), the gateway's origin allow-list, and loopback only.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { createAgent, createLogger, loadAgentConfig, type Agent } from '@kiosk/device-agent';
import type { AgentToSimEvents, Result, SimToAgentEvents } from '@kiosk/protocol';
import { startServer, type RunningServer } from '../support/server-harness';
import { until } from '../support/until';

type Sim = Socket<AgentToSimEvents, SimToAgentEvents>;

let server: RunningServer;
let agent: Agent;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-sim-'));
const simUrl = () => `http://127.0.0.1:${agent.gateway.port}/sim`;

/** Connects, or rejects with the handshake's error. */
async function connect(url: string, origin?: string): Promise<Sim> {
  const socket: Sim = io(url, {
    transports: ['websocket'],
    reconnection: false,
    ...(origin ? { extraHeaders: { origin } } : {}),
  });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
  } catch (e) {
    socket.close();
    throw e;
  }
  return socket;
}

beforeAll(async () => {
  server = await startServer({ BOOTSTRAP_PAIRING_CODE: 'SIMCONTROL12' });
  agent = await createAgent(
    loadAgentConfig({
      AGENT_PORT: '0',
      SERVER_URL: server.url,
      PAIRING_CODE: 'SIMCONTROL12',
      AGENT_DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      // A slow refill, so the flood outruns its bucket however slowly a loaded machine sends it.
      SIM_RATE_PER_SECOND: '5',
    }),
    createLogger('silent'),
  );
});

afterAll(async () => {
  await agent?.close();
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('the simulator control namespace', () => {
  it('validates every payload', async () => {
    const sim = await connect(simUrl());
    try {
      const bad = (await sim.emitWithAck('sim:scan', { payload: 42 } as never)) as Result<null>;
      expect(bad).toMatchObject({ ok: false, error: { code: 'validation-failed' } });
      const odd = (await sim.emitWithAck('sim:set-card', { action: 'explode' } as never)) as Result<null>;
      expect(odd).toMatchObject({ ok: false, error: { code: 'validation-failed' } });
      expect((await sim.emitWithAck('sim:get-state', {})).ok).toBe(true);
    } finally {
      sim.close();
    }
  });

  it('answers a flood rate-limited past its bucket and cuts off a socket that keeps sending', async () => {
    const sim = await connect(simUrl());
    const cut = new Promise<Result<unknown>>((resolve) =>
      sim.once('disconnect', () => resolve({ ok: false, error: { code: 'disconnected', message: '' } })),
    );
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 3000 }, () =>
        Promise.race([new Promise<Result<unknown>>((resolve) => sim.emit('sim:get-state', {}, resolve as never)), cut]),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    const tally: Record<string, number> = {};
    for (const a of answers) tally[a.ok ? 'ok' : a.error.code] = (tally[a.ok ? 'ok' : a.error.code] ?? 0) + 1;
    // Past the burst (200) only the refill (5 per second) gets through.
    expect(tally['ok'] ?? 0).toBeLessThanOrEqual(200 + Math.ceil(5 * seconds) + 5);
    expect(tally['rate-limited']).toBeGreaterThan(0);
    // 200 refusals in a row (UI_FLOOD_DISCONNECT_AFTER) and the socket is cut off.
    await until(() => expect(sim.connected).toBe(false));
    sim.close();
    // The agent still serves a well-behaved client.
    const next = await connect(simUrl());
    try {
      await until(async () => expect((await next.emitWithAck('sim:get-state', {})).ok).toBe(true));
    } finally {
      next.close();
    }
  });

  it('refuses a handshake from another origin', async () => {
    await expect(connect(simUrl(), 'http://evil.example')).rejects.toThrow();
  });

  it('listens on loopback only: not reachable on the machine’s network address', async () => {
    const lan = Object.values(os.networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    if (!lan) return;
    await expect(connect(`http://${lan}:${agent.gateway.port}/sim`)).rejects.toThrow();
  });
});
