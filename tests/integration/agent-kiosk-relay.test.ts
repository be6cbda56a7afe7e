/**
 * Commands the kiosk page sends through its agent: a keyboard-wedge scan typed into the page is
 * classified by the agent like any other scan, and a BHYT eligibility pre-check is relayed to
 * the server's gateway adapter (a real server, the gateway's contract simulator) — the kiosk
 * gets the verdict in words and a masked card number, never the gateway's staff note.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { createAgent, createLogger, loadAgentConfig, type Agent } from '@kiosk/device-agent';
import type {
  AgentToKioskUiEvents,
  ClassifiedScan,
  Identity,
  InsuranceCheck,
  KioskUiToAgentEvents,
  Result,
} from '@kiosk/protocol';
import { startBhytSimulator, type BhytSimulator } from '../support/bhyt-simulator';
import { startServer, type RunningServer } from '../support/server-harness';
import { CCCD_QR as QR } from '../support/cccd';

type Ui = Socket<AgentToKioskUiEvents, KioskUiToAgentEvents>;
const lan: Identity = {
  source: 'bhyt-qr',
  insuranceNumber: 'GD4797912345678',
  fullName: 'Nguyễn Thị Lan',
  dateOfBirth: '1988-03-12',
  sex: 'female',
};

let gateway: BhytSimulator;
let server: RunningServer;
let agent: Agent;
let ui: Ui;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-relay-'));
const send = <T>(fn: (ack: (r: Result<T>) => void) => void) => new Promise<Result<T>>((resolve) => fn(resolve));

beforeAll(async () => {
  gateway = await startBhytSimulator();
  gateway.cards.set('GD4797912345678', {
    maThe: 'GD4797912345678',
    hoTen: 'Nguyễn Thị Lan',
    ngaySinh: '12/03/1988',
    gioiTinh: 'Nữ',
    maDKBD: '92012',
    gtTheTu: '01/01/2026',
    gtTheDen: '31/12/2099',
    ghiChu: 'Ghi chú chỉ dành cho nhân viên',
  });
  server = await startServer({
    BOOTSTRAP_PAIRING_CODE: 'RELAYCODE123',
    FACILITY_CODE: '92012',
    BHYT_MODE: 'advisory',
    BHYT_GATEWAY_URL: gateway.url,
    BHYT_USERNAME: gateway.username,
    BHYT_PASSWORD: gateway.password,
    BHYT_STAFF_NAME: 'Trần Văn Bình',
    BHYT_STAFF_CCCD: '092080001234',
    BHYT_TIMEOUT_MS: '2000',
  });
  agent = await createAgent(
    loadAgentConfig({
      AGENT_PORT: '0',
      SERVER_URL: server.url,
      PAIRING_CODE: 'RELAYCODE123',
      AGENT_DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
    }),
    createLogger('silent'),
  );
  ui = io(`http://127.0.0.1:${agent.gateway.port}`, { transports: ['websocket'], reconnection: false });
  await new Promise<void>((resolve, reject) => {
    ui.once('connect', () => resolve());
    ui.once('connect_error', reject);
  });
  await vi.waitFor(() => expect(agent.link.connected).toBe(true), { timeout: 10_000 });
});

afterAll(async () => {
  ui?.close();
  await agent?.close();
  await server?.stop();
  await gateway?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('kiosk commands relayed by the agent', () => {
  it('classifies a keyboard-wedge scan and tells the page, never echoing the raw payload', async () => {
    const heard = new Promise<ClassifiedScan>((resolve) => ui.once('scan:classified', resolve));
    const r = await send<ClassifiedScan>((ack) => ui.emit('scan:submit', { payload: QR }, ack));
    expect(r.ok && r.value.kind).toBe('cccd-qr');
    expect((await heard).kind).toBe('cccd-qr');
    if (r.ok && r.value.kind === 'cccd-qr') expect(r.value.identity.idNumber).toBe('079188012345');
  });

  it('answers garbage with a typed rejection and an empty payload with a validation error', async () => {
    const garbage = await send<ClassifiedScan>((ack) => ui.emit('scan:submit', { payload: 'hello|world' }, ack));
    expect(garbage.ok && garbage.value.kind).toBe('rejected');
    const empty = await send<ClassifiedScan>((ack) => ui.emit('scan:submit', { payload: '' }, ack));
    expect(empty.ok).toBe(false);
    if (!empty.ok) expect(empty.error.code).toBe('validation-failed');
  });

  it('relays the BHYT pre-check: a verdict in words and a masked card, no staff note', async () => {
    const r = await send<InsuranceCheck>((ack) => ui.emit('insurance:check', { identity: lan }, ack));
    expect(r).toMatchObject({ ok: true, value: { verdict: 'eligible', maskedCardNumber: 'GD47*******5678' } });
    expect(JSON.stringify(r)).not.toMatch(/Ghi chú|GD4797912345678/u);
  });
});
