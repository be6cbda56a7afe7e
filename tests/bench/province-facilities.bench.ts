/**
 * Many facilities in one process: what each facility costs at start (time, resident memory) and
 * what routing by host costs a request. A province of N facilities (SQLite, demo catalogue each)
 * is composed in this process behind its front; then the same request — GET /api/kiosk/config, a
 * facility's smallest database-free answer — is timed through the front (facilities in turn, by
 * `Host`) and at one single-facility server listening on its own port, one request at a time over
 * keep-alive connections, alternating the two so machine load touches both alike.
 * Run: npx tsx tests/bench/province-facilities.bench.ts [facilities=10] [requests=2000] [basePort=26050]
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createProvince, type FacilitiesFile } from '@kiosk/server';
import { startServer } from '../support/server-harness';
import { median, percentile } from './stats';

const count = Number(process.argv[2] ?? 10);
const requests = Number(process.argv[3] ?? 2000);
const basePort = Number(process.argv[4] ?? 26050);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-province-'));
const rssMb = () => process.memoryUsage().rss / 1024 / 1024;

const codes = Array.from({ length: count }, (_, i) => `bv${String(i + 1).padStart(2, '0')}`);
const file: FacilitiesFile = {
  province: { name: 'Sở Y tế', hosts: ['soyte.bench'], databaseUrl: `sqlite:${path.join(dir, 'province.sqlite')}` },
  defaults: { DEMO: '1', LOG_LEVEL: 'silent' },
  facilities: codes.map((code) => ({
    code,
    name: `Bệnh viện ${code}`,
    hosts: [`${code}.bench`],
    settings: { DATABASE_URL: `sqlite:${path.join(dir, `${code}.sqlite`)}` },
  })),
};

const rss0 = rssMb();
const t0 = performance.now();
const province = await createProvince(file);
const startMs = performance.now() - t0;
const rss1 = rssMb();
await province.listen(basePort, '127.0.0.1');
const single = await startServer({ PORT: String(basePort + 1) });

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const get = (port: number, host: string) =>
  new Promise<number>((resolve, reject) => {
    const t = performance.now();
    http
      .get({ host: '127.0.0.1', port, path: '/api/kiosk/config', headers: { host }, agent }, (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200 ? resolve(performance.now() - t) : reject(new Error(`${res.statusCode}`)),
        );
      })
      .on('error', reject);
  });

// Warm-up: every facility's route once, the single server a few times.
for (const code of codes) await get(basePort, `${code}.bench`);
for (let i = 0; i < 50; i++) await get(basePort + 1, '127.0.0.1');
const viaFront: number[] = [];
const direct: number[] = [];
for (let i = 0; i < requests; i++) {
  viaFront.push(await get(basePort, `${codes[i % count]}.bench`));
  direct.push(await get(basePort + 1, '127.0.0.1'));
}
const row = (name: string, ms: number[]) =>
  `${name}: median ${median(ms).toFixed(3)} ms, p99 ${percentile(ms, 99).toFixed(3)} ms`;
console.log(
  `facilities: ${count}; composed in ${(startMs / 1000).toFixed(1)} s (${(startMs / count).toFixed(0)} ms each)`,
);
console.log(
  `resident memory: +${(rss1 - rss0).toFixed(0)} MB for ${count} (${((rss1 - rss0) / count).toFixed(1)} MB each), ${rss1.toFixed(0)} MB in all`,
);
console.log(row(`through the front (${requests} requests over ${count} hosts)`, viaFront));
console.log(row(`one facility on its own port (${requests} requests)`, direct));
agent.destroy();
await single.stop();
await province.close();
fs.rmSync(dir, { recursive: true, force: true });
