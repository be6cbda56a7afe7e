import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { identitySchema } from '@kiosk/protocol';
import { parseCccdQr } from './cccd-qr.parser';
import { CPU_BOUND_SPEC_TIMEOUT_MS } from '../../spec-helpers/timeouts';

vi.setConfig({ testTimeout: CPU_BOUND_SPEC_TIMEOUT_MS });

const VALID = '079188012345||Nguyễn Thị Lan|12031988|Nữ|Phường Ninh Kiều, TP. Cần Thơ|10052021';
const MALFORMED = '079188012345|||NGUYỄN THỊ LAN|12031988|Nữ|Phường Ninh Kiều, TP. Cần Thơ|10052021';

describe('parseCccdQr', () => {
  it('maps the valid example of vietnam.md to an Identity', () => {
    const r = parseCccdQr(VALID);
    expect(r).toEqual({
      ok: true,
      value: {
        source: 'cccd-qr',
        idNumber: '079188012345',
        fullName: 'Nguyễn Thị Lan',
        dateOfBirth: '1988-03-12',
        sex: 'female',
        address: 'Phường Ninh Kiều, TP. Cần Thơ',
        issueDate: '2021-05-10',
      },
    });
    if (r.ok) expect(identitySchema.safeParse(r.value).success).toBe(true);
  });

  it('rejects the malformed example (extra empty field) with wrong-field-count', () => {
    const r = parseCccdQr(MALFORMED);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('wrong-field-count');
      expect(r.error.message).toMatch(/8 fields/u);
    }
  });

  it('accepts the 6-field variant without the old ID', () => {
    const r = parseCccdQr('079188012345|Nguyễn Thị Lan|12031988|Nữ|Cần Thơ|10052021');
    expect(r.ok && r.value.idNumber === '079188012345' && r.value.oldIdNumber === undefined).toBe(true);
  });

  it('keeps a 9-digit old ID and a male sex', () => {
    const r = parseCccdQr('001093047064|093047064|Ung Hoàng Hiệp|05011993|Nam|Hà Nội|01022022');
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.oldIdNumber).toBe('093047064');
      expect(r.value.sex).toBe('male');
      expect(r.value.dateOfBirth).toBe('1993-01-05');
    }
  });

  it('accepts decomposed (NFD) text and scanner CR/LF', () => {
    const r = parseCccdQr(`${VALID.normalize('NFD')}\r\n`);
    expect(r.ok && r.value.fullName === 'Nguyễn Thị Lan' && r.value.sex === 'female').toBe(true);
  });

  it.each([
    ['31/02 DOB', VALID.replace('12031988', '31021988'), 'bad-date'],
    ['month 13', VALID.replace('12031988', '12131988'), 'bad-date'],
    ['29/02 on a non-leap issue year', VALID.replace('10052021', '29022021'), 'bad-date'],
    ['dd/mm/yyyy instead of ddmmyyyy', VALID.replace('12031988', '12/03/1988'), 'bad-date'],
    ['11-digit ID', VALID.replace('079188012345', '07918801234'), 'bad-id-number'],
    ['letters in old ID', VALID.replace('||', '|ABC123456|'), 'bad-id-number'],
    ['empty name', VALID.replace('Nguyễn Thị Lan', '  '), 'missing-name'],
    ['unknown sex', VALID.replace('Nữ', 'F'), 'bad-sex'],
    ['empty', '', 'empty'],
    ['replacement char', VALID.replace('Lan', 'L\uFFFDn'), 'not-utf8'],
  ])('rejects %s', (_label, payload, code) => {
    const r = parseCccdQr(payload);
    expect(r.ok ? 'ok' : r.error.code).toBe(code);
  });

  it('accepts 29/02 on a leap year', () => {
    expect(parseCccdQr(VALID.replace('12031988', '29021988')).ok).toBe(true);
  });

  it('never throws and only returns schema-valid identities (fuzz)', () => {
    const mutated = fc
      .tuple(fc.nat(VALID.length), fc.nat(VALID.length), fc.string({ maxLength: 8 }))
      .map(([a, b, s]) => VALID.slice(0, Math.min(a, b)) + s + VALID.slice(Math.max(a, b)));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), mutated), (payload) => {
        const r = parseCccdQr(payload);
        if (r.ok) expect(identitySchema.safeParse(r.value).success).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});
