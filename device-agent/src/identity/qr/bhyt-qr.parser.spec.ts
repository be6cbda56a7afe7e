import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { identitySchema } from '@kiosk/protocol';
import { decodeHexUtf8, normalizeFacilityCode, parseBhytQr } from './bhyt-qr.parser';
import { CPU_BOUND_SPEC_TIMEOUT_MS } from '../../spec-helpers/timeouts';

vi.setConfig({ testTimeout: CPU_BOUND_SPEC_TIMEOUT_MS });

const VALID =
  'GD4797912345678|4e677579e1bb856e205468e1bb8b204c616e|12/03/1988|2|5068c6b0e1bb9d6e67204e696e68204b69e1bb81752c2054502e2043e1baa76e205468c6a1|92 - 012|01/01/2026|31/12/2026|15/12/2025|7912345678|-|4|01/01/2023|0a1b2c3d4e5f6071-8233|$';

const withField = (i: number, value: string): string => {
  const f = VALID.split('|');
  f[i] = value;
  return f.join('|');
};
const hex = (s: string): string => Buffer.from(s, 'utf8').toString('hex');

describe('parseBhytQr', () => {
  it('maps the synthetic example of vietnam.md', () => {
    const r = parseBhytQr(VALID);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.identity).toEqual({
      source: 'bhyt-qr',
      insuranceNumber: 'GD4797912345678',
      fullName: 'Nguyễn Thị Lan',
      dateOfBirth: '1988-03-12',
      sex: 'female',
      address: 'Phường Ninh Kiều, TP. Cần Thơ',
      primaryCareFacility: '92012',
      insuranceValidFrom: '2026-01-01',
      insuranceValidTo: '2026-12-31',
    });
    expect(r.value.issueDate).toBe('2025-12-15');
    expect(r.value.checksum).toBe('0a1b2c3d4e5f6071-8233');
    expect(r.value.unconfirmed).toEqual(['7912345678', '-', '4', '01/01/2023']);
    expect(identitySchema.safeParse(r.value.identity).success).toBe(true);
  });

  it('accepts a year-only DOB and the newer 10-character card code', () => {
    const r = parseBhytQr(withField(0, '7912345678').replace('12/03/1988', '1950'));
    expect(r.ok && r.value.identity.dateOfBirth === '1950' && r.value.identity.insuranceNumber === '7912345678').toBe(
      true,
    );
  });

  it('maps sex code 1 to male', () => {
    const r = parseBhytQr(withField(3, '1'));
    expect(r.ok && r.value.identity.sex).toBe('male');
  });

  it.each([
    ['odd-length name hex', withField(1, '4e6'), 'bad-hex'],
    ['non-hex name', withField(1, 'zz'), 'bad-hex'],
    ['name hex that is not UTF-8', withField(1, 'c328ff'), 'not-utf8'],
    ['address hex that is not UTF-8', withField(4, 'e1bb'), 'not-utf8'],
    ['empty name', withField(1, ''), 'missing-name'],
    ['card number of 14 chars', withField(0, 'GD479791234567'), 'bad-card-number'],
    ['31/02 DOB', withField(2, '31/02/1988'), 'bad-date'],
    ['bad valid-to', withField(7, '31/13/2026'), 'bad-date'],
    ['sex 3', withField(3, '3'), 'bad-sex'],
    ['missing terminator field', VALID.replace('|$', '$'), 'wrong-field-count'],
    ['an extra field', VALID.replace('|$', '|x|$'), 'wrong-field-count'],
  ])('rejects %s', (_label, payload, code) => {
    const r = parseBhytQr(payload);
    expect(r.ok ? 'ok' : r.error.code).toBe(code);
  });

  it('decodes hex UTF-8 and normalizes facility codes', () => {
    expect(decodeHexUtf8(hex('Trần Văn Đức'))).toEqual({ ok: true, value: 'Trần Văn Đức' });
    expect(normalizeFacilityCode('92 - 012')).toBe('92012');
    expect(normalizeFacilityCode('01-001')).toBe('01001');
    expect(normalizeFacilityCode('xx')).toBeUndefined();
  });

  it('never throws and only returns schema-valid identities (fuzz)', () => {
    const mutated = fc
      .tuple(fc.nat(VALID.length), fc.nat(VALID.length), fc.string({ maxLength: 8 }))
      .map(([a, b, s]) => VALID.slice(0, Math.min(a, b)) + s + VALID.slice(Math.max(a, b)));
    const fieldWise = fc
      .array(fc.oneof(fc.string({ maxLength: 40 }), fc.stringMatching(/^[0-9a-f]{0,40}$/u)), {
        minLength: 14,
        maxLength: 14,
      })
      .map((fs) => `${fs.join('|')}|$`);
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), mutated, fieldWise), (payload) => {
        const r = parseBhytQr(payload);
        if (r.ok) expect(identitySchema.safeParse(r.value.identity).success).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});
