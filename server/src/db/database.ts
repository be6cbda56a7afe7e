/** The database layer: SQLite (WAL, synchronous=FULL) by default, PostgreSQL when DATABASE_URL says so. */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  Kysely,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  type LogEvent,
  type PostgresPool,
  type PostgresPoolClient,
  type SqliteDatabase,
} from 'kysely';
import type { Pool } from 'pg';
import type { Database } from './schema';
import { migrationProvider, ping, type DialectName } from './migrations';
import { startWalCheckpointer } from './wal-checkpointer';
import { AwaitingSqliteDialect, WalSync, syncAfterWrites, trackingStatements } from './sqlite-durability';

export type { DialectName };

export interface Db {
  kysely: Kysely<Database>;
  dialect: DialectName;
  /**
   * SQLite files: called by the group committer before each batch; when the WAL has grown long it
   * returns a promise to wait for (a checkpoint that catches up), so the batch restarts the WAL.
   */
  beforeGroupCommit?(): Promise<void> | undefined;
  /**
   * Whether the database answers, for /readyz: on PostgreSQL over a connection of its own, so a
   * pool saturated by check-ins (a busy instance, not a broken one) does not fail the probe.
   */
  ping(): Promise<void>;
  /** SQLite files: an online backup (SQLite's backup API) into `destination`, while writes go on. */
  backup?(destination: string): Promise<void>;
  close(): Promise<void>;
}

/** Called after every statement with its SQL text (never its parameters) and duration. */
export type QueryObserver = (sql: string, ms: number, failed: boolean) => void;

/** WAL pages (4 KiB) after which a commit checkpoints itself if the worker has fallen behind. */
const WAL_BACKSTOP_PAGES = 100_000;
/** WAL frames (4 KiB) beyond which the group committer brings the WAL back to its start. */
const WAL_RESTART_FRAMES = 4096;
/** SQLite's default automatic checkpoint, used again if the checkpoint worker dies. */
const WAL_DEFAULT_PAGES = 1000;

/**
 * The database holds personal data: its folder is created 0700 and the file 0600 before SQLite
 * opens it (an existing file is narrowed to 0600). SQLite gives its -wal and -shm files the
 * database file's mode; any left with a wider one are narrowed too.
 */
export function privateDatabaseFile(file: string): void {
  const resolved = path.resolve(file);
  fs.mkdirSync(path.dirname(resolved), { recursive: true, mode: 0o700 });
  fs.closeSync(fs.openSync(resolved, fs.constants.O_CREAT | fs.constants.O_RDWR, 0o600));
  for (const f of [resolved, `${resolved}-wal`, `${resolved}-shm`, `${resolved}-journal`])
    if (fs.existsSync(f) && (fs.statSync(f).mode & 0o077) !== 0) fs.chmodSync(f, 0o600);
}

export async function openDatabase(
  url: string,
  observe?: QueryObserver,
  options: {
    sqliteCacheMb: number;
    pgPoolMax: number;
    onWalSync?: (ms: number) => void;
    /** A checkpoint failed or its worker died (no personal data in the message). */
    onCheckpointProblem?: (message: string) => void;
  } = {
    sqliteCacheMb: 64,
    pgPoolMax: 10,
  },
): Promise<Db> {
  const log = observe
    ? (event: LogEvent) => observe(event.query.sql, event.queryDurationMillis, event.level === 'error')
    : undefined;
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    const { default: SQLite } = await import('better-sqlite3');
    if (file !== ':memory:') privateDatabaseFile(file);
    const raw = new SQLite(file);
    raw.pragma('journal_mode = WAL');
    raw.pragma('foreign_keys = ON');
    raw.pragma('busy_timeout = 5000');
    // The default 2 MiB page cache turns index inserts into page reads once the day's tables grow.
    raw.pragma(`cache_size = -${Math.round(options.sqliteCacheMb * 1024)}`);
    if (file === ':memory:') {
      const kysely = new Kysely<Database>({
        dialect: new SqliteDialect({ database: withStatementCache(raw) }),
        ...(log ? { log } : {}),
      });
      return { kysely, dialect: 'sqlite', ping: () => ping(kysely), close: () => kysely.destroy() };
    }
    // An acknowledged ticket has been shown or printed: it must survive a power cut. The COMMIT
    // writes the WAL and an fdatasync off the event loop makes it durable before anything settles
    // (sqlite-durability.ts): the guarantee of synchronous=FULL without its stall.
    raw.pragma('synchronous = NORMAL');
    const wal = new WalSync(`${path.resolve(file)}-wal`, undefined, options.onWalSync);
    const statements = trackingStatements(withStatementCache(raw));
    // Checkpoints run in a worker thread (see wal-checkpointer.ts); the automatic one is a backstop.
    raw.pragma(`wal_autocheckpoint = ${WAL_BACKSTOP_PAGES}`);
    let walFrames = 0;
    const checkpointer = startWalCheckpointer(
      path.resolve(file),
      createRequire(import.meta.url).resolve('better-sqlite3'),
      {
        intervalMs: 25,
        onCheckpoint: (frames) => {
          walFrames = frames;
        },
        ...(options.onCheckpointProblem ? { onError: options.onCheckpointProblem } : {}),
        onDead: () => {
          options.onCheckpointProblem?.('checkpoint worker stopped: commits checkpoint the WAL themselves again');
          if (raw.open) raw.pragma(`wal_autocheckpoint = ${WAL_DEFAULT_PAGES}`);
        },
      },
    );
    const beforeGroupCommit = () => {
      if (walFrames <= WAL_RESTART_FRAMES) return undefined;
      walFrames = 0;
      return checkpointer.checkpointNow().then(() => undefined);
    };
    const kysely = new Kysely<Database>({
      dialect: new AwaitingSqliteDialect({ database: statements }, syncAfterWrites(raw, statements.last, wal)),
      ...(log ? { log } : {}),
    });
    return {
      kysely,
      dialect: 'sqlite',
      beforeGroupCommit,
      ping: () => ping(kysely),
      backup: async (destination) => {
        await raw.backup(destination);
      },
      close: async () => {
        await checkpointer.stop();
        await kysely.destroy();
        wal.close();
      },
    };
  }
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: url, max: options.pgPoolMax });
  const kysely = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: withNamedStatements(pool) }),
    ...(log ? { log } : {}),
  });
  const probe = new pg.Pool({ connectionString: url, max: 1, idleTimeoutMillis: 60_000 });
  probe.on('error', () => undefined);
  return {
    kysely,
    dialect: 'postgres',
    ping: async () => {
      await probe.query('select 1');
    },
    close: async () => {
      await kysely.destroy();
      await probe.end();
    },
  };
}

/**
 * Kysely prepares every statement anew; SQL text repeats (parameters are bound), so prepared
 * statements are kept per text, up to a bound. Schema changes (migrations) clear the cache.
 */
function withStatementCache(raw: SqliteDatabase & { exec?: unknown }): SqliteDatabase {
  const cache = new Map<string, ReturnType<SqliteDatabase['prepare']>>();
  return {
    close: () => raw.close(),
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (!stmt) {
        stmt = raw.prepare(sql);
        if (/^\s*(create|alter|drop)\b/iu.test(sql)) cache.clear();
        else if (cache.size < 2000) cache.set(sql, stmt);
      }
      return stmt;
    },
  };
}

/**
 * PostgreSQL parses and plans every unnamed statement; naming the repeated ones (a bounded set
 * of SQL texts) lets each connection prepare them once. Schema changes happen only at start
 * (migrations run before any traffic).
 */
function withNamedStatements(pool: Pool): PostgresPool {
  const names = new Map<string, string>();
  const nameOf = (text: string): string | undefined => {
    if (!/^\s*(select|insert|update|delete|with)\b/iu.test(text)) return undefined;
    let name = names.get(text);
    if (!name && names.size < 1000) {
      name = `kiosk_${names.size}`;
      names.set(text, name);
    }
    return name;
  };
  return {
    async connect() {
      const client = await pool.connect();
      const query = (text: unknown, values?: readonly unknown[]) => {
        if (typeof text !== 'string') return client.query(text as never);
        const name = nameOf(text);
        return name
          ? client.query({ name, text, values: values as unknown[] })
          : client.query(text, values as unknown[]);
      };
      return { query: query as unknown as PostgresPoolClient['query'], release: () => client.release() };
    },
    end: () => pool.end(),
  };
}

export async function migrateToLatest(db: Db): Promise<void> {
  // Migrations are independent of one another's order beyond their names; a database that already
  // ran a later-numbered one (016 … 018 were made side by side) still takes an earlier new one.
  const migrator = new Migrator({
    db: db.kysely,
    provider: migrationProvider(db.dialect),
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`migration failed${failed ? ` at ${failed.migrationName}` : ''}: ${String(error)}`);
  }
}
