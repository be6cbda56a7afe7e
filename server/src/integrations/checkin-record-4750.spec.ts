import { describe, expect, it } from 'vitest';
import type { Identity } from '@kiosk/protocol';
import { FIELDS_4750, toJson4750, toRecord, toXml4750 } from './checkin-record-4750';
import { birth4750, checkinRecordOf, coverageOf, emrCheckInOf, type SnapshotInput } from './checkin-snapshot';
import { defaultObjectCodes } from './integration.config';

const identity: Identity = {
  source: 'chip',
  idNumber: '079188012345',
  insuranceNumber: 'GD4797912345678',
  fullName: 'Nguyễn Thị Lan',
  dateOfBirth: '1988-03-12',
  sex: 'female',
  primaryCareFacility: '92012',
  insuranceValidFrom: '2026-01-01',
  insuranceValidTo: '2026-12-31',
};
const snapshot = (over: Partial<SnapshotInput> = {}): SnapshotInput => ({
  identity,
  patientId: 'p-1',
  visitId: 'v-1',
  checkInId: 'c-1',
  visitNumber: '92012-20261122-A001',
  ticketNumber: 'A001',
  serviceType: 'insurance',
  service: { id: 'noi-tong-quat', name: 'Khám Nội tổng quát', department: 'Khoa Khám bệnh', room: '101' },
  at: '2026-11-22T01:30:00.000Z',
  day: '2026-11-22',
  utcOffset: '+07:00',
  ...over,
});
const options = {
  facilityCode: '92012',
  objectCodes: { ...defaultObjectCodes },
  serviceCodes: { 'noi-tong-quat': '01.0001.1899' },
};

describe('Decision 4750 check-in record', () => {
  it('fills every field of the table in its formats', () => {
    const r = checkinRecordOf(snapshot(), options);
    expect(toRecord(r, 1)).toEqual({
      ma_lk: '92012-20261122-A001',
      stt: 1,
      ma_bn: 'p-1',
      ho_ten: 'Nguyễn Thị Lan',
      so_cccd: '079188012345',
      ngay_sinh: '198803120000',
      gioi_tinh: 2,
      ma_the_bhyt: 'GD4797912345678',
      ma_dkbd: '92012',
      gt_the_tu: '20260101',
      gt_the_den: '20261231',
      ma_doituong_kcb: '1.1',
      ngay_vao: '202611220830',
      ma_loai_kcb: '01',
      ma_cskcb: '92012',
      ma_dich_vu: '01.0001.1899',
      ten_dich_vu: 'Khám Nội tổng quát',
      ngay_yl: '202611220830',
    });
    expect(Object.keys(toRecord(r, 1))).toEqual([...FIELDS_4750]);
  });
  it('object codes: registered elsewhere, fee-paying; sex 1/2/3; a year-only birth date', () => {
    const elsewhere = checkinRecordOf(snapshot({ identity: { ...identity, primaryCareFacility: '79001' } }), options);
    expect(elsewhere.ma_doituong_kcb).toBe('3');
    const fee = checkinRecordOf(
      snapshot({ serviceType: 'fee-paying', identity: { ...identity, sex: 'male', dateOfBirth: '1950' } }),
      options,
    );
    expect(fee).toMatchObject({ ma_doituong_kcb: '9', ma_the_bhyt: null, gt_the_den: null, gioi_tinh: 1 });
    expect(fee.ngay_sinh).toBe('195000000000');
    expect(checkinRecordOf(snapshot({ identity: { ...identity, sex: undefined } }), options).gioi_tinh).toBe(3);
    expect(birth4750('2020-02-29')).toBe('202002290000');
  });
  it("prefers the gateway's card data, and the new card when the old one was replaced (003)", () => {
    const s = snapshot({
      bhyt: {
        resultCode: '003',
        routing: 'eligible',
        verdict: 'eligible',
        messageKey: 'insurance.new-card-issued',
        durationMs: 1,
        card: {
          cardNumber: 'GD4797912345678',
          newCardNumber: 'GD4797900000099',
          validFrom: '2025-01-01',
          validTo: '2025-12-31',
          newValidFrom: '2026-01-01',
          newValidTo: '2026-12-31',
          primaryCareFacility: '92013',
        },
      },
    });
    expect(coverageOf(s)).toEqual({
      cardNumber: 'GD4797900000099',
      validFrom: '2026-01-01',
      validTo: '2026-12-31',
      primaryCareFacility: '92013',
    });
    expect(emrCheckInOf(s).coverage?.cardNumber).toBe('GD4797900000099');
  });
  it('writes XML with the upper-case element names, escaped, and JSON with the field names', () => {
    const r = toRecord(checkinRecordOf(snapshot({ identity: { ...identity, fullName: 'A & <B>' } }), options), 1);
    const xml = toXml4750([r]);
    expect(xml).toContain('<DSACH_CHECKIN>\n  <CHECKIN>\n    <MA_LK>92012-20261122-A001</MA_LK>\n    <STT>1</STT>');
    expect(xml).toContain('<HO_TEN>A &amp; &lt;B&gt;</HO_TEN>');
    expect(toXml4750([{ ...r, so_cccd: null }])).toContain('<SO_CCCD />');
    expect(JSON.parse(toJson4750([r])).records[0].ma_lk).toBe('92012-20261122-A001');
  });
});
