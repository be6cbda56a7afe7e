/**
 * One identification act with a plain PC/SC reader (no MRZ optics): the real agent in hardware
 * mode reads a virtual CCCD through pcscd + vsmartcard-vpcd, keyed only by the CCCD QR the kiosk
 * page sends (a keyboard-wedge scan). Card first: the page is asked for the QR (no failure), and
 * the QR scanned while the card lies on the reader opens it, its identity never sent as a QR one.
 * QR first: the QR's identity, then the card opened with its key. Another person's QR: start
 * over. Run under `flock /tmp/kiosk-pcsc.lock` (one vpcd port per machine).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { profileById } from '@kiosk/hardware-profiles';
import {
  createAgent,
  createLogger,
  createTestPki,
  loadAgentConfig,
  VirtualCccdChip,
  type Agent,
} from '@kiosk/device-agent';
import type {
  AgentToKioskUiEvents,
  CardAuthenticityEvent,
  CardFailure,
  CardIdentity,
  ClassifiedScan,
  IdentificationState,
  KioskUiToAgentEvents,
  Result,
} from '@kiosk/protocol';
import { startPcscd, vpcdChipCard, VPCD_READER as READER, waitForCardState, type Pcscd } from '../support/pcscd';
import { until } from '../support/until';
import { CCCD_QR as QR } from '../support/cccd';

const OTHER_QR = '001093047064||Ứng Hoàng Hiệp|05011993|Nam|Phường Hàng Bạc, Hà Nội|05012021';

/** A chip read on a busy machine takes seconds: the bound only stops a hang. */
const READ = { timeoutMs: 90_000 };
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'identification-pcsc-'));
const pki = createTestPki();
let pcscd: Pcscd | undefined;
let agent: Agent;
let ui: Socket<AgentToKioskUiEvents, KioskUiToAgentEvents>;
const heard = {
  presented: [] as string[],
  scans: [] as ClassifiedScan[],
  identity: [] as CardIdentity[],
  verified: [] as CardAuthenticityEvent[],
  failed: [] as CardFailure[],
  identification: [] as IdentificationState[],
};
const clear = () => {
  for (const list of Object.values(heard) as unknown[][]) list.length = 0;
};

const send = <T>(fn: (ack: (r: Result<T>) => void) => void) => new Promise<Result<T>>((resolve) => fn(resolve));
const scan = async (payload: string) =>
  expect(await send<ClassifiedScan>((ack) => ui.emit('scan:submit', { payload }, ack))).toMatchObject({ ok: true });
const reset = async () =>
  expect(await send<null>((ack) => ui.emit('session:reset', {}, ack))).toMatchObject({ ok: true });

beforeAll(async () => {
  pcscd = await startPcscd();
  const trustDir = path.join(work, 'csca');
  fs.mkdirSync(trustDir);
  fs.writeFileSync(path.join(trustDir, 'csca.pem'), pki.csca.pem);
  agent = await createAgent(
    loadAgentConfig({
      AGENT_PORT: '0',
      AGENT_DATA_DIR: path.join(work, 'agent'),
      SERVER_URL: 'http://127.0.0.1:9',
      DEVICES: 'hardware',
      DISCOVERY_INTERVAL_MS: '500',
      TRUST_STORE_DIR: trustDir,
      SCAN_DUPLICATE_WINDOW_MS: '0',
      LOG_LEVEL: 'silent',
    }),
    createLogger('silent'),
  );
  ui = io(`http://127.0.0.1:${agent.gateway.port}`, { transports: ['websocket'] });
  // The patient agrees to the privacy notice as soon as a card is announced.
  ui.on('card:presented', (c) => {
    heard.presented.push(c.readId);
    ui.emit('card:read', { readId: c.readId, consent: true }, () => undefined);
  });
  ui.on('scan:classified', (s) => heard.scans.push(s));
  ui.on('card:identified', (c) => heard.identity.push(c));
  ui.on('card:verified', (a) => heard.verified.push(a));
  ui.on('card:failed', (f) => heard.failed.push(f));
  ui.on('identification:changed', (s) => heard.identification.push(s));
  await new Promise<void>((resolve) => ui.once('connect', () => resolve()));
  await until(() => expect(agent.registry.get(`pcsc:${READER}`)?.state).toBe('ready'));
});

afterAll(async () => {
  ui?.close();
  await agent?.close();
  await pcscd?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

const virtualCard = () => vpcdChipCard(new VirtualCccdChip({ pki, faceBytes: 12_000 }));

async function withCard(run: () => Promise<void>): Promise<void> {
  const card = virtualCard();
  await card.insert();
  try {
    await run();
  } finally {
    await card.remove();
    await waitForCardState(false);
    await reset();
  }
}

describe('one identification act on a plain PC/SC reader', { timeout: 240_000 }, () => {
  it('the reader has no MRZ optics', () => {
    const profileId = agent.registry.get(`pcsc:${READER}`)?.profileId ?? '';
    const profile = profileById(profileId);
    expect(profile?.class).toBe('card-reader');
    expect(profile?.class === 'card-reader' && profile.capabilities.mrzOptics).toBeFalsy();
  });

  it('card first: need-qr (no failure), then the QR scanned with the card on the reader opens the chip', async () => {
    clear();
    await withCard(async () => {
      await until(() => expect(heard.identification).toHaveLength(1), READ);
      expect(heard.identification[0]).toMatchObject({ state: 'need-qr', reason: 'no-key' });
      const readId = heard.identification[0]?.readId;
      expect(readId).toBe(heard.presented[0]);
      expect(heard.failed).toEqual([]);
      await scan(QR);
      await until(() => expect(heard.verified).toHaveLength(1), READ);
      // The QR was the card's key: the page never heard it as an identity of its own.
      expect(heard.scans).toEqual([]);
      expect(heard.identity[0]).toMatchObject({ readId, identity: { source: 'chip', fullName: 'Nguyễn Thị Lan' } });
      expect(heard.verified[0]?.authenticity).toMatchObject({ passive: 'valid', verified: true });
      expect(heard.presented).toHaveLength(1);
      // Scanned again while the card lies on the reader: the same person, nothing changes.
      await scan(QR);
      expect(heard.identification).toHaveLength(1);
      expect(heard.failed).toEqual([]);
    });
  });

  it('QR first: its identity for the page, then the card opened with its key and verified', async () => {
    clear();
    await scan(QR);
    await until(() => expect(heard.scans).toHaveLength(1));
    expect(heard.scans[0]).toMatchObject({ kind: 'cccd-qr', identity: { source: 'cccd-qr' } });
    await withCard(async () => {
      await until(() => expect(heard.verified).toHaveLength(1), READ);
      expect(heard.identity[0]?.identity.source).toBe('chip');
      expect(heard.identification).toEqual([]);
      expect(heard.failed).toEqual([]);
    });
  });

  it('another person’s QR, then the card: start over with the reason, nothing of the card sent', async () => {
    clear();
    await scan(OTHER_QR);
    await until(() => expect(heard.scans).toHaveLength(1));
    await withCard(async () => {
      await until(() => expect(heard.identification).toHaveLength(1), READ);
      expect(heard.identification[0]).toMatchObject({ state: 'start-over', reason: 'qr-other-person' });
      expect(heard.identity).toEqual([]);
      expect(heard.failed).toEqual([]);
      // The patient's own QR, the card still on the reader: announced again, read after consent.
      await scan(QR);
      await until(() => expect(heard.verified).toHaveLength(1), READ);
      expect(heard.presented).toHaveLength(2);
      expect(heard.identity[0]?.identity.fullName).toBe('Nguyễn Thị Lan');
    });
  });
});
