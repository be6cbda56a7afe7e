import { describe, expect, it } from 'vitest';
import type { CardAuthenticity, Identity } from '@kiosk/protocol';
import { ChipReads } from './chip-reads';

const chip: Identity = {
  source: 'chip',
  idNumber: '079188012345',
  fullName: 'Nguyễn Thị Lan',
  dateOfBirth: '1988-03-12',
};
const signed: CardAuthenticity = { passive: 'valid', signer: 'trusted', pa: 'verified' };

function withRead(authenticity: CardAuthenticity = signed) {
  const reads = new ChipReads();
  reads.observe({
    type: 'card:identity',
    payload: { readId: 'r1', identity: chip, authenticity },
    keySource: 'cccd-qr',
  });
  return reads;
}

describe('ChipReads: what the page may claim', () => {
  it('downgrades a chip claim no read backs to manual', () => {
    const r = new ChipReads().attest(chip);
    expect(r).toMatchObject({
      ok: true,
      value: { identity: { source: 'manual' }, provenance: { source: 'manual', downgradedFrom: 'chip' } },
    });
  });

  it('passes QR and manual identities as they are claimed', () => {
    const qr = { ...chip, source: 'cccd-qr' as const };
    expect(withRead().attest(qr)).toMatchObject({
      ok: true,
      value: { identity: qr, provenance: { source: 'cccd-qr' } },
    });
  });

  it('replaces the page’s copy with the read, keeping only the insurance card fields', () => {
    const r = withRead().attest({ ...chip, fullName: 'Khác', insuranceNumber: 'GD4797912345678' }, 'r1');
    expect(r).toMatchObject({
      ok: true,
      value: {
        identity: { fullName: 'Nguyễn Thị Lan', insuranceNumber: 'GD4797912345678', source: 'chip' },
        provenance: { source: 'chip', readId: 'r1', passiveAuth: 'verified' },
      },
    });
  });

  it('follows the read’s authentication: a later verdict, a failed chip refused', () => {
    const reads = withRead({ passive: 'not-checked', signer: 'unknown' });
    expect(reads.attest(chip)).toMatchObject({ value: { provenance: { passiveAuth: 'not-checked' } } });
    reads.observe({
      type: 'card:authenticity',
      payload: { readId: 'r1', authenticity: { ...signed, pa: 'no-trust-anchor' } },
    });
    expect(reads.attest(chip)).toMatchObject({ value: { provenance: { passiveAuth: 'no-trust-anchor' } } });
    reads.observe({ type: 'card:failed', payload: { readId: 'r1', code: 'cloned-chip' } });
    expect(reads.attest(chip)).toMatchObject({ ok: false, error: { code: 'not-authentic' } });
  });

  it('refuses another ID number than the chip’s, and forgets everything on clear', () => {
    const reads = withRead();
    expect(reads.attest({ ...chip, idNumber: '001099012345' }, 'r1')).toMatchObject({
      ok: false,
      error: { code: 'identity-mismatch' },
    });
    reads.clear();
    expect(reads.attest(chip, 'r1')).toMatchObject({ ok: true, value: { provenance: { source: 'manual' } } });
  });
});
