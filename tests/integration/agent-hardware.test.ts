/**
 * The agent in hardware mode (DEVICES=hardware) on this machine: real discovery finds the PC/SC
 * reader that pcscd + vsmartcard-vpcd expose, matches it to a profile and opens it through the
 * transport factory; a virtual CCCD connected to vpcd is announced (card:presented), then read
 * through the kiosk gateway once the page sends the patient's consent (card:read), with a key
 * typed by staff (card:set-key), the CSCA coming from TRUST_STORE_DIR; a card pulled
 * mid-read ends in card:failed 'card-removed'. Sources whose binding or service is missing on
 * this host are reported as transport problems in the health report, nothing else.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import {
  createAgent,
  createLogger,
  createTestPki,
  listPcscReaders,
  loadAgentConfig,
  VirtualCccdChip,
  VpcdCard,
  type Agent,
} from '@kiosk/device-agent';
import type {
  AgentFeatures,
  AgentToKioskUiEvents,
  CardAuthenticityEvent,
  CardFailure,
  CardIdentity,
  KioskUiToAgentEvents,
  Result,
} from '@kiosk/protocol';

const READER = 'Virtual PCD 00 00';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-hw-'));
const pki = createTestPki();
let daemon: ChildProcess | undefined;
let agent: Agent;
let ui: Socket<AgentToKioskUiEvents, KioskUiToAgentEvents>;
const heard = {
  features: [] as AgentFeatures[],
  identity: [] as CardIdentity[],
  authenticity: [] as CardAuthenticityEvent[],
  failed: [] as CardFailure[],
  faces: 0,
  progress: 0,
  presented: 0,
  consentRefused: [] as string[],
};

function pcscdRunning(): boolean {
  try {
    process.kill(Number.parseInt(fs.readFileSync('/run/pcscd/pcscd.pid', 'utf8'), 10), 0);
    return true;
  } catch {
    return false;
  }
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  if (!fs.existsSync('/usr/sbin/pcscd'))
    throw new Error('pcscd is not installed: apt-get install pcscd libpcsclite-dev');
  if (!fs.existsSync('/usr/lib/pcsc/drivers/serial/libifdvpcd.so'))
    throw new Error('vpcd driver missing: apt-get install vsmartcard-vpcd');
  if (!pcscdRunning()) daemon = spawn('/usr/sbin/pcscd', ['-f', '-e'], { stdio: 'ignore' });
  await vi.waitFor(
    async () => {
      const r = await listPcscReaders();
      expect(r.ok && r.readers).toContain(READER);
    },
    { timeout: 10_000, interval: 100 },
  );
  const trustDir = path.join(work, 'csca');
  fs.mkdirSync(trustDir);
  fs.writeFileSync(path.join(trustDir, 'csca.pem'), pki.csca.pem);
  fs.writeFileSync(path.join(trustDir, 'broken.pem'), 'not a certificate');
  agent = await createAgent(
    loadAgentConfig({
      AGENT_PORT: '0',
      AGENT_DATA_DIR: path.join(work, 'agent'),
      SERVER_URL: 'http://127.0.0.1:9',
      DEVICES: 'hardware',
      DISCOVERY_INTERVAL_MS: '500',
      TRUST_STORE_DIR: trustDir,
      LOG_LEVEL: 'silent',
    }),
    createLogger('silent'),
  );
  ui = io(`http://127.0.0.1:${agent.gateway.port}`, { transports: ['websocket'] });
  ui.on('features:announced', (f) => heard.features.push(f));
  // The patient agrees to the privacy notice on the kiosk page as soon as a card is announced.
  ui.on('card:presented', (c) => {
    heard.presented++;
    ui.emit('card:read', { readId: c.readId, consent: true }, (r) => {
      if (!r.ok) heard.consentRefused.push(r.error.code);
    });
  });
  ui.on('card:progressed', () => heard.progress++);
  ui.on('card:identified', (c) => heard.identity.push(c));
  ui.on('card:face-read', () => heard.faces++);
  ui.on('card:verified', (a) => heard.authenticity.push(a));
  ui.on('card:failed', (f) => heard.failed.push(f));
  await new Promise<void>((resolve) => ui.once('connect', () => resolve()));
});

afterAll(async () => {
  ui?.close();
  await agent?.close();
  const d = daemon;
  if (d && d.exitCode === null) {
    const exited = new Promise((r) => d.once('exit', r));
    d.kill('SIGTERM');
    await Promise.race([exited, delay(3000)]);
    if (d.exitCode === null) d.kill('SIGKILL');
  }
  fs.rmSync(work, { recursive: true, force: true });
});

function virtualCard(slowMs = 0) {
  const chip = new VirtualCccdChip({ pki, faceBytes: 16_000 });
  const card = new VpcdCard({
    atr: chip.atr,
    onApdu: async (apdu) => {
      if (slowMs > 0) await delay(slowMs);
      return chip.process(apdu);
    },
  });
  card.events.add((e) => {
    if (e.kind === 'control' && (e.code === 1 || e.code === 2)) chip.reset();
  });
  return card;
}

describe('agent in hardware mode', () => {
  it('discovers the PC/SC reader, matches a profile, opens it and offers card reading', async () => {
    const id = `pcsc:${READER}`;
    await vi.waitFor(() => expect(agent.registry.get(id)?.state).toBe('ready'), { timeout: 5000 });
    expect(agent.registry.get(id)).toMatchObject({ class: 'card-reader', profileId: 'generic.pcsc-contactless' });
    expect(heard.features.at(-1)?.features).toContain('card-read');
    expect(agent.trust.store.anchors).toHaveLength(1);
    expect(agent.trust.problems).toEqual(['broken.pem: not a certificate']);
    const health = (await (await fetch(`http://127.0.0.1:${agent.gateway.port}/health`)).json()) as {
      devicesMode: string;
      transports: { transport: string; reason: string }[];
      trustAnchors: number;
    };
    expect(health).toMatchObject({ devicesMode: 'hardware', trustAnchors: 1 });
    // Whatever this host lacks (no udevadm for serial listing, no hidraw) is named, per transport.
    for (const t of health.transports) expect(['serial', 'hid', 'usb-printer', 'pcsc']).toContain(t.transport);
  });

  it('reads a virtual CCCD through pcscd with a staff-typed key: identity, face, trusted authenticity', async () => {
    const ack = await new Promise<Result<null>>((resolve) =>
      ui.emit(
        'card:set-key',
        { kind: 'cccd', idNumber: '079188012345', dateOfBirth: '1988-03-12', issueDate: '2021-05-10' },
        resolve,
      ),
    );
    expect(ack).toEqual({ ok: true, value: null });
    const card = virtualCard();
    await card.insert();
    try {
      await vi.waitFor(() => expect(heard.authenticity).toHaveLength(1), { timeout: 20_000 });
      expect(heard.failed).toEqual([]);
      expect(heard.identity[0]?.identity).toMatchObject({ source: 'chip', fullName: 'Nguyễn Thị Lan' });
      expect(heard.faces).toBe(1);
      expect(heard.progress).toBeGreaterThan(5);
      expect(heard.authenticity[0]?.authenticity).toEqual({
        passive: 'valid',
        signer: 'trusted',
        pa: 'verified',
        ca: 'not-supported',
        aa: 'not-supported',
        access: 'bac',
        verified: true,
      });
      expect(heard.presented).toBe(1);
      expect(heard.consentRefused).toEqual([]);
    } finally {
      await card.remove();
    }
  });

  it('a card pulled in the middle of the face → card:failed card-removed; the reader stays ready', async () => {
    heard.identity.length = 0;
    heard.failed.length = 0;
    const card = virtualCard(15);
    await card.insert();
    await vi.waitFor(() => expect(heard.identity).toHaveLength(1), { timeout: 20_000 });
    await card.remove();
    await vi.waitFor(() => expect(heard.failed).toHaveLength(1), { timeout: 10_000 });
    expect(heard.failed[0]).toMatchObject({ code: 'card-removed', hint: 'hold-card-still' });
    await vi.waitFor(() => expect(agent.registry.get(`pcsc:${READER}`)?.state).toBe('ready'));
    ui.emit('session:reset', {}, () => undefined);
  });

  it('has no simulator namespace', async () => {
    const sim = io(`http://127.0.0.1:${agent.gateway.port}/sim`, { transports: ['websocket'], reconnection: false });
    const error = await new Promise<string>((resolve) => {
      sim.once('connect', () => resolve('connected'));
      sim.once('connect_error', (e) => resolve(e.message));
    });
    sim.close();
    expect(error).toBe('Invalid namespace');
  });
});
