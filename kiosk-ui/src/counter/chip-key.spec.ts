import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cardKeyCommandSchema } from '@kiosk/protocol';
import { checkCardKey } from './chip-key-schema';
import { parseCardDate } from '../lib/format';
import { chipFailureKey, chipKeyCommand, formFieldsOf, type ChipKeyForm } from './chip-key';

const today = new Date(Date.UTC(2026, 11, 5));
const form = (over: Partial<ChipKeyForm>): ChipKeyForm => ({
  kind: 'cccd',
  idNumber: '',
  dateOfBirth: '',
  dateOfExpiry: '',
  can: '',
  ...over,
});

describe('chipKeyCommand', () => {
  it('a CCCD number and birth date: the expiry is left to the agent', () => {
    expect(
      chipKeyCommand(form({ idNumber: '079 188 012 345', dateOfBirth: '12/03/1988' }), checkCardKey, today),
    ).toEqual({
      ok: true,
      command: { kind: 'cccd', idNumber: '079188012345', dateOfBirth: '1988-03-12' },
    });
  });

  it('the expiry when staff know it (a future date is fine)', () => {
    expect(
      chipKeyCommand(
        form({ idNumber: '079188012345', dateOfBirth: '12031988', dateOfExpiry: '12/03/2028' }),
        checkCardKey,
        today,
      ),
    ).toEqual({
      ok: true,
      command: { kind: 'cccd', idNumber: '079188012345', dateOfBirth: '1988-03-12', dateOfExpiry: '2028-03-12' },
    });
  });

  it('says which field to correct', () => {
    expect(chipKeyCommand(form({ idNumber: '07918801234', dateOfBirth: '12/03/1988' }), checkCardKey, today)).toEqual({
      ok: false,
      problem: 'chip.key.bad-id',
    });
    expect(chipKeyCommand(form({ idNumber: '079188012345', dateOfBirth: '31/02/1988' }), checkCardKey, today)).toEqual({
      ok: false,
      problem: 'chip.key.bad-dob',
    });
    expect(chipKeyCommand(form({ idNumber: '079188012345', dateOfBirth: '12/03/2030' }), checkCardKey, today)).toEqual({
      ok: false,
      problem: 'chip.key.bad-dob',
    });
    expect(
      chipKeyCommand(
        form({ idNumber: '079188012345', dateOfBirth: '12/03/1988', dateOfExpiry: '12/03/1980' }),
        checkCardKey,
        today,
      ),
    ).toEqual({ ok: false, problem: 'chip.key.bad-expiry' });
    expect(chipKeyCommand(form({ kind: 'can', can: '12345' }), checkCardKey, today)).toEqual({
      ok: false,
      problem: 'chip.key.bad-can',
    });
  });

  it('what the schema refuses is not sent', () => {
    expect(chipKeyCommand(form({ kind: 'can', can: '012345' }), () => null, today)).toEqual({
      ok: false,
      problem: 'chip.key.invalid',
    });
  });

  it('a 6-digit CAN', () => {
    expect(chipKeyCommand(form({ kind: 'can', can: ' 012345 ' }), checkCardKey, today)).toEqual({
      ok: true,
      command: { kind: 'can', can: '012345' },
    });
  });

  it('random input never throws, and whatever it accepts the agent schema accepts', () => {
    fc.assert(
      fc.property(
        fc.record({
          kind: fc.constantFrom('cccd' as const, 'can' as const),
          idNumber: fc.oneof(fc.string({ maxLength: 20 }), fc.stringMatching(/^\d{12}$/u)),
          dateOfBirth: fc.oneof(fc.string({ maxLength: 12 }), fc.stringMatching(/^\d{2}\/\d{2}\/\d{4}$/u)),
          dateOfExpiry: fc.oneof(fc.string({ maxLength: 12 }), fc.stringMatching(/^\d{2}\/\d{2}\/\d{4}$/u)),
          can: fc.oneof(fc.string({ maxLength: 8 }), fc.stringMatching(/^\d{6}$/u)),
        }),
        (f) => {
          const r = chipKeyCommand(f, checkCardKey, today);
          if (r.ok) expect(cardKeyCommandSchema.safeParse(r.command).success).toBe(true);
        },
      ),
    );
  });
});

describe('parseCardDate', () => {
  it('real calendar dates only', () => {
    expect(parseCardDate('29/02/2028')).toBe('2028-02-29');
    expect(parseCardDate('29/02/2027')).toBeNull();
    expect(parseCardDate('1/1/2028')).toBeNull();
  });
});

describe('chipFailureKey and formFieldsOf', () => {
  it('a refused key asks staff to check the numbers; a pulled card says so', () => {
    expect(chipFailureKey('access-denied')).toBe('chip.failed.access-denied');
    expect(chipFailureKey('card-removed')).toBe('chip.failed.card-removed');
    expect(chipFailureKey('something-new')).toBe('chip.failed.read-error');
  });
  it('fills the form as staff type it', () => {
    expect(
      formFieldsOf({
        source: 'chip',
        fullName: 'Nguyễn Thị Lan',
        dateOfBirth: '1988-03-12',
        idNumber: '079188012345',
        sex: 'female',
        address: 'Phường Ninh Kiều, TP. Cần Thơ',
      }),
    ).toEqual({
      fullName: 'Nguyễn Thị Lan',
      dob: '12/03/1988',
      idNumber: '079188012345',
      sex: 'female',
      address: 'Phường Ninh Kiều, TP. Cần Thơ',
    });
  });
});
