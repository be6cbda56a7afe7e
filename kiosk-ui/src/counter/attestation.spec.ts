import { describe, expect, it } from 'vitest';
import { attestationOf, conflictFieldKeys } from './attestation';
import { en, vi } from '../lib/staff-messages';

describe('identity attestation badge', () => {
  it('only a chip whose signature was verified vouches for the person', () => {
    expect(attestationOf('chip', 'verified')).toEqual({ key: 'attest.chip-verified', tone: 'verified' });
    for (const check of ['no-trust-anchor', 'unavailable', 'not-checked', 'unattested', null])
      expect(attestationOf('chip', check)).toEqual({ key: 'attest.chip-unverified', tone: 'warning' });
    expect(attestationOf('chip', 'failed')).toEqual({ key: 'attest.chip-failed', tone: 'warning' });
  });
  it('a QR code or a form typed by hand is a claim', () => {
    expect(attestationOf('cccd-qr', 'claimed').key).toBe('attest.cccd-qr');
    expect(attestationOf('bhyt-qr', 'claimed').key).toBe('attest.bhyt-qr');
    expect(attestationOf('manual', 'claimed')).toEqual({ key: 'attest.manual', tone: 'claim' });
    expect(attestationOf('smoke-signal', null).key).toBe('attest.unknown');
  });
  it('every badge and field reads in both languages', () => {
    const keys = [
      ...['chip', 'cccd-qr', 'bhyt-qr', 'manual', 'other'].flatMap((s) =>
        ['verified', 'failed', null].map((c) => attestationOf(s, c).key),
      ),
      ...conflictFieldKeys(['full-name', 'date-of-birth']),
    ];
    for (const k of keys) {
      expect(vi[k], k).toBeTruthy();
      expect(en[k], k).toBeTruthy();
    }
    expect(conflictFieldKeys(['date-of-birth'])).toEqual(['conflicts.field.date-of-birth']);
  });
});
