/**
 * The real agent (simulated devices) against a real server: hot-plug through the simulator's
 * unplug/replug reaches the kiosk socket and the registry (how fast: tests/bench/agent-devices);
 * a printer running out of paper reaches the server's stored heartbeat health as it happens, not
 * with the periodic heartbeat (an hour apart here); a chip read runs end to end
 * through the kiosk gateway (card placed → card:presented only → the page's consent → progress →
 * identity → face → authenticity); nothing personal leaves the agent before consent, a read
 * command without consent is refused, and a declined or abandoned presentation reads nothing; a card pulled
 * mid-read ends in card:failed 'card-removed' and the agent carries on; a card with no key makes the
 * page ask for the QR and a staff-typed key opens it; and a production agent refuses the /sim
 * namespace. The simulated reader here is the one with MRZ optics: it opens the cards whose
 * printed MRZ it reads (`printedMrz: false` turns the printed side away).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { createAgent, createLogger, loadAgentConfig, type Agent } from '@kiosk/device-agent';
import type {
  AgentFeatures,
  AgentToKioskUiEvents,
  AgentToSimEvents,
  CardAuthenticityEvent,
  CardFace,
  CardFailure,
  CardIdentity,
  CardPresent,
  CardProgress,
  ClassifiedScan,
  IdentificationState,
  DeviceHealth,
  KioskUiToAgentEvents,
  Result,
  SimToAgentEvents,
} from '@kiosk/protocol';
import { api, login, startServer, type RunningServer } from '../support/server-harness';
import { until } from '../support/until';
import { CCCD_QR as QR } from '../support/cccd';

type Ui = Socket<AgentToKioskUiEvents, KioskUiToAgentEvents>;
type Sim = Socket<AgentToSimEvents, SimToAgentEvents>;

interface Heard {
  devices: DeviceHealth[][];
  features: AgentFeatures[];
  scans: ClassifiedScan[];
  present: CardPresent[];
  progress: CardProgress[];
  identity: CardIdentity[];
  face: CardFace[];
  authenticity: CardAuthenticityEvent[];
  failed: CardFailure[];
  identification: IdentificationState[];
  order: string[];
}

function listen(ui: Ui): Heard {
  const h: Heard = {
    devices: [],
    features: [],
    scans: [],
    present: [],
    progress: [],
    identity: [],
    face: [],
    authenticity: [],
    failed: [],
    identification: [],
    order: [],
  };
  ui.on('devices:changed', (d) => h.devices.push(d));
  ui.on('features:announced', (f) => h.features.push(f));
  ui.on('scan:classified', (s) => h.scans.push(s));
  ui.on('card:presented', (c) => h.present.push(c));
  ui.on('card:progressed', (p) => {
    h.progress.push(p);
    if (h.order.at(-1) !== 'progress') h.order.push('progress');
  });
  ui.on('card:identified', (c) => (h.identity.push(c), h.order.push('identity')));
  ui.on('card:face-read', (c) => (h.face.push(c), h.order.push('face')));
  ui.on('card:verified', (c) => (h.authenticity.push(c), h.order.push('authenticity')));
  ui.on('card:failed', (c) => (h.failed.push(c), h.order.push('failed')));
  ui.on('identification:changed', (c) => h.identification.push(c));
  return h;
}

function clear(h: Heard): void {
  for (const list of Object.values(h) as unknown[][]) list.length = 0;
}

async function connect<S extends Socket>(url: string): Promise<S> {
  const socket = io(url, { transports: ['websocket'], reconnection: false }) as S;
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

const send = <T>(fn: (ack: (r: Result<T>) => void) => void) => new Promise<Result<T>>((resolve) => fn(resolve));
const okValue = <T>(r: Result<T>): T => {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
};
/** Places a card with the simulator, waits for `card:presented`, and answers with the patient's consent. */
async function presentAndConsent(command: Parameters<SimToAgentEvents['sim:set-card']>[0]): Promise<string> {
  const before = heard.present.length;
  okValue(await send<null>((ack) => sim.emit('sim:set-card', command, ack)));
  await until(() => expect(heard.present.length).toBeGreaterThan(before));
  const readId = heard.present.at(-1)?.readId ?? '';
  okValue(await send<null>((ack) => ui.emit('card:read', { readId, consent: true }, ack)));
  return readId;
}
const lastState = (h: Heard, id: string) => h.devices.at(-1)?.find((d) => d.id === id)?.state;

let server: RunningServer;
let admin: string;
let agent: Agent;
let ui: Ui;
let sim: Sim;
let heard: Heard;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-devices-'));

beforeAll(async () => {
  server = await startServer({ BOOTSTRAP_PAIRING_CODE: 'AGENTDEV0001' });
  admin = await login(server.url, 'admin', 'admin-demo');
  agent = await createAgent(
    loadAgentConfig({
      AGENT_PORT: '0',
      SERVER_URL: server.url,
      PAIRING_CODE: 'AGENTDEV0001',
      AGENT_DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      SCAN_DUPLICATE_WINDOW_MS: '0',
      READER_PROFILE: 'simulated.card-reader-mrz',
      // Device health reaches the server when it changes; the periodic heartbeat must not be what carries it.
      HEARTBEAT_INTERVAL_MS: '3600000',
    }),
    createLogger('silent'),
  );
  const url = `http://127.0.0.1:${agent.gateway.port}`;
  ui = await connect<Ui>(url);
  heard = listen(ui);
  sim = await connect<Sim>(`${url}/sim`);
  await until(() => expect(agent.link.connected).toBe(true));
});

afterAll(async () => {
  ui?.close();
  sim?.close();
  await agent?.close();
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('agent devices through the kiosk gateway and the server', () => {
  it('hot-plug: unplug and replug each simulated device; the kiosk socket hears each change', async () => {
    for (const [id, cls] of [
      ['sim-printer', 'printer'],
      ['sim-scanner', 'scanner'],
      ['sim-card-reader', 'card-reader'],
    ] as const) {
      okValue(await send<null>((ack) => sim.emit('sim:set-device', { deviceId: id, action: 'unplug' }, ack)));
      await until(() => expect(lastState(heard, id)).toBe('disconnected'));
      expect(agent.registry.get(id)).toMatchObject({ class: cls, state: 'disconnected', reason: 'unplugged' });
      const readerFeatures = () => heard.features.at(-1)?.features;
      if (cls === 'card-reader') await until(() => expect(readerFeatures()).toEqual(['insurance-check']));
      okValue(await send<null>((ack) => sim.emit('sim:set-device', { deviceId: id, action: 'replug' }, ack)));
      await until(() => expect(lastState(heard, id)).toBe('ready'));
      if (cls === 'card-reader') await until(() => expect(readerFeatures()).toEqual(['card-read', 'insurance-check']));
    }
    // A scan on a replugged scanner still arrives, classified.
    okValue(await send<null>((ack) => sim.emit('sim:scan', { payload: QR }, ack)));
    await until(() => expect(heard.scans.at(-1)?.kind).toBe('cccd-qr'));
    // Commands for an unplugged device answer a code.
    okValue(await send<null>((ack) => sim.emit('sim:set-device', { class: 'scanner', action: 'unplug' }, ack)));
    expect(await send<null>((ack) => sim.emit('sim:scan', { payload: QR }, ack))).toMatchObject({
      ok: false,
      error: { code: 'device-unplugged' },
    });
    okValue(await send<null>((ack) => sim.emit('sim:set-device', { class: 'scanner', action: 'replug' }, ack)));
    await until(() => expect(lastState(heard, 'sim-scanner')).toBe('ready'));
  });

  it('printer paper-out reaches the server’s stored heartbeat health when it happens, and recovers', async () => {
    const printerHealth = async () => {
      const agents = await api<{ devices: DeviceHealth[] }[]>(server.url, admin, 'GET', '/api/admin/agents');
      return agents.body.value?.[0]?.devices.find((d) => d.id === 'sim-printer');
    };
    okValue(await send<null>((ack) => sim.emit('sim:set-printer-fault', { fault: 'paper-out' }, ack)));
    await until(async () => expect((await printerHealth())?.reason).toBe('paper-out'), { intervalMs: 50 });
    expect((await printerHealth())?.state).toBe('error');
    okValue(await send<null>((ack) => sim.emit('sim:set-printer-fault', { fault: 'none' }, ack)));
    await until(async () => expect((await printerHealth())?.state).toBe('ready'));
  });

  it('a chip read end to end: QR key → progress → identity → face → authenticity', async () => {
    clear(heard);
    okValue(await send<null>((ack) => sim.emit('sim:scan', { payload: QR }, ack)));
    await until(() => expect(heard.scans.length).toBe(1));
    const consentedId = await presentAndConsent({ action: 'present', printedMrz: false, link: { bitRateKbps: 424 } });
    await until(() => expect(heard.authenticity.length).toBe(1));
    expect(heard.order).toEqual(['progress', 'identity', 'progress', 'face', 'progress', 'authenticity', 'progress']);
    const readId = heard.progress[0]?.readId;
    expect(readId).toBe(consentedId);
    expect(heard.progress[0]).toMatchObject({ step: 'detected', percent: 0 });
    expect(heard.identity[0]).toMatchObject({
      readId,
      identity: { source: 'chip', idNumber: '079188012345', fullName: 'Nguyễn Thị Lan', dateOfBirth: '1988-03-12' },
      authenticity: { passive: 'not-checked' },
    });
    expect(heard.face[0]?.mime).toBe('image/jpeg');
    expect(Buffer.from(heard.face[0]?.dataBase64 ?? '', 'base64').subarray(0, 3)).toEqual(
      Buffer.from([0xff, 0xd8, 0xff]),
    );
    expect(heard.authenticity[0]).toEqual({
      readId,
      authenticity: {
        passive: 'valid',
        signer: 'trusted',
        pa: 'verified',
        ca: 'not-supported',
        aa: 'not-supported',
        access: 'bac',
        verified: true,
      },
    });
    const percents = heard.progress.map((p) => p.percent);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(heard.progress.at(-1)).toMatchObject({ percent: 100 });
    expect(heard.progress.at(-1)?.bytesRead).toBeGreaterThan(20_000);
    expect(heard.failed).toEqual([]);
    okValue(await send<null>((ack) => sim.emit('sim:set-card', { action: 'remove' }, ack)));
  });

  it('before consent only card:presented leaves the agent; a read without consent is refused; declining reads nothing', async () => {
    okValue(await send<null>((ack) => ui.emit('session:reset', {}, ack)));
    // A CCCD QR gives the session a key: only the missing consent holds the read back.
    okValue(await send<null>((ack) => sim.emit('sim:scan', { payload: QR }, ack)));
    await until(() => expect(agent.session.key()).toBeDefined());
    clear(heard);
    const readsBefore = agent.registry.get('sim-card-reader')?.counters.reads ?? 0;
    const seen: { event: string; json: string }[] = [];
    const onAny = (event: string, ...args: unknown[]) => seen.push({ event, json: JSON.stringify(args) });
    ui.onAny(onAny);
    try {
      okValue(await send<null>((ack) => sim.emit('sim:set-card', { action: 'present', printedMrz: false }, ack)));
      await until(() => expect(heard.present.length).toBe(1));
      const readId = heard.present[0]?.readId ?? '';
      expect(Object.keys(heard.present[0] ?? {})).toEqual(['readId']);
      for (const bad of [{ readId }, { readId, consent: false }, { consent: true }]) {
        expect(await send<null>((ack) => ui.emit('card:read', bad as never, ack))).toMatchObject({
          ok: false,
          error: { code: 'validation-failed' },
        });
      }
      expect(
        await send<null>((ack) => ui.emit('card:read', { readId: 'not-this-card', consent: true }, ack)),
      ).toMatchObject({ ok: false, error: { code: 'no-card' } });
      // The patient declines: the page wipes its session.
      okValue(await send<null>((ack) => ui.emit('session:reset', {}, ack)));
      // Had the decline started a read, it would be running now: let it end before looking.
      await Promise.all(agent.devices.readers().map((r) => r.idle()));
      expect(agent.session.key()).toBeUndefined();
      okValue(await send<null>((ack) => sim.emit('sim:set-card', { action: 'remove' }, ack)));
      await until(() => expect(heard.failed.length).toBe(1));
      expect(heard.failed[0]).toMatchObject({ readId, code: 'card-removed' });
      expect(await send<null>((ack) => ui.emit('card:read', { readId, consent: true }, ack))).toMatchObject({
        ok: false,
        error: { code: 'no-card' },
      });
      const cardEvents = seen.filter((e) => e.event.startsWith('card:')).map((e) => e.event);
      expect(cardEvents).toEqual(['card:presented', 'card:failed']);
      expect(heard.progress).toEqual([]);
      expect(heard.identity).toEqual([]);
      expect(heard.face).toEqual([]);
      // Nothing from the card or the scanned QR's person reached the page after the card was placed.
      const all = seen.map((e) => e.json).join('\n');
      expect(all).not.toContain('079188012345');
      expect(all).not.toContain('Nguy');
      expect(agent.registry.get('sim-card-reader')?.counters.reads ?? 0).toBe(readsBefore);
    } finally {
      ui.offAny(onAny);
    }
  });

  it('a card pulled mid-read → card:failed card-removed, no crash; the next card reads', async () => {
    clear(heard);
    await presentAndConsent({ action: 'present', faults: { removeCardAfterApdus: 40 }, link: { bitRateKbps: 106 } });
    await until(() => expect(heard.failed.length).toBe(1));
    expect(heard.failed[0]).toMatchObject({ code: 'card-removed', hint: 'hold-card-still' });
    expect(heard.failed[0]?.reason).toMatch(/^card-removed/u);
    expect(heard.authenticity).toEqual([]);
    expect((await fetch(`http://127.0.0.1:${agent.gateway.port}/healthz`)).status).toBe(200);
    await until(() => expect(agent.registry.get('sim-card-reader')?.state).toBe('ready'));

    clear(heard);
    await presentAndConsent({ action: 'present' });
    await until(() => expect(heard.authenticity.length).toBe(1));
    expect(heard.failed).toEqual([]);
    okValue(await send<null>((ack) => sim.emit('sim:set-card', { action: 'remove' }, ack)));
  });

  it('faults on the link: wrong MAC, 6982 and a truncated answer each end in a coded failure', async () => {
    for (const faults of [
      { wrongMacAtApdu: 10 },
      { statusAtApdu: { apdu: 12, sw: 0x6982 } },
      { truncateResponseAtApdu: 9 },
    ]) {
      clear(heard);
      await presentAndConsent({ action: 'present', faults });
      await until(() => expect(heard.failed.length).toBe(1));
      expect(heard.failed[0]).toMatchObject({ code: 'read-error', hint: 'hold-card-still' });
      okValue(await send<null>((ack) => sim.emit('sim:set-card', { action: 'remove' }, ack)));
    }
  });

  it('no key → the page is asked for the QR (no failure); the key staff type opens the card still on the reader', async () => {
    okValue(await send<null>((ack) => ui.emit('session:reset', {}, ack)));
    clear(heard);
    const readId = await presentAndConsent({ action: 'present', printedMrz: false });
    await until(() => expect(heard.identification.length).toBe(1));
    expect(heard.identification[0]).toEqual({ state: 'need-qr', readId, reason: 'no-key' });
    expect(heard.failed).toEqual([]);
    expect(
      await send<null>((ack) =>
        ui.emit('card:set-key', { kind: 'cccd', idNumber: '12345', dateOfBirth: 'x' } as never, ack),
      ),
    ).toMatchObject({ ok: false, error: { code: 'validation-failed' } });
    okValue(
      await send<null>((ack) =>
        ui.emit(
          'card:set-key',
          { kind: 'cccd', idNumber: '079188012345', dateOfBirth: '1988-03-12', dateOfExpiry: '2028-03-12' },
          ack,
        ),
      ),
    );
    await until(() => expect(heard.authenticity.length).toBe(1));
    expect(heard.identity[0]?.identity.fullName).toBe('Nguyễn Thị Lan');
    expect(heard.identity[0]?.readId).toBe(readId);
    okValue(await send<null>((ack) => sim.emit('sim:set-card', { action: 'remove' }, ack)));
    okValue(await send<null>((ack) => ui.emit('session:reset', {}, ack)));
    expect(agent.session.key()).toBeUndefined();
  });

  it('staff type the CCCD number and birth date only: the agent derives the expiry; a wrong number is refused first', async () => {
    okValue(await send<null>((ack) => ui.emit('session:reset', {}, ack)));
    clear(heard);
    okValue(
      await send<null>((ack) =>
        ui.emit('card:set-key', { kind: 'cccd', idNumber: '079188012346', dateOfBirth: '1988-03-12' }, ack),
      ),
    );
    const readId = await presentAndConsent({ action: 'present', printedMrz: false });
    await until(() => expect(heard.failed.length).toBe(1));
    expect(heard.failed[0]).toMatchObject({ readId, code: 'access-denied' });
    okValue(
      await send<null>((ack) =>
        ui.emit('card:set-key', { kind: 'cccd', idNumber: '079188012345', dateOfBirth: '1988-03-12' }, ack),
      ),
    );
    await until(() => expect(heard.authenticity.length).toBe(1));
    expect(heard.identity[0]?.identity.fullName).toBe('Nguyễn Thị Lan');
    expect(heard.identity[0]?.readId).toBe(readId);
    okValue(await send<null>((ack) => sim.emit('sim:set-card', { action: 'remove' }, ack)));
    okValue(await send<null>((ack) => ui.emit('session:reset', {}, ack)));
  });

  it('a tampered card: identity shown, then authenticity invalid and a go-to-counter failure', async () => {
    clear(heard);
    await presentAndConsent({ action: 'present', card: 'tampered' });
    await until(() => expect(heard.failed.length).toBe(1));
    expect(heard.authenticity[0]?.authenticity).toMatchObject({ passive: 'invalid', reason: 'hash-mismatch' });
    expect(heard.failed[0]).toMatchObject({ code: 'not-authentic', hint: 'go-to-counter' });
    okValue(await send<null>((ack) => sim.emit('sim:set-card', { action: 'remove' }, ack)));
  });

  it('link speed and garbage bytes on a device link do not break the device', async () => {
    okValue(await send<null>((ack) => sim.emit('sim:set-link', { class: 'scanner', garbageBytes: 512 }, ack)));
    okValue(
      await send<null>((ack) =>
        sim.emit('sim:set-link', { class: 'printer', garbageBytes: 64, baudRate: 38_400 }, ack),
      ),
    );
    const state = okValue(
      await send<{ devices: { id: string; speed: number }[] }>((ack) => sim.emit('sim:get-state', {}, ack)),
    );
    expect(state.devices.find((d) => d.id === 'sim-printer')?.speed).toBe(38_400);
    expect(await send((ack) => sim.emit('sim:set-link', { class: 'card-reader', garbageBytes: 5 }, ack))).toMatchObject(
      {
        ok: false,
        error: { code: 'not-a-byte-link' },
      },
    );
    // Noise without a terminator is dropped once the line has been quiet for a second, so the next
    // real scan is not glued to it.
    await new Promise((r) => setTimeout(r, 1100));
    clear(heard);
    okValue(await send<null>((ack) => sim.emit('sim:scan', { payload: QR }, ack)));
    await until(() => expect(heard.scans.some((s) => s.kind === 'cccd-qr')).toBe(true));
    expect(agent.registry.get('sim-scanner')?.state).toBe('ready');
    const test = okValue(await send<{ state: string }>((ack) => ui.emit('printer:test', {}, ack)));
    expect(test.state).toBe('confirmed');
    okValue(await send<null>((ack) => sim.emit('sim:set-link', { class: 'printer', baudRate: 0 }, ack)));
  });
});

describe('production mode', () => {
  it('refuses the simulator namespace', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-prod-'));
    const prod = await createAgent(
      loadAgentConfig({ AGENT_PORT: '0', AGENT_DATA_DIR: dir, AGENT_MODE: 'production', LOG_LEVEL: 'silent' }),
      createLogger('silent'),
    );
    try {
      const error = await connect<Sim>(`http://127.0.0.1:${prod.gateway.port}/sim`).then(
        (s) => (s.close(), undefined),
        (e: Error) => e.message,
      );
      expect(error).toBe('simulator-disabled-in-production');
      // The kiosk UI socket itself still works.
      const kiosk = await connect<Ui>(`http://127.0.0.1:${prod.gateway.port}`);
      kiosk.close();
    } finally {
      await prod.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
