/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the COMMIT that
 * crosses the threshold: it copies the WAL into the database file and fsyncs it on the thread
 * that committed, which stalls every socket on this server for milliseconds. A worker thread with
 * its own connection runs PASSIVE checkpoints instead, every few tens of milliseconds so each one
 * is small (they never block writers or readers). The writing connection's own automatic
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
let busy = false;
let walFrames = 0;
const tick = () => {
  if (busy) return;
  busy = true;
  try {
    const mode = walFrames > workerData.restartFrames ? 'RESTART' : 'PASSIVE';
    const [r] = db.pragma('wal_checkpoint(' + mode + ')');
    walFrames = r ? r.log : 0;
    if (r && r.log > 0) parentPort.postMessage({ type: 'checkpoint', log: r.log, moved: r.checkpointed, mode });
  } catch (e) {
    parentPort.postMessage({ type: 'error', message: String(e && e.code || e) });
  } finally { busy = false; }
};
const timer = setInterval(tick, workerData.intervalMs);
parentPort.on('message', (m) => { if (m === 'stop') { clearInterval(timer); tick(); db.close(); process.exit(0); } });
`;

export interface WalCheckpointer {
  stop(): Promise<void>;
}

export interface CheckpointerOptions {
  intervalMs: number;
  /** WAL frames beyond which a RESTART checkpoint brings the WAL back to its start. */
  restartFrames?: number;
  onCheckpoint?(walPages: number, moved: number): void;
  onError?(message: string): void;
  /** The worker stopped without being asked to. */
  onDead?(): void;
}

export function startWalCheckpointer(file: string, driverPath: string, o: CheckpointerOptions): WalCheckpointer {
  const worker = new Worker(workerSource, {
    eval: true,
    workerData: { file, driver: driverPath, intervalMs: o.intervalMs, restartFrames: o.restartFrames ?? 4096 },
  });
  worker.unref();
  worker.on('message', (m: { type: string; log?: number; moved?: number; message?: string }) => {
    if (m.type === 'checkpoint') o.onCheckpoint?.(m.log ?? 0, m.moved ?? 0);
    else o.onError?.(m.message ?? 'checkpoint failed');
  });
  let stopping = false;
  worker.on('error', (e) => o.onError?.(e.message));
  worker.on('exit', () => {
    if (!stopping) o.onDead?.();
  });
  return {
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
