/**
 * Statements built and compiled once. The query builder makes a fresh tree of frozen nodes and
 * compiles it to SQL on every call; on the check-in path that costs about as much CPU as running
 * the statements in SQLite. A prepared statement is built once per database with a slot where each
 * value goes, compiled, and then run with the call's values put in the slots' places. Its SQL text
 * is the same on every call, so the database's own statement cache (db/database.ts) applies too.
 *
 * Only values may vary between calls: a statement whose shape depends on the arguments (an `in`
 * list of varying length, a column present or not) is built the ordinary way.
 */
import type { CompiledQuery, Compilable, InsertObject, InsertQueryBuilder, InsertResult } from 'kysely';
import type { Database } from '../db/schema';
import type { Executor } from './executor';

/** Where one argument's value goes in a compiled statement. */
class Slot {
  constructor(readonly key: string) {}
}

type Compiled = CompiledQuery<unknown>;

/** One compiled form per database (the dialect decides the SQL); transactions share their database's. */
function compiledFor(cache: WeakMap<object, Compiled>, db: Executor, build: () => Compiled): Compiled {
  const key = db.getExecutor().adapter;
  let compiled = cache.get(key);
  if (!compiled) {
    compiled = build();
    cache.set(key, compiled);
  }
  return compiled;
}

function withValues(compiled: Compiled, values: Readonly<Record<string, unknown>>): Compiled {
  const parameters = compiled.parameters.map((p) => (p instanceof Slot ? values[p.key] : p));
  return { ...compiled, parameters };
}

/**
 * A statement built once: `build` receives the arguments as slots (typed as the values they stand
 * for) and returns the query; the returned function runs it with real arguments.
 */
export function prepare<A extends Record<string, unknown>, O>(
  build: (db: Executor, args: A) => Compilable<O>,
): (db: Executor, args: A) => Promise<O[]> {
  const cache = new WeakMap<object, Compiled>();
  const slots = new Proxy({} as A, { get: (_, key) => new Slot(String(key)) });
  return async (db, args) => {
    const compiled = compiledFor(cache, db, () => build(db, slots).compile());
    const result = await db.executeQuery<O>(withValues(compiled, args) as CompiledQuery<O>);
    return result.rows;
  };
}

const insertCache = new Map<string, WeakMap<object, Compiled>>();

/** A value the builder would turn into SQL of its own (an expression), not a bound parameter. */
const isPlainValue = (v: unknown): boolean =>
  v === null || typeof v !== 'object' || v instanceof Uint8Array || v instanceof Date;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any table's insert
type AnyInsert = InsertQueryBuilder<Database, any, InsertResult>;

/** What follows an insert's values (a conflict clause, returning), named for the cache. */
export interface InsertTail {
  name: string;
  finish: (query: AnyInsert) => Compilable<unknown>;
}

/**
 * Inserts one row, the statement compiled once per table, set of columns (the row's keys holding a
 * value, in order) and tail. A row carrying an expression is compiled on the spot.
 * `count` is how many rows were stored (0 when a conflict clause skipped it).
 */
export async function insertRow<T extends keyof Database & string, O = Record<string, unknown>>(
  db: Executor,
  table: T,
  row: InsertObject<Database, T>,
  tail?: InsertTail,
): Promise<{ rows: O[]; count: number }> {
  const values = row as Record<string, unknown>;
  const columns = Object.keys(values).filter((k) => values[k] !== undefined);
  const build = (inserted: InsertObject<Database, T>) => {
    const query = db.insertInto(table).values(inserted) as AnyInsert;
    return (tail ? tail.finish(query) : query).compile() as Compiled;
  };
  let compiled: Compiled;
  if (columns.every((c) => isPlainValue(values[c]))) {
    const key = `${table}|${columns.join(',')}|${tail?.name ?? ''}`;
    let cache = insertCache.get(key);
    if (!cache) {
      cache = new WeakMap();
      insertCache.set(key, cache);
    }
    const slots = () => Object.fromEntries(columns.map((c) => [c, new Slot(c)])) as InsertObject<Database, T>;
    compiled = withValues(
      compiledFor(cache, db, () => build(slots())),
      values,
    );
  } else {
    compiled = build(row);
  }
  const result = await db.executeQuery<O>(compiled as CompiledQuery<O>);
  return { rows: result.rows, count: Number(result.numAffectedRows ?? 0) };
}
