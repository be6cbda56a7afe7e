/**
 * The agent in hardware mode (DEVICES=hardware) on this machine: real discovery finds the PC/SC
 * reader that pcscd + vsmartcard-vpcd expose, matches it to a profile and opens it through the
 * transport factory; a virtual CCCD connected to vpcd is announced (card:presented), then read
 * through the kiosk gateway once the page sends the patient's consent (card:read), with a key
 * typed by staff (card:set-key), the CSCA coming from TRUST_STORE_DIR; a card pulled
 * mid-read ends in card:failed 'card-removed'. Sources whose binding or service is missing on
 * this host are reported as transport problems in the health report, nothing else.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import {
  createAgent,
  createLogger,
  createTestPki,
  loadAgentConfig,
  VirtualCccdChip,
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
import { startPcscd, vpcdChipCard, VPCD_READER as READER, waitForCardState, type Pcscd } from '../support/pcscd';
import { until } from '../support/until';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-hw-'));
const pki = createTestPki();
let pcscd: Pcscd | undefined;
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

beforeAll(async () => {
  pcscd = await startPcscd();
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
  await pcscd?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

const virtualCard = (slowMs = 0) => vpcdChipCard(new VirtualCccdChip({ pki, faceBytes: 16_000 }), slowMs);

describe('agent in hardware mode', () => {
  it('discovers the PC/SC reader, matches a profile, opens it and offers card reading', async () => {
    const id = `pcsc:${READER}`;
    await until(() => expect(agent.registry.get(id)?.state).toBe('ready'));
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
      await until(() => expect(heard.authenticity).toHaveLength(1));
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
      // The next card must be a new presentation, not this one still seen in the field.
      await waitForCardState(false);
    }
  });

  it('a card pulled in the middle of the face → card:failed card-removed; the reader stays ready', async () => {
    heard.identity.length = 0;
    heard.failed.length = 0;
    const card = virtualCard(15);
    await card.insert();
    await until(() => expect(heard.identity).toHaveLength(1));
    await card.remove();
    await until(() => expect(heard.failed).toHaveLength(1));
    expect(heard.failed[0]).toMatchObject({ code: 'card-removed', hint: 'hold-card-still' });
    await until(() => expect(agent.registry.get(`pcsc:${READER}`)?.state).toBe('ready'));
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
