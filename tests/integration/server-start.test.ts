/**
 * How the system starts: `npm start` (the demo, with published passwords) listens on loopback
 * unless HOST says otherwise (not reachable on the machine's network address; HOST=0.0.0.0 opens
 * the server, never the agent) and prints URLs that follow; production refuses the demo accounts,
 * whether asked to seed them or finding them with their demo passwords in the database.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createServerApp, loadConfig } from '@kiosk/server';
import { randomBytes } from 'node:crypto';
import { freePort } from '../support/free-port';

const DATA_KEYS = `k1:${randomBytes(32).toString('base64')}`;

const root = path.resolve(import.meta.dirname, '../..');

/** Addresses listening on `port`, read from /proc/net/tcp{,6} (state 0A = LISTEN). */
function listeningAddresses(port: number): string[] {
  const out: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!fs.existsSync(file)) continue;
    for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/u);
      if (!local || state !== '0A') continue;
      const [hexAddr, hexPort] = local.split(':');
      if (Number.parseInt(hexPort ?? '', 16) !== port || !hexAddr) continue;
      if (hexAddr.length === 8) {
        const bytes = (hexAddr.match(/../gu) ?? []).map((b) => Number.parseInt(b, 16)).reverse();
        out.push(bytes.join('.'));
      } else out.push(/^0+$/u.test(hexAddr) ? '::' : hexAddr === '00000000000000000000000001000000' ? '::1' : hexAddr);
    }
  }
  return out;
}

const dirs: string[] = [];
const tempDir = (prefix: string) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** The machine's first non-loopback IPv4 address (where another machine would reach it), if any. */
const networkAddress = Object.values(os.networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

/** Whether an HTTP request to `url` is answered at all (a refused connection is not). */
const answers = (url: string) =>
  fetch(url, { signal: AbortSignal.timeout(10_000) }).then(
    (r) => r.status,
    () => 'unreachable' as const,
  );

/** Runs `npm start` (scripts/start.mjs) with `extra` in its environment until it says it is ready. */
async function npmStart(extra: Record<string, string>) {
  const [port, agentPort] = [await freePort(), await freePort()];
  const env: Record<string, string | undefined> = {
    ...process.env,
    PORT: String(port),
    AGENT_PORT: String(agentPort),
    DATA_DIR: tempDir('start-'),
    LOG_LEVEL: 'warn',
    ...extra,
  };
  if (!('HOST' in extra)) delete env['HOST'];
  const child = spawn(process.execPath, ['scripts/start.mjs'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (output.includes('Press Ctrl-C to stop.')) resolve();
        else if (child.exitCode !== null) reject(new Error(`npm start stopped:\n${output}`));
        else setTimeout(check, 100);
      };
      check();
    });
  } catch (e) {
    await stop();
    throw e;
  }
  return { port, agentPort, output: () => output, stop };
}

describe('npm start', () => {
  it('listens on 127.0.0.1 by default and prints loopback URLs', { timeout: 240_000 }, async () => {
    const demo = await npmStart({});
    const { port, agentPort } = demo;
    try {
      expect(listeningAddresses(port)).toEqual(['127.0.0.1']);
      expect(listeningAddresses(agentPort)).toEqual(['127.0.0.1']);
      const output = demo.output();
      expect(output).toContain(`http://127.0.0.1:${port}/kiosk/`);
      // The tickets' QR opens this server's status pages when PUBLIC_URL is not set.
      expect(output).toContain(`Tickets  http://127.0.0.1:${port}/t/<code>`);
      expect(output).toContain('this machine only');
      expect(output).not.toContain('0.0.0.0');
      // Another machine cannot reach the demo and its published passwords: not on this machine's
      // network address either, while loopback answers.
      expect(await answers(`http://127.0.0.1:${port}/healthz`)).toBe(200);
      if (networkAddress) {
        expect(await answers(`http://${networkAddress}:${port}/healthz`)).toBe('unreachable');
        expect(await answers(`http://${networkAddress}:${agentPort}/healthz`)).toBe('unreachable');
      }
    } finally {
      await demo.stop();
    }
  });

  it(
    'honours HOST=0.0.0.0: the server is reachable on the network, with a warning; the agent stays on loopback',
    {
      timeout: 240_000,
    },
    async () => {
      const demo = await npmStart({ HOST: '0.0.0.0' });
      const { port, agentPort } = demo;
      try {
        expect(listeningAddresses(port)).toEqual(['0.0.0.0']);
        expect(listeningAddresses(agentPort)).toEqual(['127.0.0.1']);
        expect(demo.output()).toContain('reachable from the network');
        if (networkAddress) {
          expect(await answers(`http://${networkAddress}:${port}/healthz`)).toBe(200);
          expect(await answers(`http://${networkAddress}:${agentPort}/healthz`)).toBe('unreachable');
        }
      } finally {
        await demo.stop();
      }
    },
  );
});

describe('production', () => {
  it('refuses DEMO and a bootstrap pairing code', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DEMO: '1' })).toThrow(/DEMO/u);
    expect(() => loadConfig({ NODE_ENV: 'production', BOOTSTRAP_PAIRING_CODE: 'ABCDEFGH12' })).toThrow(
      /BOOTSTRAP_PAIRING_CODE/u,
    );
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/DATA_KEYS: required/u);
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_KEYS, DATA_ENCRYPTION: 'off' })).toThrow(/DATA_ENCRYPTION/u);
    expect(loadConfig({ NODE_ENV: 'production', DATA_KEYS }).HOST).toBe('127.0.0.1');
  });

  it('refuses to start on a database whose demo accounts keep their demo passwords', async () => {
    const dir = tempDir('prod-');
    const base = { PORT: '0', DATABASE_URL: `sqlite:${path.join(dir, 'kiosk.sqlite')}`, LOG_LEVEL: 'silent' };
    const demo = await createServerApp(loadConfig({ ...base, DEMO: '1' }));
    await demo.close();
    await expect(createServerApp(loadConfig({ ...base, NODE_ENV: 'production', DATA_KEYS }))).rejects.toThrow(
      /demo-password-in-production/u,
    );
  });
});
