import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type Db } from '../db/database';
import { ColumnCipher } from './column-cipher';
import { PatientRepository } from './patient.repository';

const at = '2026-12-07T03:00:00.000Z';
const patient = (id: string, idNumber: string | null, insuranceNumber: string | null) => ({
  id,
  id_number: idNumber,
  old_id_number: null,
  insurance_number: insuranceNumber,
  full_name: `Bệnh nhân ${id}`,
  date_of_birth: '1950-01-01',
  sex: null,
  address: null,
  needs_review: 0,
  created_at: at,
  updated_at: at,
});

for (const [label, cipher] of [
  ['in clear', ColumnCipher.off()],
  [
    'sealed, two keys',
    new ColumnCipher([
      { id: 'k1', key: randomBytes(32) },
      { id: 'k2', key: randomBytes(32) },
    ]),
  ],
] as const) {
  describe(`PatientRepository.matchByIdentifiers (${label})`, () => {
    let db: Db;
    let repo: PatientRepository;
    beforeAll(async () => {
      db = await openDatabase('sqlite::memory:');
      await migrateToLatest(db);
      repo = new PatientRepository(db, cipher);
      await repo.insert(db.kysely, patient('a', '079201000001', 'GD4797900000001'));
      await repo.insert(db.kysely, patient('b', '079201000002', 'GD4797900000002'));
      await repo.insert(db.kysely, patient('c', null, 'GD4797900000003'));
    });
    afterAll(async () => {
      await db.close();
    });

    it('finds by the ID number first, else by the BHYT number, as the two lookups one after the other did', async () => {
      const ids = [undefined, '079201000001', '079201000002', '079201000009'];
      const cards = [undefined, 'GD4797900000001', 'GD4797900000002', 'GD4797900000003', 'GD4797900000009'];
      const nameOf: Record<string, string> = { a: 'Bệnh nhân a', b: 'Bệnh nhân b', c: 'Bệnh nhân c' };
      const expected = (id: string | undefined, card: string | undefined) => {
        const byId = { '079201000001': 'a', '079201000002': 'b' }[id ?? ''];
        const byCard = { GD4797900000001: 'a', GD4797900000002: 'b', GD4797900000003: 'c' }[card ?? ''];
        const found = byId ?? byCard;
        return found === undefined ? undefined : nameOf[found];
      };
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...ids), fc.constantFrom(...cards), async (id, card) => {
          expect((await repo.matchByIdentifiers(id, card))?.full_name).toBe(expected(id, card));
        }),
        { numRuns: 60 },
      );
    });
  });
}
