/**
 * Group commit: units of work that arrive together share one transaction and so one durable
 * commit (one fsync on SQLite with synchronous=FULL). A batch closes after `windowMs` or at
 * `maxBatch` units, or at once when the previous batch is still committing (the units queued
 * meanwhile have already waited). A zero window closes it after the current event-loop turn. Each unit runs in its own savepoint: a unit that throws is
 * rolled back alone and rejects alone. No unit's promise settles before the COMMIT has returned,
 * so an acknowledgement always follows durability.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema';
import type { Db } from './database';

export type UnitOfWork<T> = (db: Kysely<Database>) => Promise<T>;

export interface Committer {
  run<T>(work: UnitOfWork<T>): Promise<T>;
  /** Waits for queued work to commit. */
  drain(): Promise<void>;
}

/** One transaction per unit. */
export const directCommitter = (db: Db): Committer => ({
  run: (work) => db.kysely.transaction().execute((trx) => work(trx)),
  drain: async () => undefined,
});

interface Pending {
  work: UnitOfWork<unknown>;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

export interface GroupCommitOptions {
  windowMs: number;
  maxBatch: number;
  /** After each commit: how many units it carried and how long the transaction took. */
  onBatch?: (size: number, ms: number) => void;
  /** Before a batch begins: a promise to wait for first (the database's own upkeep), or nothing. */
  beforeBatch?: () => Promise<void> | undefined;
}

export class GroupCommitter implements Committer {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly db: Db,
    private readonly options: GroupCommitOptions,
  ) {}

  run<T>(work: UnitOfWork<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
      this.schedule();
    });
  }

  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.running) {
      if (!this.running) this.flush();
      await this.running;
    }
  }

  private schedule(): void {
    if (this.running) return;
    if (this.queue.length >= this.options.maxBatch) {
      this.flush();
      return;
    }
    // A zero window closes the batch after the current turn of the event loop.
    this.timer ??=
      this.options.windowMs > 0
        ? setTimeout(() => this.flush(), this.options.windowMs)
        : setImmediate(() => this.flush());
  }

  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
    }
    this.timer = undefined;
    if (this.running || this.queue.length === 0) return;
    const pause = this.options.beforeBatch?.();
    const take = async () => {
      const batch = this.queue.splice(0, this.options.maxBatch);
      if (batch.length > 0) await this.commit(batch);
    };
    // Units that arrive during a pause join the batch that follows it.
    this.running = (pause ? pause.catch(() => undefined).then(take) : take()).finally(() => {
      this.running = undefined;
      if (this.queue.length > 0) this.flush();
    });
  }

  private async commit(batch: Pending[]): Promise<void> {
    const started = performance.now();
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    const begin = this.db.dialect === 'sqlite' ? sql`begin immediate` : sql`begin`;
    try {
      await this.db.kysely.connection().execute(async (conn) => {
        await begin.execute(conn);
        try {
          for (const item of batch) {
            await sql`savepoint unit`.execute(conn);
            try {
              outcomes.push({ ok: true, value: await item.work(conn) });
              await sql`release savepoint unit`.execute(conn);
            } catch (error) {
              await sql`rollback to savepoint unit`.execute(conn);
              await sql`release savepoint unit`.execute(conn);
              outcomes.push({ ok: false, error });
            }
          }
          await sql`commit`.execute(conn);
        } catch (e) {
          await sql`rollback`.execute(conn).catch(() => undefined);
          throw e;
        }
      });
    } catch (e) {
      for (const item of batch) item.reject(e);
      return;
    }
    this.options.onBatch?.(batch.length, performance.now() - started);
    batch.forEach((item, i) => {
      const o = outcomes[i];
      if (o?.ok) item.resolve(o.value);
      else item.reject(o ? o.error : new Error('group-commit-lost-unit'));
    });
  }
}
