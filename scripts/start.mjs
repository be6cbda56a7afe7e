// `npm start`: installs what is missing, then runs the server, one device agent with simulated
// devices (enrolled automatically), and serves /kiosk /counter /display /admin. The demo has
// well-known passwords: it listens on loopback unless HOST says otherwise.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ensureAgentBuilt,
  ensureDebianPackages,
  ensureNodeModules,
  ensureUiBuilt,
  nodeVersionOk,
  root,
} from './lib/prereqs.mjs';

nodeVersionOk();
ensureDebianPackages('start', { optional: true });
ensureNodeModules();
ensureUiBuilt();
ensureAgentBuilt();

const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '127.0.0.1';
const wildcard = host === '0.0.0.0' || host === '::';
const loopback = /^(127\.|localhost$|::1$|\[::1\]$)/u.test(host);
// A URL a browser on this machine can open: a wildcard bind is reachable on loopback too.
const urlHost = wildcard ? '127.0.0.1' : host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
const agentPort = Number(process.env.AGENT_PORT ?? 8731);
const dataDir = path.resolve(process.env.DATA_DIR ?? path.join(root, 'data'));
const agentDataDir = path.join(dataDir, 'agent');
fs.mkdirSync(agentDataDir, { recursive: true, mode: 0o700 });

const enrolled = fs.existsSync(path.join(agentDataDir, 'credential.json'));
const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const pairingCode = enrolled ? undefined : [...randomBytes(12)].map((b) => alphabet[b % alphabet.length]).join('');
const serverUrl = `http://${urlHost}:${port}`;
// What the tickets' QR opens on a phone: the hospital's public address when PUBLIC_URL names it,
// else this server's own URL; on a wildcard bind, the machine's first network address, which a
// phone on the same network can open (loopback only when there is none).
const lanAddress = Object.values(os.networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
const publicUrl = process.env.PUBLIC_URL || (wildcard && lanAddress ? `http://${lanAddress}:${port}` : serverUrl);

const children = [];
function launch(name, args, env) {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      process.stderr.write(`${name} stopped (${signal ?? code}); stopping everything.\n`);
      stop(1);
    }
  });
  children.push(child);
  return child;
}

let stopping = false;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  const deadline = setTimeout(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    process.exit(code);
  }, 5000);
  Promise.all(children.map((c) => (c.exitCode !== null ? null : new Promise((r) => c.once('exit', r))))).then(() => {
    clearTimeout(deadline);
    process.exit(code);
  });
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

launch('server', ['--import', 'tsx', 'server/src/main.ts'], {
  PORT: String(port),
  HOST: host,
  DATABASE_URL: process.env.DATABASE_URL ?? `sqlite:${path.join(dataDir, 'kiosk.sqlite')}`,
  DEMO: '1',
  // The kiosk page asks the server where its agent listens: the printed URL works on any AGENT_PORT.
  KIOSK_AGENT_PORT: String(agentPort),
  PUBLIC_URL: publicUrl,
  ...(pairingCode ? { BOOTSTRAP_PAIRING_CODE: pairingCode } : {}),
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
});

async function waitReady(url, timeoutMs) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      if ((await fetch(url)).ok) return true;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

if (!(await waitReady(`${serverUrl}/readyz`, 60_000))) {
  process.stderr.write('The server did not become ready within 60 s.\n');
  stop(1);
} else {
  // The agent runs as plain JavaScript, as on a kiosk PC.
  launch('agent', ['device-agent/dist/main.mjs'], {
    AGENT_PORT: String(agentPort),
    SERVER_URL: serverUrl,
    AGENT_DATA_DIR: agentDataDir,
    DEVICES: 'simulated',
    ALLOWED_ORIGINS: [port, agentPort]
      .flatMap((p) => [`http://127.0.0.1:${p}`, `http://localhost:${p}`, `http://${urlHost}:${p}`])
      .join(','),
    ...(pairingCode ? { PAIRING_CODE: pairingCode } : {}),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  await waitReady(`http://127.0.0.1:${agentPort}/healthz`, 30_000);
  const base = serverUrl;
  process.stdout.write(
    [
      '',
      'Kiosk system is running (simulated devices, SQLite under ' + path.relative(root, dataDir) + '/):',
      `  Kiosk    ${base}/kiosk/`,
      `  Counter  ${base}/counter/`,
      `  Display  ${base}/display/  (pair it with a code from Admin → Màn hình gọi số)`,
      `  Admin    ${base}/admin/`,
      `  Agent    http://127.0.0.1:${agentPort} (loopback only; simulator at /sim)`,
      `  Tickets  ${publicUrl}/t/<code> (the ticket's QR; set PUBLIC_URL to the address phones reach)`,
      '',
      `Listening on ${wildcard ? `every interface (${host})` : host}:${port}${loopback ? ' (this machine only; set HOST to open it to the network)' : ''}.`,
      ...(loopback
        ? []
        : ['WARNING: the demo accounts below have published passwords and are reachable from the network.']),
      'Demo logins: admin / admin-demo · tiepdon / tiepdon-demo (reception) · phongkham / phongkham-demo (clinic) · xem / xem-demo (viewer)',
      'Simulate a scan:  npx kiosk-agent sim-scan "079188012345||Nguyễn Thị Lan|12031988|Nữ|Phường Ninh Kiều, TP. Cần Thơ|10052021"',
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
}
