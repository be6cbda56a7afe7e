/**
 * HAProxy with the deployment's own configuration (deploy/haproxy/haproxy.cfg) in front of server
 * instances on loopback, run in the foreground (`-db`) as a child process, and its admin socket
 * to read each instance's state. Without a certificate a throwaway one is made with openssl.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port';
import { selfSignedCertificate } from './self-signed';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const haproxyConfig = path.join(root, 'deploy', 'haproxy', 'haproxy.cfg');

/** Debian installs it in /usr/sbin, which a non-root PATH may lack. */
const binary = fs.existsSync('/usr/sbin/haproxy') ? '/usr/sbin/haproxy' : 'haproxy';
export const haproxyAvailable = (): boolean => spawnSync(binary, ['-v'], { encoding: 'utf8' }).status === 0;

export interface Haproxy {
  child: ChildProcess;
  /** Plain HTTP through the load balancer. */
  url: string;
  /** HTTPS through the load balancer (the certificate given, or a throwaway one for `localhost`). */
  tlsUrl: string;
  /** Each instance's state as HAProxy sees it: `UP`, `DOWN`, `UP 1/2` … by server name (s1, s2). */
  states(): Promise<Record<string, string>>;
  /** The latest of what HAProxy wrote to stderr (state changes, alerts). */
  messages(): string;
  stop(): Promise<void>;
}

/** `servers`: host:port of the two instances. `certPem`: server certificate, chain and key in one PEM. */
export async function startHaproxy(servers: [string, string], options: { certPem?: string } = {}): Promise<Haproxy> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-haproxy-'));
  let cert = options.certPem;
  if (!cert) {
    // HAProxy takes the key and the certificate in one file.
    const { keyFile, certFile } = selfSignedCertificate(dir, 'localhost');
    cert = path.join(dir, 'throwaway.pem');
    fs.writeFileSync(cert, Buffer.concat([fs.readFileSync(keyFile), fs.readFileSync(certFile)]));
  }
  const plainPort = await freePort();
  const tlsPort = await freePort();
  const socket = path.join(dir, 'admin.sock');
  const child = spawn(binary, ['-db', '-f', haproxyConfig], {
    env: {
      ...process.env,
      KIOSK_TLS_BIND: `127.0.0.1:${tlsPort}`,
      KIOSK_TLS_CERT: cert,
      KIOSK_PLAIN_BIND: `127.0.0.1:${plainPort}`,
      KIOSK_SERVER_1: servers[0],
      KIOSK_SERVER_2: servers[1],
      KIOSK_STATS_SOCKET: socket,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // State changes (an instance down, up again) and alerts: kept for a failure's message.
  let messages = '';
  child.stderr?.on('data', (d: Buffer) => (messages = (messages + d.toString()).slice(-4000)));
  const states = () =>
    new Promise<Record<string, string>>((resolve, reject) => {
      const conn = net.connect(socket);
      let text = '';
      conn.on('data', (d) => (text += d.toString()));
      conn.on('error', reject);
      conn.on('end', () => {
        const lines = text.trim().split('\n');
        const head = (lines[0] ?? '').replace(/^# /u, '').split(',');
        const [px, sv, st] = ['pxname', 'svname', 'status'].map((h) => head.indexOf(h));
        const out: Record<string, string> = {};
        for (const line of lines.slice(1)) {
          const f = line.split(',');
          if (f[px ?? 0] === 'kiosk_servers' && /^s\d$/u.test(f[sv ?? 1] ?? ''))
            out[f[sv ?? 1] ?? ''] = f[st ?? 17] ?? '';
        }
        resolve(out);
      });
      conn.end('show stat\n');
    });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`haproxy exited with ${child.exitCode}: ${messages}`);
    try {
      const s = await states();
      if (Object.values(s).length === 2 && Object.values(s).every((v) => v === 'UP')) break;
    } catch {
      // admin socket not there yet
    }
    if (i > 300) {
      child.kill('SIGKILL');
      throw new Error(`haproxy: the instances did not come up: ${messages}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    url: `http://127.0.0.1:${plainPort}`,
    tlsUrl: `https://localhost:${tlsPort}`,
    states,
    messages: () => messages,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
