/**
 * Scheduled online backups of the SQLite database: SQLite's backup API (better-sqlite3's
 * `backup()`) copies a consistent snapshot while check-ins go on, into `BACKUP_DIR` as
 * `kiosk-<UTC time>.sqlite`, owner-only (0600 in a 0700 folder: the copy holds patients' data);
 * the newest `BACKUP_KEEP` are kept. A backup is written under a `.partial` name and renamed once
 * complete, so a file with the final name is always a whole database.
 * PostgreSQL is backed up by pg_dump and WAL archiving (deploy/README.md), not by the server.
 */
import fs from 'node:fs';
import path from 'node:path';
import { err, ok, type Result } from '@kiosk/protocol';
import type { Db } from '../db/database';
import type { Logger } from '../logger';
import type { Clock } from '../clock';

const NAME = /^kiosk-\d{8}T\d{6}(\d{3})?Z\.sqlite$/u;

export interface BackupDone {
  file: string;
  bytes: number;
  ms: number;
}

export interface BackupOptions {
  dir: string;
  keep: number;
  /** 0: only on request (`runNow`). */
  intervalMinutes: number;
  clock: Clock;
  log: Logger;
  /** After each attempt: its duration, and whether it succeeded. */
  onResult?: (ok: boolean, seconds: number, at: Date) => void;
}

export class SqliteBackups {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<Result<BackupDone>> | undefined;

  constructor(
    private readonly db: Db,
    private readonly o: BackupOptions,
  ) {}

  start(): void {
    if (this.o.intervalMinutes <= 0 || this.timer) return;
    this.timer = setInterval(() => void this.runNow(), this.o.intervalMinutes * 60_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Backs up now (a backup already running is waited for instead of starting another). */
  runNow(): Promise<Result<BackupDone>> {
    this.running ??= this.backup().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** The backups in the folder, oldest first. */
  list(): string[] {
    try {
      return fs
        .readdirSync(this.o.dir)
        .filter((f) => NAME.test(f))
        .sort()
        .map((f) => path.join(this.o.dir, f));
    } catch {
      return [];
    }
  }

  private async backup(): Promise<Result<BackupDone>> {
    const at = this.o.clock.now();
    const started = performance.now();
    const backup = this.db.backup;
    if (!backup) return err('backup-unsupported', 'this database is not a SQLite file');
    const stamp = at.toISOString().replace(/[-:]/gu, '').replace('.', '');
    const file = path.join(this.o.dir, `kiosk-${stamp}.sqlite`);
    const partial = `${file}.partial`;
    try {
      fs.mkdirSync(this.o.dir, { recursive: true, mode: 0o700 });
      // Created owner-only before SQLite writes a byte into it.
      fs.closeSync(fs.openSync(partial, 'w', 0o600));
      fs.chmodSync(partial, 0o600);
      await backup(partial);
      fs.renameSync(partial, file);
      const done = { file, bytes: fs.statSync(file).size, ms: performance.now() - started };
      this.prune();
      this.o.onResult?.(true, done.ms / 1000, at);
      this.o.log.info({ file: path.basename(file), bytes: done.bytes, ms: Math.round(done.ms) }, 'database backed up');
      return ok(done);
    } catch (e) {
      fs.rmSync(partial, { force: true });
      this.o.onResult?.(false, (performance.now() - started) / 1000, at);
      const message = e instanceof Error ? e.message.slice(0, 200) : 'backup failed';
      this.o.log.error({ err: message }, 'database backup failed');
      return err('backup-failed', message);
    }
  }

  private prune(): void {
    const all = this.list();
    for (const old of all.slice(0, Math.max(0, all.length - this.o.keep))) fs.rmSync(old, { force: true });
  }
}
