/**
 * The disk under the database, on its own: a 32 KiB write + fdatasync loop (what a group commit
 * does to the WAL) for N seconds, alone and then with a second process writing 4 MiB at random
 * offsets of another file and fsyncing it every 25 ms (what a checkpoint does to the database
 * file). Long stalls here are the machine's, and show up as the server benchmark's tail.
 * Run: npx tsx tests/bench/disk-fsync.bench.ts [seconds]
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { percentile } from './stats';

if (process.argv[2] === '--checkpoint-writer') {
  // The second process: random 4 KiB pages, 4 MiB at a time, then fsync.
  const fd = fs.openSync(path.join(process.argv[3] ?? '.', 'db.bin'), 'w');
  const page = Buffer.alloc(4096, 3);
  const until = Date.now() + Number(process.argv[4] ?? 10) * 1000;
  while (Date.now() < until) {
    for (let i = 0; i < 1024; i++) fs.writeSync(fd, page, 0, page.length, Math.floor(Math.random() * 16384) * 4096);
    fs.fsyncSync(fd);
    const pause = Date.now() + 25;
    while (Date.now() < pause);
  }
  fs.closeSync(fd);
  process.exit(0);
}

const seconds = Number(process.argv[2] ?? 15);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-disk-'));

function walLoop(ms: number): number[] {
  const fd = fs.openSync(path.join(dir, 'wal.bin'), 'w');
  const chunk = Buffer.alloc(32 * 1024, 7);
  const lat: number[] = [];
  let offset = 0;
  const until = Date.now() + ms;
  while (Date.now() < until) {
    fs.writeSync(fd, chunk, 0, chunk.length, offset);
    offset = (offset + chunk.length) % (16 << 20);
    const t = performance.now();
    fs.fdatasyncSync(fd);
    lat.push(performance.now() - t);
  }
  fs.closeSync(fd);
  return lat;
}

const line = (what: string, lat: number[]) =>
  `${what}: ${lat.length} fdatasync, p50 ${percentile(lat, 50).toFixed(2)} ms, p99 ${percentile(lat, 99).toFixed(2)} ms, p99.9 ${percentile(lat, 99.9).toFixed(2)} ms, max ${Math.max(...lat).toFixed(1)} ms, ${lat.filter((x) => x > 50).length} over 50 ms, ${lat.filter((x) => x > 250).length} over 250 ms`;

try {
  console.log(line('alone', walLoop((seconds * 1000) / 2)));
  const writer = fork(fileURLToPath(import.meta.url), ['--checkpoint-writer', dir, String(seconds / 2)], {
    execArgv: ['--import', 'tsx'],
  });
  await new Promise((r) => setTimeout(r, 300));
  console.log(line('with a checkpoint-like writer', walLoop((seconds * 1000) / 2 - 300)));
  await new Promise((r) => writer.once('exit', r));
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
