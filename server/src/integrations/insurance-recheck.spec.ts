import { describe, expect, it } from 'vitest';
import type { Identity } from '@kiosk/protocol';
import { BHYT_RESULT_CODES, GATEWAY_AUTH_FAILED, GATEWAY_UNREACHABLE, NO_CARD } from './bhyt-result-codes';
import type { BhytCheck } from './bhyt.types';
import { recheckDecision, recheckIdentityOf } from './insurance-recheck';

const lan: Identity = {
  source: 'bhyt-qr',
  insuranceNumber: 'GD4797912345678',
  idNumber: '079188012345',
  fullName: 'Nguyễn Thị Lan',
  dateOfBirth: '1988-03-12',
  sex: 'female',
  address: 'Phường Ninh Kiều, TP. Cần Thơ',
  primaryCareFacility: '92012',
};
const answer = (code: string): BhytCheck => ({ resultCode: code, ...BHYT_RESULT_CODES[code]!, durationMs: 5 });
const payload = (identity: Identity) => ({ ticketNumber: 'A012', identity: recheckIdentityOf(identity)! });

describe('recheckIdentityOf', () => {
  it('keeps only what the gateway is asked about (no address, no facility)', () => {
    expect(recheckIdentityOf(lan)).toEqual({
      source: 'bhyt-qr',
      insuranceNumber: 'GD4797912345678',
      idNumber: '079188012345',
      fullName: 'Nguyễn Thị Lan',
      dateOfBirth: '1988-03-12',
      sex: 'female',
    });
  });
  it('a CCCD-only patient is asked about by the CCCD number; nobody without either', () => {
    expect(
      recheckIdentityOf({ source: 'cccd-qr', idNumber: '079188012345', fullName: 'A', dateOfBirth: '1988' }),
    ).toMatchObject({ idNumber: '079188012345' });
    expect(recheckIdentityOf({ source: 'manual', fullName: 'A', dateOfBirth: '1988' })).toBeUndefined();
  });
});

describe('recheckDecision', () => {
  it('an eligible card is stored without an alert', () => {
    expect(recheckDecision(answer('000'), payload(lan))).toEqual({ action: 'store', alert: undefined });
    expect(recheckDecision(answer('003'), payload(lan))).toEqual({ action: 'store', alert: undefined });
  });
  it('a claimed card the gateway did not find eligible: stored, with the ticket and reason key for staff', () => {
    expect(recheckDecision(answer('010'), payload(lan))).toEqual({
      action: 'store',
      alert: 'A012:insurance.card-expired',
    });
    expect(recheckDecision(answer('050'), payload(lan))).toEqual({
      action: 'store',
      alert: 'A012:insurance.card-not-found',
    });
    expect(recheckDecision(answer('205'), payload(lan))).toMatchObject({
      action: 'store',
      alert: 'A012:insurance.check-failed',
    });
  });
  it('a CCCD-only patient claimed no card: a non-eligible answer is stored without an alert', () => {
    const { insuranceNumber: _card, ...cccdOnly } = lan;
    expect(recheckDecision(answer('050'), payload(cccdOnly))).toEqual({ action: 'store', alert: undefined });
  });
  it('no answer, a busy gateway or refused credentials: retried', () => {
    for (const check of [
      { ...GATEWAY_UNREACHABLE, durationMs: 1 },
      answer('100'),
      { ...GATEWAY_AUTH_FAILED, durationMs: 1 },
      { ...GATEWAY_AUTH_FAILED, resultCode: '401', durationMs: 1 },
    ])
      expect(recheckDecision(check, payload(lan))).toMatchObject({ action: 'retry', error: { retriable: true } });
  });
  it('the alert detail never holds the card number or the name', () => {
    const d = recheckDecision({ ...answer('050'), staffNote: 'Nguyễn Thị Lan GD4797912345678' }, payload(lan));
    expect(JSON.stringify(d)).not.toMatch(/GD479|Nguyễn/u);
    expect(recheckDecision({ ...NO_CARD, durationMs: 0 }, payload(lan))).toMatchObject({ action: 'store' });
  });
});
