/**
 * Personal data at rest: the server's database (with its WAL and shared-memory files) and the
 * agent's credential and outbox are 0600 in 0700 folders; an agent outbox found corrupt is moved
 * aside, never dropped, and the server raises an alert for that kiosk until it is dealt with.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createAgent, createLogger, loadAgentConfig, type Agent } from '@kiosk/device-agent';
import { api, login, startServer, type RunningServer } from '../support/server-harness';

const modeOf = (p: string) => (fs.statSync(p).mode & 0o777).toString(8);
const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

describe('files with personal data', () => {
  it('server: the database, its WAL and SHM are 0600 in a 0700 folder it creates', async () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'rest-'));
    cleanup.push(() => fs.rmSync(parent, { recursive: true, force: true }));
    const file = path.join(parent, 'data', 'kiosk.sqlite');
    const server = await startServer({ DATABASE_URL: `sqlite:${file}` });
    try {
      // A write, so the WAL and its index exist.
      const admin = await login(server.url, 'admin', 'admin-demo');
      expect((await api(server.url, admin, 'POST', '/api/admin/pairing-codes', {})).status).toBe(200);
      expect(modeOf(path.dirname(file))).toBe('700');
      for (const f of [file, `${file}-wal`, `${file}-shm`]) expect([f, modeOf(f)]).toEqual([f, '600']);
    } finally {
      await server.stop();
    }
  });

  it('server: an existing database left world-readable is narrowed to 0600', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rest-'));
    cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'kiosk.sqlite');
    fs.writeFileSync(file, '', { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    const server = await startServer({ DATABASE_URL: `sqlite:${file}` });
    await server.stop();
    expect(modeOf(file)).toBe('600');
  });
});

describe('agent data folder', () => {
  let server: RunningServer;
  let agent: Agent | undefined;
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-rest-'));
  const dataDir = path.join(parent, 'agent');
  cleanup.push(() => fs.rmSync(parent, { recursive: true, force: true }));

  const startAgent = async (code?: string) =>
    createAgent(
      loadAgentConfig({
        AGENT_PORT: '0',
        SERVER_URL: server.url,
        ...(code ? { PAIRING_CODE: code } : {}),
        AGENT_DATA_DIR: dataDir,
        HEARTBEAT_INTERVAL_MS: '200',
        LOG_LEVEL: 'silent',
      }),
      createLogger('silent'),
    );

  it('credential and outbox: 0600 in a 0700 folder', async () => {
    server = await startServer({ BOOTSTRAP_PAIRING_CODE: 'RESTCODE1234' });
    cleanup.push(() => server.stop());
    agent = await startAgent('RESTCODE1234');
    await vi.waitFor(() => expect(agent?.link.connected).toBe(true), { timeout: 10_000 });
    agent.link.reportPrint({ ticketId: 'no-such-ticket', state: 'confirmed' });
    await vi.waitFor(() => expect(fs.existsSync(path.join(dataDir, 'outbox.json'))).toBe(true));
    expect(modeOf(dataDir)).toBe('700');
    expect(modeOf(path.join(dataDir, 'credential.json'))).toBe('600');
    expect(modeOf(path.join(dataDir, 'outbox.json'))).toBe('600');
    await agent.close();
    agent = undefined;
  });

  it('a corrupt outbox is moved aside with its content, and the server raises an alert for the kiosk', async () => {
    const outbox = path.join(dataDir, 'outbox.json');
    fs.writeFileSync(outbox, '[{"kind":"print","report":{"ticketId":"t-1","sta');
    agent = await startAgent();
    cleanup.push(() => agent?.close());
    const moved = fs.readdirSync(dataDir).filter((f) => f.startsWith('outbox.json.corrupt-'));
    expect(moved).toHaveLength(1);
    expect(fs.readFileSync(path.join(dataDir, moved[0] ?? ''), 'utf8')).toBe(
      '[{"kind":"print","report":{"ticketId":"t-1","sta',
    );
    expect(modeOf(path.join(dataDir, moved[0] ?? ''))).toBe('600');
    const admin = await login(server.url, 'admin', 'admin-demo');
    await vi.waitFor(
      async () => {
        const alerts = await api<{ kind: string; detail: string | null }[]>(
          server.url,
          admin,
          'GET',
          '/api/admin/alerts',
        );
        expect(alerts.body.value).toContainEqual(
          expect.objectContaining({ kind: 'agent-storage-corrupt', detail: moved[0] }),
        );
      },
      { timeout: 10_000 },
    );
    // Once a technician has taken the file away, the alert resolves itself.
    fs.rmSync(path.join(dataDir, moved[0] ?? ''));
    await vi.waitFor(
      async () => {
        const alerts = await api<{ kind: string }[]>(server.url, admin, 'GET', '/api/admin/alerts');
        expect(alerts.body.value?.some((a) => a.kind === 'agent-storage-corrupt')).toBe(false);
      },
      { timeout: 10_000 },
    );
  });
});
