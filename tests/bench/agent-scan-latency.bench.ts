/**
 * Scan → kiosk-UI event through the agent over loopback socket.io (target p99 ≤ 20 ms).
 * A real server and a real agent with simulated devices: each scan enters as bytes on the
 * simulated scanner link, is framed, classified, and reaches a socket.io client on 127.0.0.1.
 * Run: npx tsx tests/bench/agent-scan-latency.bench.ts [scans]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { createAgent, createLogger, loadAgentConfig } from '@kiosk/device-agent';
import type { AgentToKioskUiEvents, KioskUiToAgentEvents } from '@kiosk/protocol';
import { startServer } from '../support/server-harness';
import { percentile } from './stats';

const scans = Number(process.argv[2] ?? 2000);
const payload = '079188012345||Nguyễn Thị Lan|12031988|Nữ|Phường Ninh Kiều, TP. Cần Thơ|10052021';

const server = await startServer({ BOOTSTRAP_PAIRING_CODE: 'BENCHCODE123' });
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-agent-'));
const agent = await createAgent(
  loadAgentConfig({
    AGENT_PORT: '0',
    SERVER_URL: server.url,
    PAIRING_CODE: 'BENCHCODE123',
    AGENT_DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    // The benchmark scans one code back to back: no duplicate suppression.
    SCAN_DUPLICATE_WINDOW_MS: '0',
  }),
  createLogger('silent'),
);
const simulated = agent.simulated;
if (!simulated) throw new Error('the agent has no simulated devices');

const ui: Socket<AgentToKioskUiEvents, KioskUiToAgentEvents> = io(`http://127.0.0.1:${agent.gateway.port}`, {
  transports: ['websocket'],
});
await new Promise<void>((resolve) => ui.once('connect', () => resolve()));

const samples: number[] = [];
for (let i = 0; i < scans; i++) {
  const t0 = performance.now();
  const heard = new Promise<void>((resolve) => ui.once('scan:classified', () => resolve()));
  simulated.scan(payload);
  await heard;
  samples.push(performance.now() - t0);
  // Scanners deliver a code at most every few tens of ms; leave the loop breathing room.
  if (i % 50 === 0) await new Promise((r) => setTimeout(r, 1));
}
const warm = samples.slice(100);
console.log(
  JSON.stringify({
    bench: 'scan → kiosk-UI event (loopback socket.io)',
    scans: warm.length,
    p50Ms: percentile(warm, 50),
    p99Ms: percentile(warm, 99),
    maxMs: Math.max(...warm),
    targetP99Ms: 20,
  }),
);
ui.close();
await agent.close();
await server.stop();
fs.rmSync(dataDir, { recursive: true, force: true });
process.exit(0);
