import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type Db } from '../db/database';
import { insertRow, prepare, type InsertTail } from './prepared';

let db: Db;
beforeAll(async () => {
  db = await openDatabase('sqlite::memory:');
  await migrateToLatest(db);
});
afterAll(async () => {
  await db.close();
});

const settingOf = prepare((k, a: { key: string }) => k.selectFrom('settings').select('value').where('key', '=', a.key));
const keepFirst: InsertTail = { name: 'keep-first', finish: (q) => q.onConflict((oc) => oc.column('key').doNothing()) };
const replaced: InsertTail = {
  name: 'replaced',
  finish: (q) =>
    q.onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ value: eb.ref('excluded.value') }))).returning('key'),
};

describe('prepared statements', () => {
  it('run with each call’s values, compiled once', async () => {
    await insertRow(db.kysely, 'settings', { key: 'prep.a', value: 'one', updated_at: 'now' });
    await insertRow(db.kysely, 'settings', { key: 'prep.b', value: 'two', updated_at: 'now' });
    expect(await settingOf(db.kysely, { key: 'prep.a' })).toEqual([{ value: 'one' }]);
    expect(await settingOf(db.kysely, { key: 'prep.b' })).toEqual([{ value: 'two' }]);
    expect(await settingOf(db.kysely, { key: 'prep.none' })).toEqual([]);
  });

  it('count what a conflict clause skipped, and return what the tail asks', async () => {
    expect(
      (await insertRow(db.kysely, 'settings', { key: 'prep.c', value: 'first', updated_at: 'now' }, keepFirst)).count,
    ).toBe(1);
    expect(
      (await insertRow(db.kysely, 'settings', { key: 'prep.c', value: 'second', updated_at: 'now' }, keepFirst)).count,
    ).toBe(0);
    expect(await settingOf(db.kysely, { key: 'prep.c' })).toEqual([{ value: 'first' }]);
    const { rows } = await insertRow(
      db.kysely,
      'settings',
      { key: 'prep.c', value: 'third', updated_at: 'now' },
      replaced,
    );
    expect(rows).toEqual([{ key: 'prep.c' }]);
    expect(await settingOf(db.kysely, { key: 'prep.c' })).toEqual([{ value: 'third' }]);
  });

  it('take part in the caller’s transaction (rolled back with it)', async () => {
    await db.kysely
      .transaction()
      .execute(async (trx) => {
        await insertRow(trx, 'settings', { key: 'prep.t', value: 'inside', updated_at: 'now' });
        expect(await settingOf(trx, { key: 'prep.t' })).toEqual([{ value: 'inside' }]);
        throw new Error('roll back');
      })
      .catch(() => undefined);
    expect(await settingOf(db.kysely, { key: 'prep.t' })).toEqual([]);
  });

  it('compile a row carrying an expression on the spot', async () => {
    await insertRow(db.kysely, 'settings', { key: 'prep.e', value: sql<string>`'x' || 'y'`, updated_at: 'now' });
    expect(await settingOf(db.kysely, { key: 'prep.e' })).toEqual([{ value: 'xy' }]);
  });

  it('store any row as the ordinary builder does, whichever columns it carries (property)', async () => {
    const text = fc.option(fc.string({ maxLength: 20 }), { nil: null });
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        text,
        fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
        fc.integer({ min: -5, max: 5 }),
        async (detail, actor, skew) => {
          n++;
          const base = { type: 'issued', at: `2026-12-04T03:00:${String(n % 60).padStart(2, '0')}.000Z`, detail };
          const mine = { ...base, ticket_id: `prep-${n}`, actor: actor ?? null };
          const theirs = { ...base, ticket_id: `plain-${n}`, actor: actor ?? null };
          // A column left undefined is not inserted (the builder's rule); the order of keys varies.
          const row = skew > 0 ? mine : { ...mine, actor: undefined, ...(skew < 0 ? { detail } : {}) };
          await insertRow(db.kysely, 'ticket_events', row);
          await db.kysely
            .insertInto('ticket_events')
            .values({ ...row, ticket_id: theirs.ticket_id })
            .execute();
          const read = (id: string) =>
            db.kysely
              .selectFrom('ticket_events')
              .select(['type', 'at', 'actor', 'detail'])
              .where('ticket_id', '=', id)
              .executeTakeFirstOrThrow();
          expect(await read(mine.ticket_id)).toEqual(await read(theirs.ticket_id));
        },
      ),
      { numRuns: 200 },
    );
  });
});
