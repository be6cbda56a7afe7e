import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { cardKeyCommandSchema, parseWith, type Identity } from '@kiosk/protocol';
import { bacKeyCandidates } from '../identity';
import { SYNTHETIC_BAC_KEY_INFO } from '../simulator/virtual-cccd';
import { KioskSession } from './kiosk-session';

const qrIdentity: Identity = {
  source: 'cccd-qr',
  idNumber: '079188012345',
  fullName: 'Nguyễn Thị Lan',
  dateOfBirth: '1988-03-12',
  issueDate: '2021-05-10',
};

describe('KioskSession', () => {
  it('a CCCD QR gives the key whose first candidate opens the synthetic card', () => {
    const s = new KioskSession(60_000);
    expect(s.scannedCccd(qrIdentity)).toBe(true);
    const key = s.key();
    expect(key?.source).toBe('cccd-qr');
    const c = key ? bacKeyCandidates(key.key) : undefined;
    expect(c?.ok && c.value[0]).toBe(SYNTHETIC_BAC_KEY_INFO);
    s.reset();
  });

  it('staff keys win over the QR, are validated, and everything goes on reset', () => {
    const wiped = vi.fn();
    const s = new KioskSession(60_000, wiped);
    s.scannedCccd(qrIdentity);
    expect(
      s.setStaffKey({ kind: 'document', documentNumber: '188012345', dateOfBirth: '880312', dateOfExpiry: '280312' }),
    ).toEqual({ ok: true, value: null });
    const key = s.key();
    expect(key?.source).toBe('staff');
    const c = key ? bacKeyCandidates(key.key) : undefined;
    expect(c?.ok && c.value).toEqual([SYNTHETIC_BAC_KEY_INFO]);
    expect(s.setStaffKey({ kind: 'cccd', idNumber: '079188012345', dateOfBirth: '1988-03-12' })).toMatchObject({
      ok: false,
      error: { code: 'bad-access-key' },
    });
    expect(s.setStaffKey({ kind: 'mrz', mrz: 'x'.repeat(40) })).toMatchObject({ ok: false });
    s.reset();
    expect(s.key()).toBeUndefined();
    expect(wiped).toHaveBeenCalledOnce();
  });

  it('forgets the key after the idle time', () => {
    vi.useFakeTimers();
    try {
      const s = new KioskSession(1000);
      s.scannedCccd(qrIdentity);
      vi.advanceTimersByTime(999);
      expect(s.key()).toBeDefined();
      vi.advanceTimersByTime(1);
      expect(s.key()).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });

  it('random card:set-key payloads never throw: validated, then refused or kept', () => {
    const s = new KioskSession(60_000);
    const payload = fc.oneof(
      fc.anything(),
      fc.record({
        kind: fc.constantFrom('mrz', 'document', 'cccd', 'x'),
        mrz: fc.string({ maxLength: 120 }),
        documentNumber: fc.stringMatching(/^[0-9A-Z<]{0,10}$/u),
        idNumber: fc.stringMatching(/^\d{10,13}$/u),
        dateOfBirth: fc.oneof(fc.stringMatching(/^\d{6}$/u), fc.stringMatching(/^\d{4}-\d{2}-\d{2}$/u)),
        dateOfExpiry: fc.oneof(fc.stringMatching(/^\d{6}$/u), fc.stringMatching(/^\d{4}-\d{2}-\d{2}$/u)),
        issueDate: fc.stringMatching(/^\d{4}-\d{2}-\d{2}$/u),
      }),
    );
    fc.assert(
      fc.property(payload, (p) => {
        const parsed = parseWith(cardKeyCommandSchema, p);
        if (!parsed.ok) return;
        const r = s.setStaffKey(parsed.value);
        expect(typeof r.ok).toBe('boolean');
      }),
    );
    s.reset();
  });
});
