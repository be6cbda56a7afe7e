/**
 * Agent idle footprint (targets: RSS ≤ 80 MB, CPU ≤ 1 %): the agent runs as its own process
 * exactly as `npm start` runs it (the esbuild bundle on plain Node ; simulated devices, enrolled, heartbeats, printer status
 * polling), and /proc is sampled after a warm-up.
 * Run: npx tsx tests/bench/agent-idle.bench.ts [seconds]
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../support/server-harness';

const seconds = Number(process.argv[2] ?? 60);
const root = path.resolve(import.meta.dirname, '../..');
const server = await startServer({ BOOTSTRAP_PAIRING_CODE: 'IDLEBENCH123' });
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-idle-'));
execFileSync('npm', ['run', 'build', '-w', 'device-agent', '--silent'], { cwd: root, stdio: 'inherit' });
const child = spawn(process.execPath, ['device-agent/dist/main.mjs'], {
  cwd: root,
  env: {
    ...process.env,
    AGENT_PORT: '0',
    SERVER_URL: server.url,
    PAIRING_CODE: 'IDLEBENCH123',
    AGENT_DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
  },
  stdio: 'ignore',
});
const pid = child.pid;
if (!pid) throw new Error('agent did not start');

const ticksPerSec = 100; // Linux USER_HZ
const cpuTicks = () => {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return Number(fields[11]) + Number(fields[12]);
};
const rssMb = () => Number(/VmRSS:\s+(\d+)/u.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

await new Promise((r) => setTimeout(r, 10_000)); // start-up, enrollment, first heartbeat
const t0 = Date.now();
const c0 = cpuTicks();
let peakRss = 0;
const rss: number[] = [];
while (Date.now() - t0 < seconds * 1000) {
  await new Promise((r) => setTimeout(r, 1000));
  const r = rssMb();
  rss.push(r);
  peakRss = Math.max(peakRss, r);
}
const cpuPercent = ((cpuTicks() - c0) / ticksPerSec / ((Date.now() - t0) / 1000)) * 100;
console.log(
  JSON.stringify({
    bench: 'agent idle',
    seconds,
    rssMbAvg: Math.round((rss.reduce((a, b) => a + b, 0) / rss.length) * 10) / 10,
    rssMbPeak: Math.round(peakRss * 10) / 10,
    cpuPercent: Math.round(cpuPercent * 100) / 100,
    targets: { rssMb: 80, cpuPercent: 1 },
  }),
);
child.kill('SIGTERM');
await server.stop();
fs.rmSync(dataDir, { recursive: true, force: true });
process.exit(0);
