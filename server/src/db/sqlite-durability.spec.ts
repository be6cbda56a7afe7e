import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { AwaitingSqliteDialect, WalSync, syncAfterWrites, trackingStatements } from './sqlite-durability';
import { startWalCheckpointer } from './wal-checkpointer';
import { openDatabase } from './database';
import { GroupCommitter } from './group-commit';

interface Row {
  id: number;
  v: string;
}

/** A database whose WAL syncs are recorded and released by the test. */
function harness() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-durability-'));
  const file = path.join(dir, 'db.sqlite');
  const raw = new SQLite(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.exec('create table t (id integer primary key, v text not null)');
  const events: string[] = [];
  const pending: (() => void)[] = [];
  const fds: number[] = [];
  const wal = new WalSync(`${file}-wal`, (fd) => {
    fds.push(fd);
    events.push('sync-start');
    return new Promise<void>((resolve) =>
      pending.push(() => {
        events.push('sync-done');
        resolve();
      }),
    );
  });
  const statements = trackingStatements(raw);
  const db = new Kysely<{ t: Row }>({
    dialect: new AwaitingSqliteDialect({ database: statements }, syncAfterWrites(raw, statements.last, wal)),
  });
  const release = async () => {
    while (pending.length === 0) await new Promise((r) => setImmediate(r));
    pending.shift()?.();
  };
  return { dir, file, db, wal, events, pending, fds, release };
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('durable commits off the event loop', () => {
  it('an autocommitted write settles only after the WAL file is synced', async () => {
    const h = harness();
    dirs.push(h.dir);
    const insert = h.db
      .insertInto('t')
      .values({ id: 1, v: 'a' })
      .execute()
      .then(() => h.events.push('insert-settled'));
    await h.release();
    await insert;
    expect(h.events).toEqual(['sync-start', 'sync-done', 'insert-settled']);
    expect(fs.fstatSync(h.fds[0] ?? -1).ino).toBe(fs.statSync(`${h.file}-wal`).ino);
    await h.db.destroy();
    h.wal.close();
  });

  it('a transaction syncs once, at its COMMIT; reads never sync', async () => {
    const h = harness();
    dirs.push(h.dir);
    const tx = h.db.transaction().execute(async (trx) => {
      for (let i = 0; i < 5; i++)
        await trx
          .insertInto('t')
          .values({ id: i, v: `v${i}` })
          .execute();
      await trx.selectFrom('t').selectAll().execute();
      h.events.push('body-done');
    });
    await h.release();
    await tx;
    h.events.push('tx-settled');
    await h.db.selectFrom('t').selectAll().execute();
    await sql`select count(*) from t`.execute(h.db);
    expect(h.events).toEqual(['body-done', 'sync-start', 'sync-done', 'tx-settled']);
    expect(h.wal.syncs).toBe(1);
    await h.db.destroy();
    h.wal.close();
  });

  it('a write made while a sync is running waits for the next one; waiting writes share it', async () => {
    const h = harness();
    dirs.push(h.dir);
    const settled: number[] = [];
    const first = h.db
      .insertInto('t')
      .values({ id: 1, v: 'a' })
      .execute()
      .then(() => settled.push(1));
    while (h.pending.length === 0) await new Promise((r) => setImmediate(r));
    // The first sync is in flight: these two may have written after it started.
    const second = h.wal.sync().then(() => settled.push(2));
    const third = h.wal.sync().then(() => settled.push(3));
    await h.release();
    await first;
    expect(settled).toEqual([1]);
    await h.release();
    await Promise.all([second, third]);
    expect(settled).toEqual([1, 2, 3]);
    expect(h.wal.syncs).toBe(2);
    await h.db.destroy();
    h.wal.close();
  });

  it('committed rows are in the file for a new connection', async () => {
    const h = harness();
    dirs.push(h.dir);
    const w = h.db.insertInto('t').values({ id: 7, v: 'kept' }).execute();
    await h.release();
    await w;
    const other = new SQLite(h.file, { readonly: true });
    expect(other.prepare('select v from t where id = 7').get()).toEqual({ v: 'kept' });
    other.close();
    await h.db.destroy();
    h.wal.close();
  });
});

describe('WAL checkpoints in a worker thread', () => {
  it('moves the WAL into the database file while the writer keeps writing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-checkpoint-'));
    dirs.push(dir);
    const file = path.join(dir, 'db.sqlite');
    const raw = new SQLite(file);
    raw.pragma('journal_mode = WAL');
    raw.pragma('wal_autocheckpoint = 0');
    raw.exec('create table t (id integer primary key, v blob not null)');
    const moved: number[] = [];
    const cp = startWalCheckpointer(file, require.resolve('better-sqlite3'), {
      intervalMs: 10,
      onCheckpoint: (_log, n) => moved.push(n),
    });
    const insert = raw.prepare('insert into t (v) values (?)');
    for (let i = 0; i < 200; i++) {
      insert.run(Buffer.alloc(8192, i));
      if (i % 20 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => setTimeout(r, 100));
    await cp.stop();
    expect(moved.reduce((a, b) => a + b, 0)).toBeGreaterThan(400);
    raw.close();
  });
});

describe('the WAL under steady load', () => {
  it('comes back to its start: the group committer pauses for a checkpoint that catches up', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-walrestart-'));
    dirs.push(dir);
    const file = path.join(dir, 'db.sqlite');
    const db = await openDatabase(`sqlite:${file}`);
    await sql`create table t (id integer primary key, v blob not null)`.execute(db.kysely);
    const committer = new GroupCommitter(db, {
      windowMs: 0,
      maxBatch: 64,
      ...(db.beforeGroupCommit ? { beforeBatch: db.beforeGroupCommit } : {}),
    });
    const row = Buffer.alloc(2048, 7);
    let written = 0;
    // 32 writers, never idle: 15,000 rows of 2 KiB, about 8,000 WAL frames of data alone.
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (written < 15_000) {
          written++;
          await committer.run((trx) => sql`insert into t (v) values (${row})`.execute(trx));
        }
      }),
    );
    const walMiB = fs.statSync(`${file}-wal`).size / 2 ** 20;
    await db.close();
    // Without the restart the WAL holds every frame written (> 30 MiB); with it, about 4,096 frames.
    expect(walMiB).toBeLessThan(24);
  }, 60_000);
});
