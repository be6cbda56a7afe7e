import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { CompiledQuery, Kysely } from 'kysely';
import type { Db } from '../db/database';
import type { Database } from '../db/schema';
import { CheckInRepository, classifyFailure, newPendingTokens, type CheckInStatement } from './checkin.repository';
import { placeAtIssue } from './ticket.repository';
import type { TicketPlaceCounts } from './ticket-status.repository';

/** A Db whose only use here is executeQuery: it records the statement and answers one row. */
function recordingDb(): { db: Db; seen: CompiledQuery[] } {
  const seen: CompiledQuery[] = [];
  const kysely = {
    executeQuery: async (q: CompiledQuery) => {
      seen.push(q);
      return { rows: [{ seq: 7, number: 'B007', patient_id: 'p-1' }] };
    },
  } as unknown as Kysely<Database>;
  return { db: { kysely, dialect: 'postgres', ping: async () => undefined, close: async () => undefined }, seen };
}

const statementOf = (name: string, idNumber: string, withExtras: boolean): CheckInStatement => {
  const tokens = newPendingTokens();
  const at = '2026-12-04T03:00:00.000Z';
  return {
    tokens,
    patient: {
      id: 'p-new',
      id_number: idNumber,
      old_id_number: null,
      insurance_number: null,
      full_name: name,
      date_of_birth: '1980-01-01',
      sex: null,
      address: null,
      needs_review: 0,
      created_at: at,
      updated_at: at,
    },
    match: 'id-number',
    consent: {
      patient_id: tokens.patientId,
      visit_id: 'v-1',
      kind: 'given',
      purpose: 'check-in',
      notice_version: '2026-01',
      at,
      actor: null,
    },
    event: { ticket_id: 't-1', type: 'issued', at, actor: null, detail: null },
    series: { serviceId: 'nhi-khoa', day: '2026-12-04', prefix: 'B' },
    visit: {
      id: 'v-1',
      check_in_id: 'c-1',
      patient_id: tokens.patientId,
      service_id: 'nhi-khoa',
      agent_id: null,
      identity_source: 'cccd-qr',
      service_type: 'fee-paying',
      priority: 'normal',
      priority_claims: '[]',
      receipt_json: JSON.stringify({ ticket: { number: tokens.number, maskedName: name } }),
      created_at: at,
    },
    ticket: {
      id: 't-1',
      visit_id: 'v-1',
      service_id: 'nhi-khoa',
      day: '2026-12-04',
      number: tokens.number,
      priority: 'normal',
      status: 'waiting',
      print_status: 'pending',
      lookup_code: 'ABCDEFGHJKLM',
      issued_at: at,
      called_at: null,
      counter: null,
      skip_count: 0,
      completed_at: null,
      transferred_from: null,
      transferred_to: null,
    },
    ...(withExtras
      ? {
          record: {
            row: {
              visit_id: 'v-1',
              ma_lk: tokens.visitNumber,
              ma_bn: tokens.patientId,
              ho_ten: name,
              so_cccd: idNumber,
              ngay_sinh: '19800101',
              gioi_tinh: 3,
              ma_the_bhyt: null,
              ma_dkbd: null,
              gt_the_tu: null,
              gt_the_den: null,
              ma_doituong_kcb: '3',
              ngay_vao: '202612041000',
              ma_loai_kcb: '01',
              ma_cskcb: '92012',
              ma_dich_vu: 'nhi-khoa',
              ten_dich_vu: 'Nhi khoa',
              ngay_yl: '202612041000',
              checked_in_at: at,
            },
            visitNumbers: {
              first: `92012-20261204-${tokens.number}`,
              otherwise: `92012-20261204-${tokens.number}-nhi`,
            },
          },
        }
      : {}),
  };
};

describe('the one-statement check-in', () => {
  it('writes the same SQL text for every check-in of a shape (one prepared statement), values only as parameters', async () => {
    const { db, seen } = recordingDb();
    const repo = new CheckInRepository(db);
    await fc.assert(
      fc.asyncProperty(fc.string(), fc.stringMatching(/^\d{12}$/u), async (name, idNumber) => {
        seen.length = 0;
        const first = statementOf(name, idNumber, true);
        const second = statementOf('Nguyễn Thị Lan', '079123456789', true);
        expect(await repo.storeAtOnce(first)).toEqual({ seq: 7, number: 'B007', patientId: 'p-1' });
        await repo.storeAtOnce(second);
        const [a, b] = seen;
        expect(a?.sql).toBe(b?.sql);
        expect(a?.parameters.length).toBe(b?.parameters.length);
        // Nothing of a patient, and no token, is ever part of the text.
        for (const s of [first, second])
          for (const v of [s.tokens.number, s.tokens.patientId, s.tokens.visitNumber, 'Nguyễn'])
            expect(a?.sql.includes(v)).toBe(false);
        expect(a?.parameters).toContain(name);
      }),
      { numRuns: 50 },
    );
  });

  it('replaces tokens inside values in SQL and takes computed values directly', async () => {
    const { db, seen } = recordingDb();
    await new CheckInRepository(db).storeAtOnce(statementOf('A B', '079000000001', true));
    const text = seen[0]?.sql ?? '';
    // First the guard on the patient matched, then the patient.
    expect(text).toMatch(
      /^with g as \(select case when exists \(select 1 from patients where id_number = (\$\d+) and not \(/u,
    );
    expect(text).toContain('then kiosk_identity_differs() else true end as same)');
    expect(text).toMatch(/\np as \(insert into patients/u);
    // The receipt carries the number inside a JSON text: replaced there.
    expect(text).toMatch(/replace\(\$\d+, \$\d+, \(select number from k\)\)/u);
    // The ticket's number and seq, the consent's patient, the record's visit number: the statement's own.
    expect(text).toContain('(select seq from k)');
    expect(text).toContain('(select patient_id from k)');
    expect(text).toContain('(select ma_lk from vn)');
  });

  it('classifies PostgreSQL failures: a replay, a unit to run again, an identity to compare, anything else', () => {
    expect(classifyFailure({ code: '23505', constraint: 'visits_check_in_id_key' })).toBe('replay');
    expect(classifyFailure({ code: '23505', constraint: 'tickets_lookup_code_key' })).toBe('run-again');
    expect(classifyFailure({ code: '40P01' })).toBe('run-again');
    expect(classifyFailure({ code: 'KI001', message: 'identity-differs' })).toBe('identity-differs');
    expect(classifyFailure(new Error('x'))).toBe('other');
    const kinds = ['replay', 'run-again', 'identity-differs', 'other'];
    fc.assert(fc.property(fc.anything(), (e) => kinds.includes(classifyFailure(e))));
  });
});

describe('a new ticket’s place from the waiting counters', () => {
  const priorities = ['normal', 'elderly', 'child', 'disabled'] as const;
  const counters = fc.uniqueArray(
    fc.record({ priority: fc.constantFrom(...priorities), waiting: fc.nat({ max: 50 }) }),
    { selector: (r) => r.priority },
  );

  it('read before the ticket (the statement’s snapshot) is the same as read after it (the unit of work)', () => {
    fc.assert(
      fc.property(counters, fc.constantFrom(...priorities), fc.nat({ max: 5 }), (rows, priority, streak) => {
        // After the insert the ticket's own priority counts it: one more, or a new counter of 1.
        const own = rows.find((r) => r.priority === priority);
        const after = own
          ? rows.map((r) => (r.priority === priority ? { ...r, waiting: r.waiting + 1 } : r))
          : [...rows, { priority, waiting: 1 }];
        const byPriority = (p: TicketPlaceCounts) => [...p.counts].sort((a, b) => a.priority.localeCompare(b.priority));
        const before = placeAtIssue(rows, streak, priority, 'not-counted');
        const read = placeAtIssue(after, streak, priority, 'counted');
        expect(byPriority(before)).toEqual(byPriority(read));
        expect(before.streak).toBe(streak);
        // Everyone counted waits before it: nobody of any priority was issued after it.
        for (const c of before.counts) expect(c.total - c.before).toBe(c.priority === priority ? 1 : 0);
      }),
    );
  });
});
