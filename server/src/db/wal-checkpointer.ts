/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the COMMIT that
 * crosses the threshold: it copies the WAL into the database file and fsyncs it on the thread
 * that committed, which stalls every socket on this server for milliseconds. A worker thread with
 * its own connection runs PASSIVE checkpoints instead, every few tens of milliseconds so each one
 * is small (they never block writers or readers). A PASSIVE checkpoint does not bring the WAL back
 * to its start: a writer restarts it only if, when its transaction begins, the checkpoint has
 * caught up with the last commit — which under steady load never happens. So once the WAL is long
 * the group committer holds its next batch, asks for a checkpoint now, and begins the batch when it
 * has caught up (see `beforeGroupCommit` in database.ts); nothing blocks the event loop meanwhile. The writing connection's own automatic
 * checkpoint stays only as a backstop far above what the worker lets the WAL reach — at the usual
 * 1,000 pages it would fire inside commits while the worker is busy, and its database-file fsync
 * then stalls the event loop for hundreds of milliseconds — and comes back to the usual threshold
 * if the worker dies, so the WAL stays bounded.
 */
import { Worker } from 'node:worker_threads';

/** Runs in the worker: `require` resolves better-sqlite3 from this package. */
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.driver);
const db = new SQLite(workerData.file);
db.pragma('busy_timeout = 1000');
let last = '';
const tick = (requested) => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    const log = r ? r.log : 0;
    const moved = r ? r.checkpointed : 0;
    // An idle WAL reports the same numbers every tick: only news (or an answer) wakes the server.
    const seen = log + ' ' + moved;
    if (requested || (log > 0 && seen !== last))
      parentPort.postMessage({ type: 'checkpoint', log, moved, requested });
    last = seen;
  } catch (e) {
    parentPort.postMessage({ type: requested ? 'checkpoint' : 'error', log: -1, moved: 0, requested, message: String(e && e.code || e) });
  }
};
const timer = setInterval(() => tick(false), workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'now') tick(true);
  if (m === 'stop') { clearInterval(timer); tick(false); db.close(); process.exit(0); }
});
`;

export interface WalCheckpointer {
  /** Runs a checkpoint now; resolves with the WAL's frames and how many are in the database file. */
  checkpointNow(): Promise<{ log: number; moved: number }>;
  stop(): Promise<void>;
}

export interface CheckpointerOptions {
  intervalMs: number;
  onCheckpoint?(walPages: number, moved: number): void;
  onError?(message: string): void;
  /** The worker stopped without being asked to. */
  onDead?(): void;
}

export function startWalCheckpointer(file: string, driverPath: string, o: CheckpointerOptions): WalCheckpointer {
  const worker = new Worker(workerSource, {
    eval: true,
    workerData: { file, driver: driverPath, intervalMs: o.intervalMs },
  });
  worker.unref();
  const waiting: ((r: { log: number; moved: number }) => void)[] = [];
  worker.on('message', (m: { type: string; log?: number; moved?: number; message?: string; requested?: boolean }) => {
    if (m.message) o.onError?.(m.message);
    if (m.type !== 'checkpoint') return;
    const r = { log: m.log ?? 0, moved: m.moved ?? 0 };
    if (r.log > 0) o.onCheckpoint?.(r.log, r.moved);
    if (m.requested) waiting.shift()?.(r);
  });
  let stopping = false;
  worker.on('error', (e) => o.onError?.(e.message));
  worker.on('exit', () => {
    for (const w of waiting.splice(0)) w({ log: -1, moved: 0 });
    if (!stopping) o.onDead?.();
  });
  return {
    checkpointNow: () =>
      new Promise((resolve) => {
        waiting.push(resolve);
        worker.postMessage('now');
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        stopping = true;
        const timer = setTimeout(() => void worker.terminate().then(() => resolve()), 2000);
        worker.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        worker.postMessage('stop');
      }),
  };
}
