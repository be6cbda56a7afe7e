/**
 * Provenance the server can trust: the kiosk page (a socket client of the agent's UI gateway) can
 * claim at most a QR or manual identity. A page's `source: 'chip'` that no read of the agent backs
 * is recorded as 'manual'; an identity the agent read from the (simulated) chip itself reaches the
 * server as a chip identity verified by passive authentication, whatever the page sends with it.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { createAgent, createLogger, loadAgentConfig, type Agent } from '@kiosk/device-agent';
import type {
  AgentToKioskUiEvents,
  CardIdentity,
  CardAuthenticityEvent,
  CheckInOutcome,
  CheckInRequest,
  Identity,
  KioskUiToAgentEvents,
  Result,
  SimToAgentEvents,
} from '@kiosk/protocol';
import { api, login, startServer, type RunningServer } from '../support/server-harness';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { until } from '../support/until';
import { kioskCheckIn } from '../support/paired-kiosk';

type Ui = Socket<AgentToKioskUiEvents, KioskUiToAgentEvents>;
type Sim = Socket<Record<string, never>, SimToAgentEvents>;

let server: RunningServer;
/** Between the agent and the server: cut for the offline check-in. */
let proxy: TcpProxy;
let agent: Agent;
let ui: Ui;
let sim: Sim;
let staff: string;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-provenance-'));
const send = <T>(fn: (ack: (r: Result<T>) => void) => void) => new Promise<Result<T>>((resolve) => fn(resolve));

const forged: Identity = {
  source: 'chip',
  idNumber: '001099012345',
  fullName: 'Trần Văn Giả',
  dateOfBirth: '1999-09-09',
};

interface VisitView {
  identitySource: string;
  identityCheck: string | null;
}
async function visitOf(ticketId: string) {
  const r = await api<{ fullName: string; needsReview: boolean; visits: VisitView[] }>(
    server.url,
    staff,
    'GET',
    `/api/queue/tickets/${ticketId}/patient`,
  );
  if (!r.body.value) throw new Error(`no patient: ${r.status}`);
  return { patient: r.body.value, visit: r.body.value.visits[0] };
}

const checkIn = (identity: Identity, extra: Partial<CheckInRequest> = {}) => kioskCheckIn(ui, identity, extra);

beforeAll(async () => {
  server = await startServer({ BOOTSTRAP_PAIRING_CODE: 'PROVCODE1234' });
  proxy = await startTcpProxy({ host: '127.0.0.1', port: server.port });
  agent = await createAgent(
    loadAgentConfig({
      AGENT_PORT: '0',
      SERVER_URL: proxy.url,
      PAIRING_CODE: 'PROVCODE1234',
      AGENT_DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      // A reader that reads the card's printed side: the chip opens without a QR scanned first.
      READER_PROFILE: 'simulated.card-reader-mrz',
    }),
    createLogger('silent'),
  );
  const base = `http://127.0.0.1:${agent.gateway.port}`;
  ui = io(base, { transports: ['websocket'], reconnection: false });
  sim = io(`${base}/sim`, { transports: ['websocket'], reconnection: false });
  await Promise.all(
    [ui, sim].map(
      (s) =>
        new Promise<void>((resolve, reject) => {
          s.once('connect', () => resolve());
          s.once('connect_error', reject);
        }),
    ),
  );
  await until(() => agent.link.connected, { timeoutMs: 10_000, what: 'agent linked' });
  staff = await login(server.url, 'tiepdon', 'tiepdon-demo');
});

afterAll(async () => {
  ui?.close();
  sim?.close();
  await agent?.close();
  await proxy?.close();
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Places the simulated card, consents, and waits for the identity and its verification. */
async function readCard(): Promise<{ card: CardIdentity; verified: CardAuthenticityEvent }> {
  const presented = new Promise<string>((resolve) => ui.once('card:presented', (c) => resolve(c.readId)));
  const identified = new Promise<CardIdentity>((resolve) => ui.once('card:identified', resolve));
  const verified = new Promise<CardAuthenticityEvent>((resolve) => ui.once('card:verified', resolve));
  const placed = await send<null>((ack) => sim.emit('sim:set-card', { action: 'present' }, ack));
  expect(placed.ok).toBe(true);
  const readId = await presented;
  const consent = await send<null>((ack) => ui.emit('card:read', { readId, consent: true }, ack));
  expect(consent.ok).toBe(true);
  return { card: await identified, verified: await verified };
}

describe('identity provenance: the page cannot claim a chip', () => {
  it('records a page’s chip claim without a chip read as manual, for staff review', async () => {
    const r = await checkIn(forged);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const { patient, visit } = await visitOf(r.value.receipt.ticketId);
    expect(visit).toMatchObject({ identitySource: 'manual', identityCheck: 'claimed' });
    expect(patient.needsReview).toBe(true);
  });

  it('a provenance field sent by the page is stripped: the agent alone sets it', async () => {
    const r = await send<CheckInOutcome>((ack) =>
      ui.emit(
        'checkin:submit',
        {
          checkInId: randomUUID(),
          identity: { ...forged, idNumber: '001099054321' },
          serviceId: 'noi-tong-quat',
          priorityClaims: [],
          consent: true,
          // Not in the page's schema: dropped on validation.
          ...{ provenance: { source: 'chip', passiveAuth: 'verified' } },
        } as CheckInRequest,
        ack,
      ),
    );
    expect(r.ok).toBe(true);
    if (r.ok) expect((await visitOf(r.value.receipt.ticketId)).visit).toMatchObject({ identitySource: 'manual' });
  });

  it('an identity the agent read from the chip reaches the server as chip, verified; the page’s edits are ignored', async () => {
    const { card, verified } = await readCard();
    expect(verified.authenticity.pa).toBe('verified');
    expect(card.identity.idNumber).toBeDefined();
    // The page alters the name it was shown; the agent sends the chip's own identity.
    const r = await checkIn({ ...card.identity, fullName: 'Tên Sửa Đổi' }, { chipReadId: card.readId });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const { patient, visit } = await visitOf(r.value.receipt.ticketId);
    expect(visit).toMatchObject({ identitySource: 'chip', identityCheck: 'verified' });
    expect(patient.fullName).toBe(card.identity.fullName);
    expect(patient.needsReview).toBe(false);
  });

  it('refuses a chip check-in whose ID number is not the chip’s, and forgets reads on session reset', async () => {
    const { card } = await readCard();
    const other = await checkIn({ ...card.identity, idNumber: '001099099999' }, { chipReadId: card.readId });
    expect(other.ok).toBe(false);
    if (!other.ok) expect(other.error.code).toBe('identity-mismatch');
    expect((await send<null>((ack) => ui.emit('session:reset', {}, ack))).ok).toBe(true);
    expect(agent.chipReads.size).toBe(0);
    const after = await checkIn({ ...card.identity, fullName: card.identity.fullName }, { chipReadId: card.readId });
    expect(after.ok).toBe(true);
    if (after.ok)
      expect((await visitOf(after.value.receipt.ticketId)).visit).toMatchObject({ identitySource: 'manual' });
    await send<null>((ack) => sim.emit('sim:set-card', { action: 'remove' }, ack));
  });

  it('a chip check-in the kiosk issued offline keeps the chip’s provenance through the replay', async () => {
    await until(() => (agent.offline?.journal.remaining().length ?? 0) > 0, { what: 'offline leases granted' });
    const { card, verified } = await readCard();
    expect(verified.authenticity.pa).toBe('verified');
    proxy.cut();
    let number = '';
    try {
      const r = await checkIn(card.identity, { chipReadId: card.readId });
      if (!r.ok) throw new Error(r.error.code);
      expect(r.value.offline).toBe(true);
      number = r.value.receipt.ticket.number;
    } finally {
      proxy.restore();
    }
    await until(() => agent.offline?.journal.backlog().backlog === 0, {
      what: 'the offline check-in replayed',
      timeoutMs: 120_000,
    });
    const q = await api<{ ticketId: string; number: string; identity?: { source: string; check: string } }[]>(
      server.url,
      staff,
      'GET',
      '/api/queue?serviceId=noi-tong-quat',
    );
    const entry = (q.body.value ?? []).find((e) => e.number === number);
    if (!entry) throw new Error(`${number} not in the queue`);
    expect(entry.identity).toEqual({ source: 'chip', check: 'verified' });
    const { visit } = await visitOf(entry.ticketId);
    expect(visit).toMatchObject({ identitySource: 'chip', identityCheck: 'verified' });
    await send<null>((ack) => sim.emit('sim:set-card', { action: 'remove' }, ack));
  });
});
