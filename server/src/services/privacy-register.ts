/**
 * The register of processing purposes (Law 91/2025/QH15; Decree 13/2023 art. 24's impact dossier
 * starts from it): for each purpose the data it uses, its legal basis, who receives the data and
 * what a withdrawal of consent does; and how long each kind of data is kept. Data, not code: the
 * admin page and the API serve it as it is, and erasure and retention follow it.
 */
import type { ProcessingPurpose, ProcessingRegister, RegisterText, RetentionRule } from '@kiosk/protocol';

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

const t = (vi: string, en: string): RegisterText => ({ vi, en });

export const purposes: ProcessingPurpose[] = [
  {
    id: 'check-in',
    name: t('Đăng ký khám và cấp số thứ tự', 'Check-in and queue ticket'),
    description: t(
      'Nhận diện người bệnh từ CCCD (mã QR hoặc chip), thẻ BHYT hoặc tờ khai, đối chiếu hồ sơ của bệnh viện và cấp số thứ tự.',
      'Identify the patient from the CCCD (QR or chip), the BHYT card or a form, match the hospital record and issue a queue ticket.',
    ),
    dataKinds: ['identity', 'visit', 'ticket', 'appointment', 'notification', 'identity-conflict', 'payment'],
    sensitive: [
      t(
        'đối tượng ưu tiên (mang thai, khuyết tật, tuổi) là dữ liệu sức khỏe',
        'priority claims (pregnancy, disability, age) are health data',
      ),
    ],
    legalBasis: t(
      'sự đồng ý tại ki-ốt sau thông báo xử lý dữ liệu (Luật 91/2025, điều 9)',
      'consent given at the kiosk after the privacy notice (Law 91/2025 art. 9)',
    ),
    recipients: [t('nhân viên tiếp đón và phòng khám của bệnh viện', 'reception and clinic staff of this hospital')],
    onWithdrawal: t(
      'ngừng xử lý (không nhắn tin đến điện thoại nữa) và xóa dữ liệu cá nhân, trừ phần luật buộc phải lưu',
      'processing stops (no more messages to the phone) and the personal data is erased, except what a law requires to keep',
    ),
  },
  {
    id: 'emr-transfer',
    name: t('Chuyển thông tin sang bệnh án điện tử', 'Transfer to the electronic medical record'),
    description: t(
      'Gửi lượt đăng ký sang hệ thống bệnh án điện tử của bệnh viện (FHIR hoặc HL7 v2) để ghi nhận lượt khám.',
      "Send the check-in to the hospital's EMR (FHIR or HL7 v2) so the visit is registered there.",
    ),
    dataKinds: ['identity', 'visit', 'emr-delivery'],
    sensitive: [t('việc khám tại một chuyên khoa là dữ liệu sức khỏe', 'visit to a clinical service is health data')],
    legalBasis: t(
      'sự đồng ý; nghĩa vụ lập hồ sơ bệnh án (Thông tư 46/2018/TT-BYT)',
      'consent; medical record obligations (Circular 46/2018/TT-BYT)',
    ),
    recipients: [t('hệ thống bệnh án điện tử của bệnh viện', "the hospital's EMR system")],
    onWithdrawal: t('hủy các lần gửi chưa thực hiện', 'deliveries not yet sent are cancelled'),
  },
  {
    id: 'insurance-check',
    name: t('Kiểm tra thẻ BHYT', 'Health insurance eligibility check'),
    description: t(
      'Hỏi cổng giám định của Bảo hiểm xã hội Việt Nam xem thẻ BHYT có còn giá trị cho lượt khám hôm nay.',
      "Ask Vietnam Social Security's gateway whether the BHYT card is valid for today's visit.",
    ),
    dataKinds: ['identity', 'insurance-check'],
    sensitive: [],
    legalBasis: t(
      'sự đồng ý; Luật Bảo hiểm y tế (kiểm tra thẻ trước khi khám chữa bệnh)',
      'consent; Law on Health Insurance (card checks before treatment)',
    ),
    recipients: [t('Bảo hiểm xã hội Việt Nam (cổng BHYT)', 'Vietnam Social Security (BHYT gateway)')],
    onWithdrawal: t(
      'xóa các kết quả tra cứu của cổng và không tra cứu thêm cho hồ sơ này',
      "the gateway's answers are erased and no further check is made for this record",
    ),
  },
  {
    id: 'insurance-claim',
    name: t('Dữ liệu đầu vào theo Quyết định 4750', 'Decision 4750 check-in record'),
    description: t(
      'Bảng check-in bệnh viện gửi để thanh quyết toán chi phí khám chữa bệnh BHYT.',
      'The check-in table the hospital submits for BHYT payment settlement.',
    ),
    dataKinds: ['checkin-record'],
    sensitive: [],
    legalBasis: t(
      'nghĩa vụ pháp lý (Quyết định 4750/QĐ-BYT, Luật Bảo hiểm y tế)',
      'legal obligation (Decision 4750/QĐ-BYT, Law on Health Insurance)',
    ),
    recipients: [t('Bảo hiểm xã hội Việt Nam (thanh quyết toán)', 'Vietnam Social Security (settlement)')],
    onWithdrawal: null,
  },
  {
    id: 'access-audit',
    name: t('Nhật ký truy cập hồ sơ', 'Record access audit'),
    description: t(
      'Ai đã xem hoặc sửa hồ sơ nào, vào lúc nào; không có dữ liệu cá nhân ngoài mã hồ sơ.',
      'Who read or changed which record, when; no personal data beyond the record id.',
    ),
    dataKinds: ['access-audit', 'consent'],
    sensitive: [],
    legalBasis: t(
      'nghĩa vụ pháp lý (Luật 91/2025: trách nhiệm giải trình; bằng chứng về sự đồng ý và việc rút lại)',
      'legal obligation (Law 91/2025: accountability; proof of consent and its withdrawal)',
    ),
    recipients: [t('quản trị viên bệnh viện', 'hospital administrators')],
    onWithdrawal: null,
  },
  {
    id: 'statistics',
    name: t('Thống kê vận hành', 'Operational statistics'),
    description: t(
      'Số lượt, thời gian chờ và số người vắng theo dịch vụ và theo ngày, chỉ lưu dạng số đếm, không có dữ liệu cá nhân.',
      'Tickets, waits and no-shows per service and day, kept as counts without personal data.',
    ),
    dataKinds: ['daily-kpi'],
    sensitive: [],
    legalBasis: t('không có dữ liệu cá nhân (số liệu tổng hợp)', 'no personal data (aggregates)'),
    recipients: [t('quản trị viên bệnh viện', 'hospital administrators')],
    onWithdrawal: null,
  },
  {
    id: 'breach-log',
    name: t('Sổ sự cố dữ liệu cá nhân', 'Personal data breach log'),
    description: t(
      'Các sự cố do quản trị viên ghi nhận và việc thông báo cho cơ quan chức năng trong 72 giờ.',
      'Breaches recorded by administrators and their notification to the authority within 72 hours.',
    ),
    dataKinds: ['breach'],
    sensitive: [],
    legalBasis: t(
      'nghĩa vụ pháp lý (Luật 91/2025: thông báo vi phạm dữ liệu cá nhân)',
      'legal obligation (Law 91/2025: breach notification)',
    ),
    recipients: [
      t(
        'cơ quan bảo vệ dữ liệu cá nhân (A05, Bộ Công an)',
        'the data protection authority (A05, Ministry of Public Security)',
      ),
    ],
    onWithdrawal: null,
  },
];

export function retentionRules(r: RetentionSettings): RetentionRule[] {
  const withVisit = t('theo lượt khám của người bệnh', 'kept while a visit of the patient is kept');
  return [
    { kind: 'identity', days: r.visitDays, legalHold: false, basis: withVisit },
    {
      kind: 'visit',
      days: r.visitDays,
      legalHold: false,
      basis: t('RETENTION_DAYS (cài đặt của quản trị viên)', 'RETENTION_DAYS (admin setting)'),
    },
    {
      kind: 'ticket',
      days: r.visitDays,
      legalHold: false,
      basis: t('theo lượt khám; gộp vào số liệu hằng ngày', 'with its visit; folded into daily KPIs'),
    },
    {
      kind: 'insurance-check',
      days: Math.min(r.insuranceCheckDays, r.visitDays),
      legalHold: false,
      basis: t('RETENTION_INSURANCE_CHECK_DAYS', 'RETENTION_INSURANCE_CHECK_DAYS'),
    },
    {
      kind: 'checkin-record',
      days: r.visitDays,
      legalHold: r.keepCheckinRecords,
      basis: t(
        'theo lượt khám; giữ lại khi có yêu cầu xóa để thanh quyết toán BHYT (ERASURE_KEEPS_CHECKIN_RECORDS)',
        'with its visit; kept through an erasure request for BHYT settlement (ERASURE_KEEPS_CHECKIN_RECORDS)',
      ),
    },
    {
      kind: 'emr-delivery',
      days: r.emrDeliveredDays,
      legalHold: false,
      basis: t('RETENTION_EMR_DELIVERED_DAYS sau khi gửi xong', 'RETENTION_EMR_DELIVERED_DAYS after delivery'),
    },
    {
      kind: 'consent',
      days: null,
      legalHold: true,
      basis: t(
        'lưu cùng hồ sơ người bệnh làm bằng chứng đồng ý và rút lại đồng ý',
        'kept with the patient record as proof of consent and withdrawal',
      ),
    },
    {
      kind: 'access-audit',
      days: r.auditDays,
      legalHold: true,
      basis: t('RETENTION_AUDIT_DAYS', 'RETENTION_AUDIT_DAYS'),
    },
    {
      kind: 'breach',
      days: r.breachDays,
      legalHold: true,
      basis: t('RETENTION_BREACH_DAYS sau khi đóng sự cố', 'RETENTION_BREACH_DAYS after the breach is closed'),
    },
    { kind: 'daily-kpi', days: null, legalHold: false, basis: t('không có dữ liệu cá nhân', 'no personal data') },
    {
      kind: 'appointment',
      days: r.visitDays,
      legalHold: false,
      basis: t(
        'RETENTION_DAYS sau giờ hẹn; theo lượt khám mà lịch hẹn dẫn đến',
        'RETENTION_DAYS after the booked time; with the visit it led to',
      ),
    },
    {
      kind: 'notification',
      days: 1,
      legalHold: false,
      basis: t(
        'chỉ trong lượt khám: xóa khi số cuối cùng kết thúc và khi quét cuối ngày',
        'only while the visit lasts: deleted when its last ticket ends and by the end-of-day sweep',
      ),
    },
    {
      kind: 'identity-conflict',
      days: r.visitDays,
      legalHold: false,
      basis: t('theo lượt khám và hồ sơ người bệnh', 'with its visit and patient'),
    },
    {
      kind: 'payment',
      days: null,
      legalHold: true,
      basis: t(
        'chứng từ kế toán (Luật Kế toán 88/2015); không có dữ liệu cá nhân, tách khỏi lượt khám khi lượt khám bị xóa',
        'accounting records (Law on Accounting 88/2015); no personal data, unlinked from the visit when it is purged',
      ),
    },
  ];
}

export const processingRegister = (controller: string, r: RetentionSettings): ProcessingRegister => ({
  controller,
  purposes,
  retention: retentionRules(r),
});
