/**
 * What a stored check-in becomes for the outside world, captured in the check-in's own
 * transaction: the EMR delivery payload and the Decision 4750 check-in record (every field of the
 * table, in its formats). Pure.
 */
import type { Identity } from '@kiosk/protocol';
import type { EmrCheckIn, EmrCoverage } from './emr.port';
import type { BhytCheck } from './bhyt.types';
import { localDigits } from './vn-core';
import type { CheckinRecordTable } from '../db/schema';

export interface SnapshotInput {
  identity: Identity;
  patientId: string;
  visitId: string;
  checkInId: string;
  visitNumber: string;
  ticketNumber: string;
  serviceType: 'insurance' | 'fee-paying';
  service: { id: string; name: string; department: string; room: string };
  /** ISO instant of the check-in. */
  at: string;
  day: string;
  utcOffset: string;
  /** The gateway's answer, when it was asked. */
  bhyt?: BhytCheck;
}

export interface RecordOptions {
  facilityCode: string;
  objectCodes: { 'registered-here': string; insured: string; 'fee-paying': string };
  serviceCodes: Record<string, string>;
}

/** The card the visit is billed on: the new card when the gateway says the old one was replaced (003). */
export function coverageOf(s: SnapshotInput): EmrCoverage | undefined {
  if (s.serviceType !== 'insurance') return undefined;
  const card = s.bhyt?.card;
  const replaced = s.bhyt?.resultCode === '003' && card?.newCardNumber;
  const cardNumber = replaced ? card.newCardNumber : (card?.cardNumber ?? s.identity.insuranceNumber);
  if (!cardNumber) return undefined;
  const validFrom = replaced ? card.newValidFrom : (card?.validFrom ?? s.identity.insuranceValidFrom);
  const validTo = replaced ? card.newValidTo : (card?.validTo ?? s.identity.insuranceValidTo);
  const primaryCareFacility = card?.primaryCareFacility ?? s.identity.primaryCareFacility;
  const fullDate = (d: string | undefined) => (d && /^\d{4}-\d{2}-\d{2}$/u.test(d) ? d : undefined);
  const from = fullDate(validFrom);
  const to = fullDate(validTo);
  return {
    cardNumber,
    ...(from ? { validFrom: from } : {}),
    ...(to ? { validTo: to } : {}),
    ...(primaryCareFacility ? { primaryCareFacility } : {}),
  };
}

export function emrCheckInOf(s: SnapshotInput): EmrCheckIn {
  const id = s.identity;
  const coverage = coverageOf(s);
  return {
    patient: {
      patientId: s.patientId,
      ...(id.idNumber ? { nationalId: id.idNumber } : {}),
      ...(id.oldIdNumber ? { oldId: id.oldIdNumber } : {}),
      ...(id.insuranceNumber ? { insuranceNumber: id.insuranceNumber } : {}),
      fullName: id.fullName,
      dateOfBirth: id.dateOfBirth,
      ...(id.sex ? { sex: id.sex } : {}),
      ...(id.address ? { address: id.address } : {}),
    },
    ...(coverage ? { coverage } : {}),
    visit: {
      visitNumber: s.visitNumber,
      visitId: s.visitId,
      checkInId: s.checkInId,
      ticketNumber: s.ticketNumber,
      serviceId: s.service.id,
      serviceName: s.service.name,
      department: s.service.department,
      room: s.service.room,
      arrivedAt: s.at,
      day: s.day,
      utcOffset: s.utcOffset,
    },
  };
}

/** Deliveries of the same key never run concurrently (conditional creates race otherwise). */
export function patientKeyOf(
  identity: Pick<Identity, 'idNumber' | 'insuranceNumber' | 'oldIdNumber'>,
  patientId: string,
): string {
  if (identity.idNumber) return `cccd:${identity.idNumber}`;
  if (identity.insuranceNumber) return `bhyt:${identity.insuranceNumber}`;
  if (identity.oldIdNumber) return `cmnd:${identity.oldIdNumber}`;
  return `patient:${patientId}`;
}

/** yyyymmddHHMM; a year-only or partial date is padded with zeros (unconfirmed in the decision's text). */
export function birth4750(dateOfBirth: string): string {
  const digits = dateOfBirth.replaceAll('-', '');
  return `${digits.padEnd(8, '0')}0000`;
}

const yyyymmdd = (d: string | undefined) => (d && /^\d{4}-\d{2}-\d{2}$/u.test(d) ? d.replaceAll('-', '') : null);

export function checkinRecordOf(s: SnapshotInput, o: RecordOptions): CheckinRecordTable {
  const coverage = coverageOf(s);
  const at = localDigits(s.at, s.utcOffset).slice(0, 12);
  const objectCode = !coverage
    ? o.objectCodes['fee-paying']
    : coverage.primaryCareFacility === o.facilityCode
      ? o.objectCodes['registered-here']
      : o.objectCodes.insured;
  return {
    visit_id: s.visitId,
    ma_lk: s.visitNumber,
    ma_bn: s.patientId,
    ho_ten: s.identity.fullName,
    so_cccd: s.identity.idNumber ?? s.identity.oldIdNumber ?? null,
    ngay_sinh: birth4750(s.identity.dateOfBirth),
    gioi_tinh: s.identity.sex === 'male' ? 1 : s.identity.sex === 'female' ? 2 : 3,
    ma_the_bhyt: coverage?.cardNumber ?? null,
    ma_dkbd: coverage?.primaryCareFacility ?? null,
    gt_the_tu: yyyymmdd(coverage?.validFrom),
    gt_the_den: yyyymmdd(coverage?.validTo),
    ma_doituong_kcb: objectCode,
    ngay_vao: at,
    ma_loai_kcb: '01',
    ma_cskcb: o.facilityCode,
    ma_dich_vu: o.serviceCodes[s.service.id] ?? s.service.id,
    ten_dich_vu: s.service.name,
    ngay_yl: at,
    checked_in_at: s.at,
  };
}
