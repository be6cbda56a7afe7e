import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openDatabase, type Db } from './database';
import { GroupCommitter } from './group-commit';

describe('GroupCommitter', () => {
  let db: Db | undefined;
  afterEach(async () => db?.close());

  const setup = async () => {
    db = await openDatabase('sqlite::memory:');
    await sql`create table t (id integer primary key, v text not null unique)`.execute(db.kysely);
    return db;
  };

  it('commits concurrent units in few transactions and settles each after its commit', async () => {
    const d = await setup();
    const batches: number[] = [];
    const gc = new GroupCommitter(d, { windowMs: 1, maxBatch: 8, onBatch: (n) => batches.push(n) });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        gc.run(async (trx) => {
          await sql`insert into t (v) values (${`v${i}`})`.execute(trx);
          return i;
        }),
      ),
    );
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(batches.reduce((a, b) => a + b, 0)).toBe(20);
    expect(batches.length).toBeLessThan(20);
    expect(Math.max(...batches)).toBeLessThanOrEqual(8);
    const rows = await sql<{ n: number }>`select count(*) as n from t`.execute(d.kysely);
    expect(rows.rows[0]?.n).toBe(20);
  });

  it('rolls back a failing unit alone', async () => {
    const d = await setup();
    const gc = new GroupCommitter(d, { windowMs: 2, maxBatch: 64 });
    const outcomes = await Promise.allSettled([
      gc.run((trx) => sql`insert into t (v) values ('a')`.execute(trx)),
      gc.run(async (trx) => {
        await sql`insert into t (v) values ('b')`.execute(trx);
        await sql`insert into t (v) values ('a')`.execute(trx);
      }),
      gc.run((trx) => sql`insert into t (v) values ('c')`.execute(trx)),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const rows = await sql<{ v: string }>`select v from t order by v`.execute(d.kysely);
    expect(rows.rows.map((r) => r.v)).toEqual(['a', 'c']);
  });

  it('drain waits for queued work', async () => {
    const d = await setup();
    const gc = new GroupCommitter(d, { windowMs: 5, maxBatch: 64 });
    let done = false;
    void gc.run((trx) => sql`insert into t (v) values ('x')`.execute(trx)).then(() => (done = true));
    await gc.drain();
    expect(done).toBe(true);
  });
});
