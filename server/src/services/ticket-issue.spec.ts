import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { migrateToLatest, openDatabase, type Db } from '../db/database';
import { directCommitter, type Committer } from '../db/group-commit';
import { createRepositories, type Repositories } from '../repositories';
import type * as RowId from '../db/row-id';

// Every "random" byte is zero: two codes of the same minute are the same.
vi.mock('../db/row-id', async (original) => ({
  ...(await original<typeof RowId>()),
  pooledRandomBytes: (n: number) => Buffer.alloc(n),
}));

const { TicketCodeTaken, issueTicket, lookupCode } = await import('./ticket-issue');

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
  let repos: Repositories;
  let transactions: Committer;
  const at = '2026-11-22T01:00:00.000Z';
  beforeAll(async () => {
    db = await openDatabase('sqlite::memory:');
    await migrateToLatest(db);
    repos = createRepositories(db);
    transactions = directCommitter(db);
    // A visit for the tickets to belong to (the schema's foreign keys hold).
    await repos.catalogue.upsertDepartment({ id: 'nhi', name_vi: 'Khoa Nhi', name_en: 'Paediatrics' });
    await repos.catalogue.insertService({
      id: 'nhi-khoa',
      department_id: 'nhi',
      prefix: 'B',
      name_vi: 'Khám Nhi',
      name_en: 'Children',
      room: '205',
      floor: 2,
      sort: 0,
      active: 1,
    });
    await transactions.run(async (trx) => {
      await repos.patients.insert(trx, {
        id: 'p1',
        id_number: null,
        old_id_number: null,
        insurance_number: null,
        full_name: 'Test',
        date_of_birth: '2020-01-01',
        sex: null,
        address: null,
        needs_review: 1,
        created_at: at,
        updated_at: at,
      });
      await repos.visits.insert(trx, {
        id: 'v1',
        check_in_id: 'c1',
        patient_id: 'p1',
        service_id: 'nhi-khoa',
        agent_id: null,
        identity_source: 'manual',
        service_type: 'fee-paying',
        priority: 'normal',
        priority_claims: '[]',
        receipt_json: '{}',
        created_at: at,
      });
    });
  });
  afterAll(() => db.close());

  it('numbers the series and refuses a lookup code already taken, so the unit runs again', async () => {
    const t = {
      visitId: 'v1',
      service: { id: 'nhi-khoa', prefix: 'B' },
      day: '2026-11-22',
      priority: 'normal',
      at,
      actor: null,
    } as const;
    const first = await transactions.run((trx) => issueTicket(repos.tickets, trx, { ...t, id: 't1' }));
    expect(first.number).toBe('B001');
    // Same minute, same (zero) random part: the code is taken.
    await expect(transactions.run((trx) => issueTicket(repos.tickets, trx, { ...t, id: 't2' }))).rejects.toBeInstanceOf(
      TicketCodeTaken,
    );
    // The refused unit left nothing behind: no event of its ticket, and the next number is still 2.
    expect((await repos.tickets.eventsOf(['t1', 't2'])).map((e) => e.ticket_id)).toEqual(['t1']);
    const later = { ...t, id: 't3', at: '2026-11-22T01:01:00.000Z' };
    const third = await transactions.run((trx) => issueTicket(repos.tickets, trx, later));
    expect(third.number).toBe('B002');
    expect((await repos.tickets.ofVisit('v1')).map((x) => x.id)).toEqual(['t1', 't3']);
  });
});
