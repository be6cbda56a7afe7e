/**
 * The register of processing purposes (Law 91/2025/QH15; Decree 13/2023 art. 24's impact dossier
 * starts from it): for each purpose the data it uses, its legal basis, who receives the data and
 * what a withdrawal of consent does; and how long each kind of data is kept. Data, not code: the
 * admin page and the API serve it as it is, and erasure and retention follow it.
 */
import type { ProcessingPurpose, ProcessingRegister, RetentionRule } from '@kiosk/protocol';

export interface RetentionSettings {
  /** Patients and visits (RETENTION_DAYS, or the admin's setting). */
  visitDays: number;
  insuranceCheckDays: number;
  emrDeliveredDays: number;
  auditDays: number;
  breachDays: number;
  /** Decision 4750 check-in records survive an erasure request (a legal obligation). */
  keepCheckinRecords: boolean;
}

export const purposes: ProcessingPurpose[] = [
  {
    id: 'check-in',
    name: { vi: 'Đăng ký khám và cấp số thứ tự', en: 'Check-in and queue ticket' },
    description:
      'Identify the patient from the CCCD (QR or chip), the BHYT card or a form, match the hospital record and issue a queue ticket.',
    dataKinds: ['identity', 'visit', 'ticket', 'appointment', 'notification', 'identity-conflict', 'payment'],
    sensitive: ['priority claims (pregnancy, disability, age) are health data'],
    legalBasis: 'consent given at the kiosk after the privacy notice (Law 91/2025 art. 9)',
    recipients: ['reception and clinic staff of this hospital'],
    onWithdrawal:
      'processing stops (no more messages to the phone) and the personal data is erased, except what a law requires to keep',
  },
  {
    id: 'emr-transfer',
    name: { vi: 'Chuyển thông tin sang bệnh án điện tử', en: 'Transfer to the electronic medical record' },
    description: "Send the check-in to the hospital's EMR (FHIR or HL7 v2) so the visit is registered there.",
    dataKinds: ['identity', 'visit', 'emr-delivery'],
    sensitive: ['visit to a clinical service is health data'],
    legalBasis: 'consent; medical record obligations (Circular 46/2018/TT-BYT)',
    recipients: ["the hospital's EMR system"],
    onWithdrawal: 'deliveries not yet sent are cancelled',
  },
  {
    id: 'insurance-check',
    name: { vi: 'Kiểm tra thẻ BHYT', en: 'Health insurance eligibility check' },
    description: "Ask Vietnam Social Security's gateway whether the BHYT card is valid for today's visit.",
    dataKinds: ['identity', 'insurance-check'],
    sensitive: [],
    legalBasis: 'consent; Law on Health Insurance (card checks before treatment)',
    recipients: ['Vietnam Social Security (BHYT gateway)'],
    onWithdrawal: "the gateway's answers are erased and no further check is made for this record",
  },
  {
    id: 'insurance-claim',
    name: { vi: 'Dữ liệu đầu vào theo Quyết định 4750', en: 'Decision 4750 check-in record' },
    description: 'The check-in table the hospital submits for BHYT payment settlement.',
    dataKinds: ['checkin-record'],
    sensitive: [],
    legalBasis: 'legal obligation (Decision 4750/QĐ-BYT, Law on Health Insurance)',
    recipients: ['Vietnam Social Security (settlement)'],
    onWithdrawal: null,
  },
  {
    id: 'access-audit',
    name: { vi: 'Nhật ký truy cập hồ sơ', en: 'Record access audit' },
    description: 'Who read or changed which record, when; no personal data beyond the record id.',
    dataKinds: ['access-audit', 'consent'],
    sensitive: [],
    legalBasis: 'legal obligation (Law 91/2025: accountability; proof of consent and its withdrawal)',
    recipients: ['hospital administrators'],
    onWithdrawal: null,
  },
  {
    id: 'statistics',
    name: { vi: 'Thống kê vận hành', en: 'Operational statistics' },
    description: 'Tickets, waits and no-shows per service and day, kept as counts without personal data.',
    dataKinds: ['daily-kpi'],
    sensitive: [],
    legalBasis: 'no personal data (aggregates)',
    recipients: ['hospital administrators'],
    onWithdrawal: null,
  },
  {
    id: 'breach-log',
    name: { vi: 'Sổ sự cố dữ liệu cá nhân', en: 'Personal data breach log' },
    description: 'Breaches recorded by administrators and their notification to the authority within 72 hours.',
    dataKinds: ['breach'],
    sensitive: [],
    legalBasis: 'legal obligation (Law 91/2025: breach notification)',
    recipients: ['the data protection authority (A05, Ministry of Public Security)'],
    onWithdrawal: null,
  },
];

export function retentionRules(r: RetentionSettings): RetentionRule[] {
  return [
    { kind: 'identity', days: r.visitDays, legalHold: false, basis: 'kept while a visit of the patient is kept' },
    { kind: 'visit', days: r.visitDays, legalHold: false, basis: 'RETENTION_DAYS (admin setting)' },
    { kind: 'ticket', days: r.visitDays, legalHold: false, basis: 'with its visit; folded into daily KPIs' },
    {
      kind: 'insurance-check',
      days: Math.min(r.insuranceCheckDays, r.visitDays),
      legalHold: false,
      basis: 'RETENTION_INSURANCE_CHECK_DAYS',
    },
    {
      kind: 'checkin-record',
      days: r.visitDays,
      legalHold: r.keepCheckinRecords,
      basis: 'with its visit; kept through an erasure request for BHYT settlement (ERASURE_KEEPS_CHECKIN_RECORDS)',
    },
    {
      kind: 'emr-delivery',
      days: r.emrDeliveredDays,
      legalHold: false,
      basis: 'RETENTION_EMR_DELIVERED_DAYS after delivery',
    },
    {
      kind: 'consent',
      days: null,
      legalHold: true,
      basis: 'kept with the patient record as proof of consent and withdrawal',
    },
    { kind: 'access-audit', days: r.auditDays, legalHold: true, basis: 'RETENTION_AUDIT_DAYS' },
    { kind: 'breach', days: r.breachDays, legalHold: true, basis: 'RETENTION_BREACH_DAYS after the breach is closed' },
    { kind: 'daily-kpi', days: null, legalHold: false, basis: 'no personal data' },
    {
      kind: 'appointment',
      days: r.visitDays,
      legalHold: false,
      basis: 'RETENTION_DAYS after the booked time; with the visit it led to',
    },
    {
      kind: 'notification',
      days: 1,
      legalHold: false,
      basis: 'only while the visit lasts: deleted when its last ticket ends and by the end-of-day sweep',
    },
    {
      kind: 'identity-conflict',
      days: r.visitDays,
      legalHold: false,
      basis: 'with its visit and patient',
    },
    {
      kind: 'payment',
      days: null,
      legalHold: true,
      basis:
        'accounting records (Law on Accounting 88/2015); no personal data, unlinked from the visit when it is purged',
    },
  ];
}

export const processingRegister = (controller: string, r: RetentionSettings): ProcessingRegister => ({
  controller,
  purposes,
  retention: retentionRules(r),
});
