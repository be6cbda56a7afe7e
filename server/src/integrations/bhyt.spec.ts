import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eligibilityOf, gatewayBirthDate, gatewayDate } from './bhyt-gateway.adapter';
import { expiryOf } from './bhxh-egw.session';
import { BHYT_RESULT_CODES, meaningOf, UNKNOWN_RESULT } from './bhyt-result-codes';

describe('BHYT result codes', () => {
  it('covers the whole table of vietnam.md §3', () => {
    const codes = Object.keys(BHYT_RESULT_CODES).sort();
    expect(codes).toEqual(
      [
        '000',
        '001',
        '002',
        '003',
        '004',
        '010',
        '050',
        '051',
        '052',
        '053',
        '060',
        '061',
        '070',
        '080',
        '090',
        '100',
        '101',
        '110',
        '120',
        '121',
        '122',
        '123',
        '124',
        '130',
        '205',
      ].sort(),
    );
    expect(meaningOf('010')).toMatchObject({ routing: 'fee-paying-or-counter', verdict: 'expired' });
    expect(meaningOf('205').routing).toBe('alert-admin');
    expect(meaningOf('777')).toBe(UNKNOWN_RESULT);
  });
});

describe('gateway formats', () => {
  it('reads dd/mm/yyyy, yyyy and ISO dates; writes the date of birth as the gateway wants it', () => {
    expect(gatewayDate('1/3/2026')).toBe('2026-03-01');
    expect(gatewayDate('2026')).toBe('2026');
    expect(gatewayDate('2026-03-01T00:00:00')).toBe('2026-03-01');
    expect(gatewayDate('soon')).toBeUndefined();
    expect(gatewayBirthDate('1988-03-12')).toBe('12/03/1988');
    expect(gatewayBirthDate('1950')).toBe('1950');
  });
  it('reads expires_in as seconds or as a date-time', () => {
    expect(expiryOf(3600, 0)).toBe(3_600_000);
    expect(expiryOf('60', 1000)).toBe(61_000);
    expect(expiryOf('2026-11-22T10:00:00Z', 0)).toBe(Date.parse('2026-11-22T10:00:00Z'));
    expect(expiryOf(undefined, 0)).toBe(600_000);
  });
  it('turns an answer into a check, facility codes normalised', () => {
    expect(
      eligibilityOf({ maKetQua: '000', maThe: 'GD4797912345678', maDKBD: '92 - 012', gtTheDen: '31/12/2026' }, 'x'),
    ).toMatchObject({
      routing: 'eligible',
      card: { cardNumber: 'GD4797912345678', primaryCareFacility: '92012', validTo: '2026-12-31' },
    });
    expect(eligibilityOf({ ghiChu: 'no code' }, 'x')).toBeUndefined();
  });
  it('never throws on any answer', () => {
    fc.assert(
      fc.property(fc.anything(), fc.dictionary(fc.string(), fc.anything()), (v, d) => {
        eligibilityOf(v, 'GD4797912345678');
        eligibilityOf({ maKetQua: '000', ...d }, 'GD4797912345678');
        gatewayDate(v);
        expiryOf(v, 0);
      }),
      { numRuns: 500 },
    );
  });
});

describe('gateway text', () => {
  it("cleans the gateway's staff note (NFC, no control, bidi or zero-width characters)", () => {
    const check = eligibilityOf(
      { maKetQua: '000', ghiChu: 'The\u0309 co\u0301\u0000 gia\u0301 tri\u0323\u202e\u200b' },
      'X',
    );
    expect(check?.staffNote).toBe('Thẻ có giá trị');
    expect(eligibilityOf({ maKetQua: '000', ghiChu: '\u200b\u0000' }, 'X')?.staffNote).toBeUndefined();
  });
});
