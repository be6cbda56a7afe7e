/**
 * Durable commits without blocking the event loop. With `synchronous=FULL` SQLite fsyncs the WAL
 * inside every COMMIT, on the thread that committed: the whole server stalls for each fsync. Here
 * the connection runs `synchronous=NORMAL` (the COMMIT only writes the WAL) and every statement
 * that ends a write — a COMMIT, or a write outside a transaction — is followed by an fdatasync of
 * the WAL file on libuv's thread pool before its promise settles. The guarantee is the same as
 * FULL: nothing is reported done until its WAL frames are on stable storage (a checkpoint syncs
 * the WAL before copying it, so frames that move to the database file stay durable). Concurrent
 * requests share one fdatasync when they can; a request made while one is in flight waits for the
 * next, because the running one may have started before its frames were written.
 */
import fs from 'node:fs';
import { promisify } from 'node:util';
import {
  SqliteDialect,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  type SqliteDatabase,
  type SqliteDialectConfig,
  type SqliteStatement,
} from 'kysely';

const fdatasync = promisify(fs.fdatasync);

export class WalSync {
  private fd: number | undefined;
  private running: Promise<void> | undefined;
  private next: Promise<void> | undefined;
  /** Completed fdatasync calls (metrics, tests). */
  syncs = 0;

  constructor(
    private readonly walPath: string,
    private readonly syncFd: (fd: number) => Promise<void> = fdatasync,
    /** After each fdatasync, its duration: a slow disk shows here first. */
    private readonly onSynced?: (ms: number) => void,
  ) {}

  sync(): Promise<void> {
    if (!this.running) {
      this.running = this.once().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    this.next ??= this.running.then(
      () => this.afterRunning(),
      () => this.afterRunning(),
    );
    return this.next;
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private afterRunning(): Promise<void> {
    this.next = undefined;
    return this.sync();
  }

  private async once(): Promise<void> {
    // The WAL exists from the first write on; it is opened once, for syncing only.
    this.fd ??= fs.openSync(this.walPath, 'r');
    const started = performance.now();
    await this.syncFd(this.fd);
    this.syncs++;
    this.onSynced?.(performance.now() - started);
  }
}

/** Remembers the last statement prepared, so the connection knows whether it wrote. */
export function trackingStatements(database: SqliteDatabase): SqliteDatabase & { last(): SqliteStatement | undefined } {
  let last: SqliteStatement | undefined;
  return {
    close: () => database.close(),
    prepare(sql: string) {
      last = database.prepare(sql);
      return last;
    },
    last: () => last,
  };
}

/**
 * The SQLite dialect with `afterStatement` awaited after every statement on the connection,
 * including the BEGIN/COMMIT/ROLLBACK Kysely issues itself.
 */
export class AwaitingSqliteDialect extends SqliteDialect {
  constructor(
    config: SqliteDialectConfig,
    private readonly afterStatement: () => Promise<void> | undefined,
  ) {
    super(config);
  }

  override createDriver(): Driver {
    const inner = super.createDriver();
    const wrapped = new WeakMap<DatabaseConnection, DatabaseConnection>();
    const after = this.afterStatement;
    const wrap = (c: DatabaseConnection): DatabaseConnection => {
      let w = wrapped.get(c);
      if (!w) {
        w = {
          async executeQuery<R>(q: Parameters<DatabaseConnection['executeQuery']>[0]): Promise<QueryResult<R>> {
            const result = await c.executeQuery<R>(q);
            await after();
            return result;
          },
          streamQuery: (q, chunkSize) => c.streamQuery(q, chunkSize),
        };
        wrapped.set(c, w);
      }
      return w;
    };
    return {
      init: () => inner.init(),
      acquireConnection: async () => wrap(await inner.acquireConnection()),
      beginTransaction: (c, settings) => inner.beginTransaction(c, settings),
      commitTransaction: (c) => inner.commitTransaction(c),
      rollbackTransaction: (c) => inner.rollbackTransaction(c),
      ...(inner.savepoint ? { savepoint: inner.savepoint.bind(inner) } : {}),
      ...(inner.rollbackToSavepoint ? { rollbackToSavepoint: inner.rollbackToSavepoint.bind(inner) } : {}),
      ...(inner.releaseSavepoint ? { releaseSavepoint: inner.releaseSavepoint.bind(inner) } : {}),
      releaseConnection: (c) => inner.releaseConnection(c),
      destroy: () => inner.destroy(),
    };
  }
}

/**
 * After a statement: when it wrote, the connection is dirty; when a dirty connection is outside
 * a transaction (the write autocommitted, or a COMMIT/ROLLBACK just ran), the WAL is synced.
 */
export function syncAfterWrites(
  raw: { readonly inTransaction: boolean },
  last: () => SqliteStatement | undefined,
  wal: WalSync,
): () => Promise<void> | undefined {
  let dirty = false;
  return () => {
    const stmt = last() as (SqliteStatement & { readonly?: boolean }) | undefined;
    if (stmt && stmt.readonly === false) dirty = true;
    if (!dirty || raw.inTransaction) return undefined;
    dirty = false;
    return wal.sync();
  };
}
