/**
 * Kiosks managed remotely, with a real server and a real agent process under its launcher
 * (device-agent/bin/kiosk-agent-launcher.mjs), as systemd runs it: a restart comes back; a
 * configuration revision is applied and acknowledged setting by setting, and one pushed while the
 * kiosk is down reaches it when it reconnects; diagnostics carry the doctor's findings and the
 * last device errors but no personal data; a bundle with a bad signature is refused, a bundle
 * that fails its health check is rolled back by the launcher, a good one is adopted; a staged
 * rollout reaches exactly the chosen share of the chosen site.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { createBundle } from '@kiosk/device-agent';
import {
  ok,
  serveCommands,
  serverToAgentCommands,
  type AgentDiagnostics,
  type AgentToKioskUiEvents,
  type AgentToSimEvents,
  type KioskConfigState,
  type KioskUiToAgentEvents,
  type Result,
  type RolloutView,
  type SimToAgentEvents,
  type SoftwareUpdateCommand,
} from '@kiosk/protocol';
import { api, login, startServer, type RunningServer } from '../support/server-harness';
import { enrollAgent, type AgentSocket } from '../support/server-process';
import { freePort } from '../support/free-port';
import { until } from '../support/until';
import { CCCD_QR as QR } from '../support/cccd';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// Fixed for the run (the agent restarts on the same port after an update), free at its start:
// another test run on the same machine must not collide with this one.
const AGENT_PORT = await freePort();
const SERVER_PORT = await freePort();
const agentUrl = `http://127.0.0.1:${AGENT_PORT}`;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-management-'));
const dataDir = path.join(work, 'agent');
const releasesDir = path.join(dataDir, 'releases');

const keyPair = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
};
const release = keyPair();
const publicKeyFile = path.join(work, 'update-key.pem');
fs.writeFileSync(publicKeyFile, release.publicKeyPem);

let server: RunningServer;
let token = '';
let launcher: ChildProcess | undefined;
let launcherExit: Promise<number | null> | undefined;
let agentId = '';

function startLauncher(): void {
  launcher = spawn(
    process.execPath,
    ['device-agent/bin/kiosk-agent-launcher.mjs', path.join(root, 'device-agent/src/main.ts')],
    {
      cwd: root,
      env: {
        ...process.env,
        AGENT_NODE_ARGS: '--import tsx',
        AGENT_PORT: String(AGENT_PORT),
        AGENT_DATA_DIR: dataDir,
        AGENT_NAME: 'kiosk-sanh-a',
        SERVER_URL: server.url,
        PAIRING_CODE: 'FLEETTEST0001',
        UPDATE_PUBLIC_KEY_FILE: publicKeyFile,
        DEVICES: 'simulated',
        LOG_LEVEL: 'warn',
        AGENT_TRIAL_TIMEOUT_MS: '120000',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const child = launcher;
  launcherExit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function stopLauncher(): Promise<void> {
  launcher?.kill('SIGTERM');
  await launcherExit;
  launcher = undefined;
}

interface AgentHealth {
  pid: number;
  softwareVersion: string;
  configRevision: number | null;
  languages: string[];
  serverLink: { state: string };
}
async function health(): Promise<AgentHealth | undefined> {
  try {
    const res = await fetch(`${agentUrl}/health`, { signal: AbortSignal.timeout(2000) });
    return res.ok ? ((await res.json()) as AgentHealth) : undefined;
  } catch {
    return undefined;
  }
}
const connectedHealth = async (): Promise<AgentHealth> => {
  let seen: AgentHealth | undefined;
  await until(
    async () => {
      seen = await health();
      return seen?.serverLink.state === 'connected';
    },
    { timeoutMs: 120_000, what: 'the agent connected to the server' },
  );
  if (!seen) throw new Error('no agent');
  return seen;
};

async function fleetVersion(): Promise<string | null> {
  const list = await api<{ id: string; softwareVersion: string | null }[]>(
    server.url,
    token,
    'GET',
    '/api/admin/agents',
  );
  return list.body.value?.find((a) => a.id === agentId)?.softwareVersion ?? null;
}

async function auditActions(): Promise<string[]> {
  const log = await api<{ action: string }[]>(server.url, token, 'GET', '/api/admin/audit?limit=200');
  return (log.body.value ?? []).map((e) => e.action);
}

function makeReleaseDir(name: string, healthCheck: string | undefined): string {
  const dir = path.join(work, name);
  fs.mkdirSync(dir, { recursive: true });
  // The bundle's agent is this repository's (run through tsx like the installed one): what differs
  // between versions here is the version the launcher gives it and the bundle's health check.
  const main = pathToFileURL(path.join(root, 'device-agent/src/main.ts')).href;
  fs.writeFileSync(path.join(dir, 'main.mjs'), `await import(${JSON.stringify(main)});\n`);
  if (healthCheck) fs.writeFileSync(path.join(dir, 'health-check.mjs'), healthCheck);
  return dir;
}

async function upload(version: string, dir: string, signingKey: string, healthCheck = true) {
  const bundle = createBundle({
    dir,
    version,
    entry: 'main.mjs',
    ...(healthCheck ? { healthCheck: 'health-check.mjs' } : {}),
    privateKeyPem: signingKey,
  });
  const { parsed: _parsed, ...body } = bundle;
  const r = await api(server.url, token, 'POST', '/api/admin/bundles', body);
  expect(r.body.ok).toBe(true);
}

async function rolloutTarget(rolloutId: string) {
  const list = await api<RolloutView[]>(server.url, token, 'GET', '/api/admin/rollouts');
  return list.body.value?.find((r) => r.id === rolloutId)?.targets.find((t) => t.agentId === agentId);
}

async function startRollout(body: unknown): Promise<RolloutView> {
  const r = await api<RolloutView>(server.url, token, 'POST', '/api/admin/rollouts', body);
  if (!r.body.value) throw new Error(`rollout refused: ${JSON.stringify(r.body.error)}`);
  return r.body.value;
}

beforeAll(async () => {
  server = await startServer({ PORT: String(SERVER_PORT), BOOTSTRAP_PAIRING_CODE: 'FLEETTEST0001' });
  token = await login(server.url, 'admin', 'admin-demo');
  startLauncher();
  await connectedHealth();
  await until(
    async () => {
      const list = await api<{ id: string; name: string }[]>(server.url, token, 'GET', '/api/admin/agents');
      agentId = list.body.value?.find((a) => a.name === 'kiosk-sanh-a')?.id ?? '';
      return agentId !== '';
    },
    { what: 'the kiosk enrolled' },
  );
}, 180_000);

afterAll(async () => {
  await stopLauncher();
  await server?.stop();
  fs.rmSync(work, { recursive: true, force: true });
}, 60_000);

describe('kiosks managed remotely', () => {
  it('restarts an agent: it acknowledges, exits with the restart code and comes back', async () => {
    const before = await connectedHealth();
    const r = await api<{ exitCode: number }>(server.url, token, 'POST', `/api/admin/agents/${agentId}/restart`, {
      reason: 'test',
    });
    expect(r.body).toEqual({ ok: true, value: { exitCode: 75 } });
    await until(
      async () => {
        const h = await health();
        return h !== undefined && h.pid !== before.pid && h.serverLink.state === 'connected';
      },
      { timeoutMs: 120_000, what: 'a new agent process connected' },
    );
    expect(launcher?.exitCode).toBeNull();
    expect(await auditActions()).toContain('agent-restart-requested');
  }, 240_000);

  it('pushes configuration: the agent applies what it can and says what it refused and why', async () => {
    const r = await api<KioskConfigState>(server.url, token, 'PUT', `/api/admin/agents/${agentId}/config`, {
      idleTimeoutSec: 90,
      languages: ['vi', 'fr'],
      printer: { profileId: 'no-such-printer' },
      features: { payments: false },
    });
    expect(r.body.ok).toBe(true);
    let state: KioskConfigState | null | undefined;
    await until(
      async () => {
        state = (await api<KioskConfigState | null>(server.url, token, 'GET', `/api/admin/agents/${agentId}/config`))
          .body.value;
        return state?.report !== null && state?.report !== undefined;
      },
      { what: 'the revision acknowledged' },
    );
    expect(state?.revision).toBe(1);
    expect(state?.report?.applied.sort()).toEqual(['features', 'idleTimeoutSec']);
    expect(state?.report?.refused.map((x) => `${x.key}:${x.code}`).sort()).toEqual([
      'languages:unsupported-language',
      'printer.profileId:unknown-printer-profile',
    ]);
    expect((await health())?.configRevision).toBe(1);
    expect(await auditActions()).toContain('agent-config-pushed');

    // Payments are off on this kiosk now: the page's payment command is refused by the agent.
    const ui: Socket<AgentToKioskUiEvents, KioskUiToAgentEvents> = io(agentUrl, { transports: ['websocket'] });
    const quote = await new Promise<Result<unknown>>((resolve) =>
      ui.emit('payment:quote', { serviceId: 'noi-tong-quat', patientClass: 'fee-paying' }, resolve),
    );
    ui.close();
    expect(quote.ok ? 'ok' : quote.error.code).toBe('feature-disabled');
  }, 120_000);

  it('delivers the newest revision to a kiosk that was down when it was pushed', async () => {
    await stopLauncher();
    const r = await api<KioskConfigState>(server.url, token, 'PUT', `/api/admin/agents/${agentId}/config`, {
      languages: ['vi', 'en'],
    });
    expect(r.body.value?.report).toBeNull();
    const pending = await api<Record<string, { config: { revision: number; acknowledged: boolean } }>>(
      server.url,
      token,
      'GET',
      '/api/admin/fleet/management',
    );
    expect(pending.body.value?.[agentId]?.config).toEqual({ revision: 2, acknowledged: false });
    startLauncher();
    await until(
      async () =>
        (await api<KioskConfigState>(server.url, token, 'GET', `/api/admin/agents/${agentId}/config`)).body.value
          ?.report?.revision === 2,
      { timeoutMs: 120_000, what: 'revision 2 acknowledged after the reconnect' },
    );
    const h = await connectedHealth();
    expect(h.configRevision).toBe(2);
    expect(h.languages).toEqual(['vi', 'en']);
  }, 240_000);

  it('collects diagnostics with the last device errors and no personal data', async () => {
    await connectedHealth();
    const ui: Socket<AgentToKioskUiEvents, KioskUiToAgentEvents> = io(agentUrl, { transports: ['websocket'] });
    const scanned = await new Promise<Result<unknown>>((resolve) => ui.emit('scan:submit', { payload: QR }, resolve));
    expect(scanned.ok).toBe(true);
    const receipt = await new Promise<Result<unknown>>((resolve) =>
      ui.emit(
        'checkin:submit',
        {
          checkInId: crypto.randomUUID(),
          identity: {
            source: 'cccd-qr',
            idNumber: '079188012345',
            fullName: 'Nguyễn Thị Lan',
            dateOfBirth: '1988-03-12',
          },
          serviceId: 'noi-tong-quat',
          priorityClaims: [],
          consent: true,
        },
        resolve,
      ),
    );
    ui.close();
    expect(receipt.ok).toBe(true);
    const sim: Socket<AgentToSimEvents, SimToAgentEvents> = io(`${agentUrl}/sim`, { transports: ['websocket'] });
    const fault = await new Promise<Result<null>>((resolve) =>
      sim.emit('sim:set-printer-fault', { fault: 'paper-out' }, resolve),
    );
    expect(fault.ok).toBe(true);

    let diagnostics: AgentDiagnostics | undefined;
    await until(
      async () => {
        const r = await api<AgentDiagnostics>(server.url, token, 'POST', `/api/admin/agents/${agentId}/diagnostics`);
        diagnostics = r.body.value;
        return diagnostics?.recentErrors.some((e) => e.class === 'printer' && e.reason === 'paper-out') === true;
      },
      { timeoutMs: 60_000, what: 'the paper-out fault in the diagnostics' },
    );
    await new Promise<Result<null>>((resolve) => sim.emit('sim:set-printer-fault', { fault: 'none' }, resolve));
    sim.close();
    expect(Array.isArray(diagnostics?.doctor)).toBe(true);
    expect(diagnostics?.configRevision).toBe(2);
    const text = JSON.stringify(diagnostics);
    for (const personal of ['079188012345', 'Nguyễn', 'Ninh Kiều', '12031988', QR])
      expect(text).not.toContain(personal);
    expect(await auditActions()).toContain('agent-diagnostics-read');
  }, 120_000);

  it('refuses a bundle signed with another key', async () => {
    await upload('0.2.0', makeReleaseDir('v020', 'process.exit(0);\n'), keyPair().privateKeyPem);
    const rollout = await startRollout({ version: '0.2.0', percent: 100 });
    await until(async () => (await rolloutTarget(rollout.id))?.state === 'refused', {
      timeoutMs: 60_000,
      what: 'the kiosk refusing the bundle',
    });
    expect((await rolloutTarget(rollout.id))?.reason).toBe('bad-signature');
    expect(fs.existsSync(path.join(releasesDir, 'versions', '0.2.0'))).toBe(false);
    expect((await health())?.softwareVersion).toBe('0.1.0');
  }, 120_000);

  it('rolls back by itself a version that fails its health check', async () => {
    const before = await connectedHealth();
    await upload('0.3.0', makeReleaseDir('v030', 'process.exit(1);\n'), release.privateKeyPem);
    const rollout = await startRollout({ version: '0.3.0', percent: 100 });
    await until(async () => (await rolloutTarget(rollout.id))?.state === 'rolled-back', {
      timeoutMs: 240_000,
      what: 'the launcher rolling the version back',
    });
    expect((await rolloutTarget(rollout.id))?.reason).toBe('health-check-failed');
    const after = await connectedHealth();
    expect(after.pid).not.toBe(before.pid);
    expect(after.softwareVersion).toBe('0.1.0');
    await until(async () => (await fleetVersion()) === '0.1.0', { what: 'the fleet view showing 0.1.0' });
  }, 300_000);

  it('adopts a good version: the fleet view shows it and its rollout state', async () => {
    const healthCheck = [
      `const res = await fetch(process.env.AGENT_URL + '/health');`,
      `const body = await res.json();`,
      `process.exit(body.status === 'ok' && body.softwareVersion === '0.4.0' ? 0 : 1);`,
      '',
    ].join('\n');
    await upload('0.4.0', makeReleaseDir('v040', healthCheck), release.privateKeyPem);
    const rollout = await startRollout({ version: '0.4.0', percent: 100 });
    await until(async () => (await rolloutTarget(rollout.id))?.state === 'adopted', {
      timeoutMs: 240_000,
      what: 'the kiosk adopting 0.4.0',
    });
    expect((await connectedHealth()).softwareVersion).toBe('0.4.0');
    await until(async () => (await fleetVersion()) === '0.4.0', { what: 'the fleet view showing 0.4.0' });
    expect(fs.readlinkSync(path.join(releasesDir, 'current'))).toBe(path.join('versions', '0.4.0'));
    const overview = await api<Record<string, { rollout: { version: string; state: string } }>>(
      server.url,
      token,
      'GET',
      '/api/admin/fleet/management',
    );
    expect(overview.body.value?.[agentId]?.rollout).toMatchObject({ version: '0.4.0', state: 'adopted' });
    const actions = await auditActions();
    expect(actions).toContain('bundle-uploaded');
    expect(actions).toContain('rollout-started');
  }, 300_000);

  it('stages a rollout: only the chosen share of the chosen site is offered the update', async () => {
    const sockets: AgentSocket[] = [];
    const offered = new Map<string, SoftwareUpdateCommand[]>();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const code = await api<{ code: string }>(server.url, token, 'POST', '/api/admin/pairing-codes');
      const credential = await enrollAgent(server.url, code.body.value?.code ?? '', `kiosk-north-${i}`);
      const id = credential.slice(0, credential.indexOf('.'));
      ids.push(id);
      offered.set(id, []);
      const socket: AgentSocket = io(`${server.url}/agent`, {
        auth: { credential },
        transports: ['websocket'],
        forceNew: true,
      });
      const refuse = () => ({ ok: false as const, error: { code: 'not-supported', message: 'test kiosk' } });
      serveCommands(
        socket,
        serverToAgentCommands,
        {
          'ticket:print': refuse,
          'agent:restart': refuse,
          'config:apply': refuse,
          'diagnostics:collect': refuse,
          'trust:apply': refuse,
          'software:update': (command) => {
            offered.get(id)?.push(command);
            return ok({ accepted: true as const });
          },
        },
        { onError: () => undefined },
      );
      sockets.push(socket);
    }
    await until(() => sockets.every((s) => s.connected), { what: 'the test kiosks connected' });
    // Four kiosks at the north site, one at the south site; the real kiosk has no site.
    for (const [i, id] of ids.entries())
      await api(server.url, token, 'PUT', `/api/admin/agents/${id}/site`, { site: i < 4 ? 'north' : 'south' });
    const rollout = await startRollout({ version: '0.4.0', percent: 50, sites: ['north'] });
    expect(rollout.targets).toHaveLength(2);
    await until(() => [...offered.values()].filter((o) => o.length > 0).length === 2, {
      what: 'two kiosks offered the update',
    });
    const reached = ids.filter((id) => (offered.get(id)?.length ?? 0) > 0);
    expect(reached.sort()).toEqual(rollout.targets.map((t) => t.agentId).sort());
    expect(reached.every((id) => ids.indexOf(id) < 4)).toBe(true);
    expect(rollout.targets.some((t) => t.agentId === agentId)).toBe(false);
    await until(
      async () => {
        const list = await api<RolloutView[]>(server.url, token, 'GET', '/api/admin/rollouts');
        const targets = list.body.value?.find((r) => r.id === rollout.id)?.targets ?? [];
        return targets.length === 2 && targets.every((t) => t.state === 'offered');
      },
      { what: 'both chosen kiosks marked offered' },
    );
    for (const s of sockets) s.close();
  }, 120_000);
});
