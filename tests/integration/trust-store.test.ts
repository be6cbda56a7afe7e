/**
 * The CSCA trust store managed from the admin page, end to end: an administrator imports a master
 * list holding the simulated cards' CSCA over HTTP → the server pushes it to a connected kiosk
 * agent that trusted nothing → the next chip read is verified; a CRL revoking the card's document
 * signer → the next read fails as revoked; the pushed set survives the agent's restart without the
 * server. Refused: a tampered master list, a CRL no trusted CSCA signed, a non-admin.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import {
  buildCrl,
  buildMasterList,
  createAgent,
  createLogger,
  createTestPki,
  generateKeyPair,
  issueCertificate,
  loadAgentConfig,
  pemOf,
  type Agent,
} from '@kiosk/device-agent';
import type {
  AgentToKioskUiEvents,
  CardAuthenticityEvent,
  KioskUiToAgentEvents,
  Result,
  SimToAgentEvents,
  TrustFileSummary,
  TrustStoreView,
} from '@kiosk/protocol';
import {
  api,
  databaseKinds,
  databaseUrl,
  login,
  startServer,
  stopDatabases,
  type RunningServer,
} from '../support/server-harness';
import { until } from '../support/until';

type Ui = Socket<AgentToKioskUiEvents, KioskUiToAgentEvents>;
type Sim = Socket<Record<string, never>, SimToAgentEvents>;
const send = <T>(fn: (ack: (r: Result<T>) => void) => void) => new Promise<Result<T>>((resolve) => fn(resolve));
const b64 = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64');

afterAll(() => stopDatabases());

describe.each(databaseKinds)('CSCA trust store from the admin page (%s)', (kind) => {
  const pki = createTestPki();
  const mlSigner = issueCertificate({
    subject: { country: 'VN', organization: 'Test Ministry of Public Security', commonName: 'Test Master List Signer' },
    key: generateKeyPair('ec-p256'),
    issuer: pki.csca,
    serialNumber: 0x2001,
  });
  const masterList = buildMasterList({
    signer: mlSigner,
    certificates: [pki.csca, createTestPki({ country: 'DE' }).csca],
  });
  let server: RunningServer;
  let admin: string;
  let agent: Agent;
  let ui: Ui;
  let sim: Sim;
  let serverClosed = false;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-trust-'));
  const agentConfig = () =>
    loadAgentConfig({
      AGENT_PORT: '0',
      SERVER_URL: server.url,
      PAIRING_CODE: 'TRUSTCODE123',
      AGENT_DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      READER_PROFILE: 'simulated.card-reader-mrz',
      // As a real kiosk: only its trust store vouches for a CSCA.
      SIMULATED_CSCA_TRUSTED: 'false',
    });

  async function startAgent(): Promise<void> {
    agent = await createAgent(agentConfig(), createLogger('silent'), { simulatedPki: pki });
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
  }
  async function stopAgent(): Promise<void> {
    ui?.close();
    sim?.close();
    await agent?.close();
  }

  beforeAll(async () => {
    server = await startServer({ BOOTSTRAP_PAIRING_CODE: 'TRUSTCODE123', ...(await databaseUrl(kind)) });
    admin = await login(server.url, 'admin', 'admin-demo');
    await startAgent();
    await until(() => agent.link.connected, { timeoutMs: 10_000, what: 'agent linked' });
  });

  afterAll(async () => {
    await stopAgent();
    if (serverClosed) fs.rmSync(server.dir, { recursive: true, force: true });
    else await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** Places the simulated card, consents, and waits for its passive authentication. */
  async function readCard(): Promise<CardAuthenticityEvent['authenticity']> {
    const presented = new Promise<string>((resolve) => ui.once('card:presented', (c) => resolve(c.readId)));
    const verified = new Promise<CardAuthenticityEvent>((resolve) => ui.once('card:verified', resolve));
    const failed = new Promise<{ code: string }>((resolve) => ui.once('card:failed', resolve));
    expect((await send<null>((ack) => sim.emit('sim:set-card', { action: 'present' }, ack))).ok).toBe(true);
    const readId = await presented;
    expect((await send<null>((ack) => ui.emit('card:read', { readId, consent: true }, ack))).ok).toBe(true);
    const outcome = await Promise.race([
      verified.then((v) => v.authenticity),
      failed.then((f) => ({ failed: f.code })),
    ]);
    await send<null>((ack) => sim.emit('sim:set-card', { action: 'remove' }, ack));
    await send<null>((ack) => ui.emit('session:reset', {}, ack));
    if ('failed' in outcome) return { passive: 'invalid', signer: 'unknown', reason: outcome.failed, pa: 'failed' };
    return outcome;
  }
  const view = async () => (await api<TrustStoreView>(server.url, admin, 'GET', '/api/admin/trust-files')).body.value;
  const upload = (name: string, content: Uint8Array | string, token = admin) =>
    api<TrustFileSummary>(server.url, token, 'POST', '/api/admin/trust-files', { name, contentBase64: b64(content) });

  it('a kiosk without a trust anchor reads the chip as signed but not trusted', async () => {
    expect((await readCard()).pa).toBe('no-trust-anchor');
  });

  it('refuses a non-admin (403) and a tampered master list (its signature fails)', async () => {
    const reception = await login(server.url, 'tiepdon', 'tiepdon-demo');
    expect((await upload('vn.ml', masterList, reception)).status).toBe(403);
    expect((await api(server.url, reception, 'GET', '/api/admin/trust-files')).status).toBe(403);
    const tampered = buildMasterList({ signer: mlSigner, certificates: [pki.csca], corruptSignature: true });
    const r = await upload('tampered.ml', tampered);
    expect(r.status).toBe(400);
    expect(r.body.error?.code).toBe('master-list-bad-signature');
    const garbage = await upload('garbage.ml', masterList.subarray(0, 200));
    expect(garbage.body.error?.code).toBe('trust-file-unreadable');
    // A CRL before its CSCA is trusted: nobody vouches for its signature.
    const early = await upload('vn.crl', buildCrl({ issuer: pki.csca, revoked: [0x1001] }));
    expect(early.body.error?.code).toBe('crl-no-issuer');
  });

  it('imports the master list; the connected kiosk applies it and the next read is verified', async () => {
    const r = await upload('ICAO_ml_test.ml', masterList);
    expect(r.status).toBe(200);
    expect(r.body.value).toMatchObject({
      kind: 'master-list',
      certificates: 2,
      countries: ['DE', 'VN'],
      signer: 'listed-csca',
      uploadedBy: 'admin',
    });
    const revision = (await view())?.revision;
    await until(async () => (await view())?.kiosks.some((k) => k.current && k.anchors === 2), {
      what: 'the kiosk applied the master list',
    });
    expect(revision).not.toBe('empty');
    expect((await readCard()).pa).toBe('verified');
    expect((await upload('again.ml', masterList)).body.error?.code).toBe('trust-file-duplicate');
  });

  it('a CRL of the CSCA revoking the card’s document signer: the next read fails as revoked', async () => {
    const forged = await upload(
      'forged.crl',
      buildCrl({ issuer: pki.csca, revoked: [0x1001], signWithKey: generateKeyPair('ec-p256') }),
    );
    expect(forged.body.error?.code).toBe('crl-bad-signature');
    const r = await upload('vn.crl', pemOf('X509 CRL', buildCrl({ issuer: pki.csca, revoked: [0x0fff, 0x1001] })));
    expect(r.status).toBe(200);
    expect(r.body.value).toMatchObject({ kind: 'crl', certificates: 0, revoked: 2, countries: ['VN'] });
    await until(async () => (await view())?.kiosks.some((k) => k.current && k.crls === 1), {
      what: 'the kiosk applied the CRL',
    });
    const a = await readCard();
    expect(a.pa).toBe('failed');
    expect(a.reason).toBe('dsc-revoked');
  });

  it('removing the CRL trusts the card again; the pushed set survives a restart without the server', async () => {
    const files = (await view())?.files ?? [];
    expect(files.map((f) => f.kind)).toEqual(['master-list', 'crl']);
    const crl = files.find((f) => f.kind === 'crl');
    expect((await api(server.url, admin, 'DELETE', `/api/admin/trust-files/${crl?.id ?? ''}`)).status).toBe(200);
    await until(async () => (await view())?.kiosks.some((k) => k.current && k.crls === 0 && k.anchors === 2), {
      what: 'the kiosk applied the set without the CRL',
    });
    expect((await readCard()).pa).toBe('verified');
    expect(fs.statSync(path.join(dataDir, 'trust-set.json')).mode & 0o777).toBe(0o600);
    await stopAgent();
    await server.app.close();
    serverClosed = true;
    await startAgent();
    expect(agent.link.connected).toBe(false);
    expect((await readCard()).pa).toBe('verified');
  });
});
