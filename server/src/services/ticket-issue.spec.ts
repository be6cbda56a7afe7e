import { sql } from 'kysely';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { migrateToLatest, openDatabase, type Db } from '../db/database';
import type * as RowId from '../db/row-id';

// Every "random" byte is zero: two codes of the same minute are the same.
vi.mock('../db/row-id', async (original) => ({
  ...(await original<typeof RowId>()),
  pooledRandomBytes: (n: number) => Buffer.alloc(n),
}));

const { TicketCodeTaken, issueTicket, lookupCode } = await import('./queue.service');

describe('ticket lookup codes', () => {
  it('are 12 characters whose first four sort by the minute', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 32 ** 4 - 2 }), fc.integer({ min: 1, max: 60 }), (minute, later) => {
        const base = 1_700_000_000_000 - ((1_700_000_000_000 / 60_000) % 32 ** 4) * 60_000;
        const a = lookupCode(base + minute * 60_000);
        const b = lookupCode(base + Math.min(minute + later, 32 ** 4 - 1) * 60_000 + 59_999);
        expect(a).toMatch(/^[A-Z0-9]{12}$/u);
        expect(a.slice(0, 4) <= b.slice(0, 4)).toBe(true);
      }),
    );
  });
});

describe('issueTicket', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openDatabase('sqlite::memory:');
    await migrateToLatest(db);
    await sql`pragma foreign_keys = off`.execute(db.kysely);
  });
  afterAll(() => db.close());

  it('numbers the series and refuses a lookup code already taken, so the unit runs again', async () => {
    const t = {
      visitId: 'v1',
      service: { id: 'nhi-khoa', prefix: 'B' },
      day: '2026-11-22',
      priority: 'normal',
      at: '2026-11-22T01:00:00.000Z',
      actor: null,
    } as const;
    const first = await db.kysely.transaction().execute((trx) => issueTicket(trx, t));
    expect(first.number).toBe('B001');
    // Same minute, same (zero) random part: the code is taken.
    await expect(db.kysely.transaction().execute((trx) => issueTicket(trx, t))).rejects.toBeInstanceOf(TicketCodeTaken);
    // The refused unit left nothing behind: the next number is still 2.
    const events = await db.kysely.selectFrom('ticket_events').select('ticket_id').execute();
    expect(events).toHaveLength(1);
    const series = await db.kysely.selectFrom('ticket_series').select('last_seq').executeTakeFirstOrThrow();
    expect(Number(series.last_seq)).toBe(1);
  });
});
