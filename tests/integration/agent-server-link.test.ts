/**
 * The agent's outbox through a real outage: a real server is stopped and restarted on the same
 * port and database. While it is down, print reports and device-health changes are kept on disk
 * in order (a newer health report supersedes an older one), and delivered in that order once the
 * link is back; an agent restarted during the outage delivers what the previous one queued.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { createAgent, createLogger, loadAgentConfig, type Agent } from '@kiosk/device-agent';
import { createServerApp, loadConfig, type ServerApp } from '@kiosk/server';
import type { AgentToSimEvents, DeviceHealth, QueueEntry, Result, SimToAgentEvents } from '@kiosk/protocol';
import { api, login } from '../support/server-harness';

const serverDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-link-server-'));
const agentDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-link-agent-'));
let app: ServerApp | undefined;
let port = 0;
let agent: Agent | undefined;

async function startServerApp(): Promise<void> {
  app = await createServerApp(
    loadConfig({
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${path.join(serverDir, 'kiosk.sqlite')}`,
      DEMO: '1',
      LOG_LEVEL: 'silent',
      BOOTSTRAP_PAIRING_CODE: 'LINKTEST0001',
    }),
  );
  port = await app.listen();
}
async function stopServerApp(): Promise<void> {
  await app?.close();
  app = undefined;
}
const url = () => `http://127.0.0.1:${port}`;

function startAgent(): Promise<Agent> {
  return createAgent(
    loadAgentConfig({
      AGENT_PORT: '0',
      SERVER_URL: url(),
      PAIRING_CODE: 'LINKTEST0001',
      AGENT_DATA_DIR: agentDir,
      LOG_LEVEL: 'silent',
    }),
    createLogger('silent'),
  );
}

async function issueTicket(a: Agent): Promise<string> {
  const receipt = await a.link.submitCheckIn({
    checkInId: randomUUID(),
    identity: { source: 'manual', fullName: 'Trần Văn Bình', dateOfBirth: '1960-01-02' },
    serviceId: 'noi-tong-quat',
    priorityClaims: [],
    consent: true,
  });
  if (!receipt.ok) throw new Error(receipt.error.code);
  return receipt.value.ticketId;
}

async function printStatus(ticketId: string): Promise<QueueEntry['printStatus'] | undefined> {
  const token = await login(url(), 'tiepdon', 'tiepdon-demo');
  const queue = await api<QueueEntry[]>(url(), token, 'GET', '/api/queue');
  return queue.body.value?.find((e) => e.ticketId === ticketId)?.printStatus;
}

async function storedHealth(): Promise<DeviceHealth[]> {
  const token = await login(url(), 'admin', 'admin-demo');
  const agents = await api<{ devices: DeviceHealth[] }[]>(url(), token, 'GET', '/api/admin/agents');
  return agents.body.value?.[0]?.devices ?? [];
}

const outboxFile = () => path.join(agentDir, 'outbox.json');
const outbox = () => JSON.parse(fs.readFileSync(outboxFile(), 'utf8')) as { kind: string }[];

beforeAll(async () => {
  await startServerApp();
  agent = await startAgent();
  await vi.waitFor(() => expect(agent?.link.connected).toBe(true), { timeout: 10_000 });
});

afterAll(async () => {
  await agent?.close();
  await stopServerApp();
  fs.rmSync(serverDir, { recursive: true, force: true });
  fs.rmSync(agentDir, { recursive: true, force: true });
});

describe('agent ↔ server outbox across an outage', () => {
  it('keeps print reports and health changes on disk while the server is down, then delivers them in order', async () => {
    const a = agent;
    if (!a) throw new Error('no agent');
    const ticketId = await issueTicket(a);
    expect(await printStatus(ticketId)).toBe('pending');

    await stopServerApp();
    await vi.waitFor(() => expect(a.link.connected).toBe(false), { timeout: 10_000 });

    const sim: Socket<AgentToSimEvents, SimToAgentEvents> = io(`http://127.0.0.1:${a.gateway.port}/sim`, {
      transports: ['websocket'],
    });
    const simCall = (fn: (ack: (r: Result<null>) => void) => void) => new Promise<Result<null>>((r) => fn(r));
    // Facts during the outage: a print report, then two device-health changes.
    a.link.reportPrint({ ticketId, state: 'confirmed' });
    expect(await simCall((ack) => sim.emit('sim:set-printer-fault', { fault: 'paper-out' }, ack))).toEqual({
      ok: true,
      value: null,
    });
    await vi.waitFor(() => expect(a.registry.get('sim-printer')?.reason).toBe('paper-out'), { timeout: 5000 });
    expect(
      await simCall((ack) => sim.emit('sim:set-device', { deviceId: 'sim-scanner', action: 'unplug' }, ack)),
    ).toEqual({
      ok: true,
      value: null,
    });
    sim.close();

    // On disk, in order; the second health change superseded the first.
    await vi.waitFor(() => expect(outbox().map((e) => e.kind)).toEqual(['print', 'health']));
    const queued = outbox()[1] as unknown as { heartbeat: { devices: DeviceHealth[] } };
    expect(queued.heartbeat.devices.find((d) => d.id === 'sim-scanner')?.state).toBe('disconnected');
    expect(queued.heartbeat.devices.find((d) => d.id === 'sim-printer')?.reason).toBe('paper-out');

    await startServerApp();
    await vi.waitFor(() => expect(a.link.connected).toBe(true), { timeout: 30_000 });
    await vi.waitFor(() => expect(a.link.pending).toBe(0), { timeout: 10_000 });
    expect(await printStatus(ticketId)).toBe('printed');
    const health = await storedHealth();
    expect(health.find((d) => d.id === 'sim-printer')).toMatchObject({ state: 'error', reason: 'paper-out' });
    expect(health.find((d) => d.id === 'sim-scanner')).toMatchObject({ state: 'disconnected' });
  });

  it('an agent restarted during the outage delivers what the previous one queued', async () => {
    const first = agent;
    if (!first) throw new Error('no agent');
    const ticketId = await issueTicket(first);
    await stopServerApp();
    await vi.waitFor(() => expect(first.link.connected).toBe(false), { timeout: 10_000 });
    first.link.reportPrint({ ticketId, state: 'failed', reason: 'paper-out' });
    await first.close();
    agent = undefined;
    expect(outbox().filter((e) => e.kind === 'print')).toHaveLength(1);

    const second = await startAgent();
    agent = second;
    expect(second.link.pending).toBeGreaterThanOrEqual(1);
    await startServerApp();
    await vi.waitFor(() => expect(second.link.connected).toBe(true), { timeout: 30_000 });
    await vi.waitFor(() => expect(second.link.pending).toBe(0), { timeout: 10_000 });
    expect(await printStatus(ticketId)).toBe('failed');
  });
});
