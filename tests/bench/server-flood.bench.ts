/**
 * One client floods the system while /healthz is probed and the server's memory sampled
 * (targets: /healthz p99 < 100 ms during every flood; server RSS bounded — it returns to within
 * 64 MB of where it started). The server and the kiosk agent run as their own processes as
 * `npm start` runs them; each flood comes from a separate process (flood-client.ts):
 * 1. the kiosk page through its agent: 30,000 `services:list` at once;
 * 2. the agent's credential straight on the server's /agent: 30,000 `services:list`;
 * 3. one viewer on /staff: 20,000 `queue:list`;
 * 4. one session over HTTP: 20,000 GET /api/queue over 20 connections.
 * Run: npx tsx tests/bench/server-flood.bench.ts
 */
import { execFileSync, fork, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { login } from '../support/server-harness';
import { freePort } from '../support/free-port';
import { spawnServer } from '../support/server-process';
import type { FloodCommand, FloodResult } from './flood-client';
import { percentile } from './stats';

const root = path.resolve(import.meta.dirname, '../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-flood-'));
execFileSync('npm', ['run', 'build', '-w', 'device-agent', '--silent'], { cwd: root, stdio: 'inherit' });

const server = await spawnServer({
  port: await freePort(),
  databaseFile: path.join(dir, 'kiosk.sqlite'),
  env: { BOOTSTRAP_PAIRING_CODE: 'FLOODBENCH12', METRICS_TOKEN: 'flood-bench-metrics-token' },
});
const serverPid = server.child.pid ?? 0;
const agentPort = await freePort();
const agent = spawn(process.execPath, ['device-agent/dist/main.mjs'], {
  cwd: root,
  env: {
    ...process.env,
    AGENT_PORT: String(agentPort),
    SERVER_URL: server.url,
    PAIRING_CODE: 'FLOODBENCH12',
    AGENT_DATA_DIR: path.join(dir, 'agent'),
    LOG_LEVEL: 'silent',
  },
  stdio: 'ignore',
});
const agentUrl = `http://127.0.0.1:${agentPort}`;
for (let i = 0; ; i++) {
  try {
    const health = (await (await fetch(`${agentUrl}/health`)).json()) as { serverLink?: { state?: string } };
    if (health.serverLink?.state === 'connected') break;
  } catch {
    // not up yet
  }
  if (i > 300) throw new Error('agent did not connect');
  await new Promise((r) => setTimeout(r, 100));
}

const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/u.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

/**
 * The server's own event-loop delay since the last call (prom-client resets its monitor at each
 * scrape): what the flood cost the server itself, apart from this machine's other load.
 */
async function eventLoopLag(): Promise<{ maxMs: number; p99Ms: number }> {
  const text = await (
    await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer flood-bench-metrics-token' } })
  ).text();
  const read = (name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)`, 'mu').exec(text)?.[1] ?? NaN) * 1000;
  return {
    maxMs: Math.round(read('kiosk_server_nodejs_eventloop_lag_max_seconds') * 10) / 10,
    p99Ms: Math.round(read('kiosk_server_nodejs_eventloop_lag_p99_seconds') * 10) / 10,
  };
}

/** /healthz probes every 20 ms and the server's peak RSS until `until` settles. */
async function probe(until: Promise<unknown>) {
  let finished = false;
  void until.then(() => (finished = true));
  const healthz: number[] = [];
  let rssMax = 0;
  while (!finished) {
    const started = performance.now();
    await (await fetch(`${server.url}/healthz`)).arrayBuffer();
    healthz.push(performance.now() - started);
    rssMax = Math.max(rssMax, rssMb(serverPid));
    await new Promise((r) => setTimeout(r, 20));
  }
  return { healthz, rssMax };
}

const stats = (healthz: number[]) => ({
  healthzProbes: healthz.length,
  healthzP50Ms: percentile(healthz, 50),
  healthzP99Ms: percentile(healthz, 99),
  healthzMaxMs: Math.round(Math.max(...healthz) * 10) / 10,
});

/** Runs a flood `rounds` times, each from a fresh child process, while probing /healthz and sampling the server's RSS. */
async function measure(name: string, command: FloodCommand, rounds = 5) {
  const rssBefore = rssMb(serverPid);
  const healthz: number[] = [];
  const tally: Record<string, number> = {};
  let ms = 0;
  let rssMax = rssBefore;
  let lagMaxMs = 0;
  let lagP99Ms = 0;
  for (let round = 0; round < rounds; round++) {
    await eventLoopLag();
    const child = fork(path.join(import.meta.dirname, 'flood-client.ts'), [], { execArgv: ['--import', 'tsx'] });
    const done = new Promise<FloodResult>((resolve) => child.once('message', (m: FloodResult) => resolve(m)));
    child.send(command);
    const seen = await probe(done);
    const result = await done;
    healthz.push(...seen.healthz);
    rssMax = Math.max(rssMax, seen.rssMax);
    ms += result.ms;
    const lag = await eventLoopLag();
    lagMaxMs = Math.max(lagMaxMs, lag.maxMs);
    lagP99Ms = Math.max(lagP99Ms, lag.p99Ms);
    for (const [k, v] of Object.entries(result.tally)) tally[k] = (tally[k] ?? 0) + v;
  }
  await new Promise((r) => setTimeout(r, 2000));
  const line = {
    flood: `${name} (×${rounds})`,
    seconds: Math.round(ms / 100) / 10,
    answers: tally,
    ...stats(healthz),
    serverEventLoopLagMs: { worstP99: lagP99Ms, max: lagMaxMs },
    serverRssMb: { before: Math.round(rssBefore), max: Math.round(rssMax), after: Math.round(rssMb(serverPid)) },
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  return line;
}

const credential = (
  JSON.parse(fs.readFileSync(path.join(dir, 'agent', 'credential.json'), 'utf8')) as { credential: string }
).credential;
const viewer = await login(server.url, 'xem', 'xem-demo');
// The same probes with no flood: what this machine's load alone does to /healthz.
await eventLoopLag();
const idle = await probe(new Promise((r) => setTimeout(r, 5000)));
const baseline = {
  flood: 'none (baseline, 5 s)',
  ...stats(idle.healthz),
  serverEventLoopLagMs: await eventLoopLag(),
  serverRssMb: Math.round(rssMb(serverPid)),
};
process.stdout.write(
  `load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ')}\n${JSON.stringify(baseline)}\n`,
);
const results = [
  await measure('kiosk page through its agent: 30,000 services:list', {
    kind: 'socket',
    url: agentUrl,
    auth: {},
    event: 'services:list',
    count: 30_000,
  }),
  await measure('agent credential on /agent: 30,000 services:list', {
    kind: 'socket',
    url: `${server.url}/agent`,
    auth: { credential },
    event: 'services:list',
    count: 30_000,
  }),
  await measure('one viewer on /staff: 20,000 queue:list', {
    kind: 'socket',
    url: `${server.url}/staff`,
    auth: { token: viewer },
    event: 'queue:list',
    count: 20_000,
  }),
  await measure('one session over HTTP: 20,000 GET /api/queue (20 connections)', {
    kind: 'http',
    url: `${server.url}/api/queue`,
    token: viewer,
    count: 20_000,
    connections: 20,
  }),
];
const start = results[0]?.serverRssMb.before ?? 0;
const worstP99 = Math.max(...results.map((r) => r.healthzP99Ms));
const rssGrowth = Math.max(...results.map((r) => r.serverRssMb.after)) - start;
process.stdout.write(
  `\nload average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(
      ' / ',
    )}; /healthz p99 worst ${worstP99} ms (target < 100): ${worstP99 < 100 ? 'met' : 'NOT MET'}; server RSS after the floods ${rssGrowth >= 0 ? '+' : ''}${Math.round(rssGrowth)} MB over start (target ≤ 64): ${rssGrowth <= 64 ? 'met' : 'NOT MET'}\n`,
);
agent.kill('SIGTERM');
server.child.kill('SIGTERM');
await server.exited();
fs.rmSync(dir, { recursive: true, force: true });
process.exit(0);
