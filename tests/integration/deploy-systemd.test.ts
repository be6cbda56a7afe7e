/**
 * The systemd units of deploy/systemd pass `systemd-analyze verify` with nothing to say (it exits 0
 * on unknown keys and bad values, so its messages are the verdict), carry the hardening and
 * watchdog they promise, and the server and the agent speak the notify protocol: started as the
 * units start them, with NOTIFY_SOCKET and WATCHDOG_USEC, they send READY=1 and then WATCHDOG=1
 * pings to a real AF_UNIX datagram socket (socat receives).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port';
import { spawnServer } from '../support/server-process';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const units = ['kiosk-server.service', 'kiosk-agent.service'].map((u) => path.join(root, 'deploy', 'systemd', u));
const hasAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;
const hasSocat = spawnSync('socat', ['-V']).status === 0;
const children: ChildProcess[] = [];
const dirs: string[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** Datagrams arriving on a fresh AF_UNIX socket, as socat writes them (one after another). */
function notifySocket(): { path: string; received: () => string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-notify-'));
  dirs.push(dir);
  const socket = path.join(dir, 'notify.sock');
  const receiver = spawn('socat', ['-u', `UNIX-RECV:${socket}`, 'STDOUT'], { stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(receiver);
  let text = '';
  receiver.stdout.on('data', (d: Buffer) => (text += d.toString()));
  return { path: socket, received: () => text };
}

const waitForSocket = async (p: string) => {
  await expect.poll(() => fs.existsSync(p), { timeout: 10_000 }).toBe(true);
};

describe.skipIf(!hasAnalyze)('systemd units', () => {
  it('pass systemd-analyze verify without a message', () => {
    const r = spawnSync('systemd-analyze', ['verify', ...units], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const about = `${r.stdout}\n${r.stderr}`
      .split('\n')
      .filter((l) => l.includes('kiosk-') || l.includes('deploy/systemd'));
    expect(about).toEqual([]);
  });

  it('declare the watchdog, restarts and hardening', () => {
    for (const unit of units) {
      const text = fs.readFileSync(unit, 'utf8');
      for (const line of [
        'Type=notify',
        'NotifyAccess=all',
        'Restart=always',
        'NoNewPrivileges=yes',
        'ProtectSystem=strict',
        'CapabilityBoundingSet=',
      ])
        expect(text.split('\n')).toContain(line);
      expect(text).toMatch(/^WatchdogSec=\d+/mu);
      expect(text).toMatch(/^User=kiosk/mu);
      expect(text).toMatch(/^ReadWritePaths=\/var\/lib\/kiosk/mu);
    }
    const agent = fs.readFileSync(units[1] ?? '', 'utf8');
    expect(agent).toMatch(/^SupplementaryGroups=dialout plugdev lp$/mu);
    expect(agent).toMatch(/^ReadWritePaths=.*\/run\/pcscd/mu);
  });
});

describe('kiosk browser launcher (deploy/kiosk)', () => {
  it.skipIf(!hasAnalyze)('its user unit passes systemd-analyze verify --user without a message', () => {
    const runtime = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-xdg-'));
    dirs.push(runtime);
    const r = spawnSync(
      'systemd-analyze',
      ['verify', '--user', path.join(root, 'deploy', 'kiosk', 'kiosk-browser.service')],
      { encoding: 'utf8', env: { ...process.env, XDG_RUNTIME_DIR: runtime } },
    );
    expect(r.status).toBe(0);
    expect(`${r.stdout}${r.stderr}`.split('\n').filter((l) => l.includes('kiosk-'))).toEqual([]);
  });

  it('waits for the agent, then starts the browser in kiosk mode on the kiosk page', async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-launcher-'));
    dirs.push(work);
    // A stand-in browser that writes down how it was started.
    const browser = path.join(work, 'browser.sh');
    fs.writeFileSync(browser, `#!/bin/sh\nprintf '%s\\n' "$@" > "${work}/args"\nexec sleep 600\n`, { mode: 0o755 });
    const port = await freePort();
    const launcher = spawn('sh', [path.join(root, 'deploy', 'kiosk', 'kiosk-launcher.sh')], {
      env: {
        ...process.env,
        HOME: work,
        KIOSK_URL: 'https://kiosk-server.test/kiosk/',
        AGENT_URL: `http://127.0.0.1:${port}`,
        KIOSK_BROWSER: browser,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    children.push(launcher);
    let said = '';
    launcher.stderr.on('data', (d: Buffer) => (said += d.toString()));
    await expect.poll(() => said, { timeout: 10_000 }).toContain('waiting for the device agent');
    expect(fs.existsSync(path.join(work, 'args'))).toBe(false);
    // The agent comes up.
    const agent = http.createServer((_req, res) => res.end('{"status":"ok"}'));
    await new Promise<void>((resolve) => agent.listen(port, '127.0.0.1', resolve));
    try {
      await expect.poll(() => fs.existsSync(path.join(work, 'args')), { timeout: 15_000 }).toBe(true);
      await expect
        .poll(() => fs.readFileSync(path.join(work, 'args'), 'utf8'), { timeout: 5_000 })
        .toContain('https://');
      const args = fs.readFileSync(path.join(work, 'args'), 'utf8').trim().split('\n');
      expect(args).toEqual(
        expect.arrayContaining(['--kiosk', '--no-first-run', '--autoplay-policy=no-user-gesture-required']),
      );
      expect(args.at(-1)).toBe('https://kiosk-server.test/kiosk/');
      expect(fs.statSync(path.join(work, '.local/share/kiosk-browser')).mode & 0o777).toBe(0o700);
    } finally {
      agent.close();
      if (launcher.pid) process.kill(-launcher.pid, 'SIGKILL');
    }
  });
});

describe.skipIf(!hasSocat)('sd_notify over NOTIFY_SOCKET', () => {
  it('the server sends READY=1 once listening, then watchdog pings', async () => {
    const notify = notifySocket();
    await waitForSocket(notify.path);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-notify-server-'));
    dirs.push(dir);
    const server = await spawnServer({
      port: await freePort(),
      databaseFile: path.join(dir, 'kiosk.sqlite'),
      env: { NOTIFY_SOCKET: notify.path, WATCHDOG_USEC: '200000' },
    });
    children.push(server.child);
    await expect.poll(() => notify.received(), { timeout: 10_000 }).toContain('READY=1');
    expect(notify.received()).toContain(`MAINPID=${server.child.pid}`);
    await expect.poll(() => notify.received().split('WATCHDOG=1').length - 1, { timeout: 10_000 }).toBeGreaterThan(2);
    server.child.kill('SIGTERM');
    await server.exited();
    expect(notify.received()).toContain('STOPPING=1');
  });

  it('the agent sends READY=1 once its kiosk socket listens, then watchdog pings', async () => {
    const notify = notifySocket();
    await waitForSocket(notify.path);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-notify-agent-'));
    dirs.push(dir);
    const port = await freePort();
    const agent = spawn(process.execPath, ['--import', 'tsx', 'device-agent/src/main.ts'], {
      cwd: root,
      env: {
        ...process.env,
        AGENT_PORT: String(port),
        AGENT_DATA_DIR: dir,
        // Nobody listens there: the agent runs unenrolled, as a new kiosk does.
        SERVER_URL: `http://127.0.0.1:${await freePort()}`,
        LOG_LEVEL: 'silent',
        NOTIFY_SOCKET: notify.path,
        WATCHDOG_USEC: '200000',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(agent);
    await expect.poll(() => notify.received(), { timeout: 20_000 }).toContain('READY=1');
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).ok).toBe(true);
    await expect.poll(() => notify.received().split('WATCHDOG=1').length - 1, { timeout: 10_000 }).toBeGreaterThan(2);
    agent.kill('SIGTERM');
    await new Promise((r) => (agent.exitCode !== null ? r(undefined) : agent.once('exit', r)));
    expect(notify.received()).toContain('STOPPING=1');
  });
});
