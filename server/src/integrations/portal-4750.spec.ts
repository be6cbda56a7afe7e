import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { portalCheckin, portalMeaningOf } from './portal-4750.adapter';
import type { Record4750 } from './checkin-record-4750';

const failure = (r: ReturnType<typeof portalMeaningOf>) => (r !== 'token-refused' && !r.ok ? r.error : undefined);

describe('the portal’s result codes', () => {
  it('maps received and already-received to delivered, keeping the transaction id', () => {
    expect(portalMeaningOf(200, { maKetQua: '200', maGiaoDich: 'GD1' })).toEqual({
      ok: true,
      value: { transactionId: 'GD1', duplicate: false },
    });
    expect(portalMeaningOf(200, { maKetQua: '201', maGiaoDich: 'GD1' })).toEqual({
      ok: true,
      value: { transactionId: 'GD1', duplicate: true },
    });
  });

  it('retries outages and busy answers, refuses content and conflicts for good', () => {
    expect(failure(portalMeaningOf(503, { maKetQua: '503' }))).toMatchObject({
      code: 'portal-unavailable',
      retriable: true,
    });
    expect(failure(portalMeaningOf(200, { maKetQua: '429' }))).toMatchObject({
      code: 'portal-unavailable',
      retriable: true,
    });
    expect(failure(portalMeaningOf(502, 'Bad gateway'))).toMatchObject({ retriable: true });
    expect(
      failure(portalMeaningOf(200, { maKetQua: '400', loi: [{ truong: 'NGAY_VAO', moTa: '0791880123' }] })),
    ).toEqual({
      code: 'portal-rejected',
      message: 'the portal refused the record',
      retriable: false,
      detail: 'code-400 fields:NGAY_VAO',
    });
    expect(failure(portalMeaningOf(200, { maKetQua: '409' }))).toMatchObject({
      code: 'portal-conflict',
      retriable: false,
    });
    expect(failure(portalMeaningOf(200, { maKetQua: '200' }))).toMatchObject({ code: 'portal-bad-response' });
    expect(failure(portalMeaningOf(200, { maKetQua: '777' }))).toMatchObject({
      code: 'portal-bad-response',
      retriable: true,
    });
    expect(portalMeaningOf(401, {})).toBe('token-refused');
    expect(portalMeaningOf(200, { maKetQua: '401' })).toBe('token-refused');
  });

  it('never throws and never echoes values from the portal’s error list', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 599 }), fc.jsonValue(), (status, body) => {
        const r = portalMeaningOf(status, body);
        if (r !== 'token-refused' && !r.ok) expect(r.error.detail ?? '').not.toMatch(/\d{6,}/u);
      }),
    );
    fc.assert(
      fc.property(fc.string(), fc.array(fc.anything()), (code, loi) => {
        portalMeaningOf(200, { maKetQua: code, loi, maGiaoDich: code });
      }),
    );
  });
});

describe('the record as the portal receives it', () => {
  it('uses the decision’s upper-case names and leaves empty fields out', () => {
    const r = {
      ma_lk: '9201220261122A001',
      stt: 1,
      ma_bn: 'p1',
      ho_ten: 'Nguyễn Thị Lan',
      so_cccd: null,
      ngay_sinh: '198803120000',
      gioi_tinh: 2,
      ma_the_bhyt: '',
      ma_dkbd: null,
      gt_the_tu: null,
      gt_the_den: null,
      ma_doituong_kcb: '9',
      ngay_vao: '202611221000',
      ma_loai_kcb: '01',
      ma_cskcb: '92012',
      ma_dich_vu: 'noi',
      ten_dich_vu: 'Khám nội',
      ngay_yl: '202611221000',
    } satisfies Record4750;
    const c = portalCheckin(r);
    expect(c).toMatchObject({ MA_LK: '9201220261122A001', STT: 1, GIOI_TINH: 2, HO_TEN: 'Nguyễn Thị Lan' });
    expect(c).not.toHaveProperty('SO_CCCD');
    expect(c).not.toHaveProperty('MA_THE_BHYT');
  });
});
