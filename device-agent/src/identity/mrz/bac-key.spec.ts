import { describe, expect, it } from 'vitest';
import { bacKeyInfo, cccdBacKeyInfo } from './bac-key';

describe('BAC key information', () => {
  it('builds the synthetic CCCD key from the 12-digit ID, DOB and expiry', () => {
    expect(cccdBacKeyInfo({ idNumber: '079188012345', dateOfBirth: '1988-03-12', dateOfExpiry: '2028-03-12' })).toEqual(
      { ok: true, value: '188012345288031262803124' },
    );
  });

  it('builds the ICAO Appendix D key', () => {
    expect(bacKeyInfo('L898902C', '690806', '940623')).toEqual({ ok: true, value: 'L898902C<369080619406236' });
  });

  it('rejects a short ID and a year-only DOB', () => {
    const shortId = cccdBacKeyInfo({ idNumber: '79188012345', dateOfBirth: '1988-03-12', dateOfExpiry: '2028-03-12' });
    expect(shortId.ok ? '' : shortId.error.code).toBe('bad-id-number');
    const yearOnly = cccdBacKeyInfo({ idNumber: '079188012345', dateOfBirth: '1988', dateOfExpiry: '2028-03-12' });
    expect(yearOnly.ok ? '' : yearOnly.error.code).toBe('bad-date');
    const impossible = cccdBacKeyInfo({
      idNumber: '079188012345',
      dateOfBirth: '1988-02-31',
      dateOfExpiry: '2028-03-12',
    });
    expect(impossible.ok).toBe(false);
  });
});
