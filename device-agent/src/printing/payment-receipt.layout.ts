/**
 * What a payment receipt (biên lai) and a printed VietQR slip say, as the same items a ticket is
 * made of, so the one encoder and the one print path serve them. No personal data: the amount,
 * the per-visit reference, the bank transaction, the time, and the e-invoice's lookup code once issued.
 */
import type { PaymentIntent } from '@kiosk/protocol';
import { formatIssuedAt, type TicketItem } from './ticket.layout';

/** `150.000 đ`: Vietnamese digit grouping, no decimals. */
export function formatVnd(amountVnd: number): string {
  return `${String(Math.round(amountVnd)).replace(/\B(?=(\d{3})+(?!\d))/gu, '.')} đ`;
}

const method: Record<PaymentIntent['method'], string> = {
  vietqr: 'Chuyển khoản VietQR',
  card: 'Thẻ ngân hàng',
  cashier: 'Thu ngân',
};

/** The receipt of a paid fee; `ticketNumber` when the ticket is already known. */
export function layoutPaymentReceipt(
  payment: PaymentIntent,
  options: { hospitalName?: string; ticketNumber?: string; timeZone?: string } = {},
): TicketItem[] {
  const items: TicketItem[] = [];
  if (options.hospitalName) items.push({ kind: 'text', text: options.hospitalName, align: 'center', bold: true });
  items.push(
    { kind: 'text', text: 'BIÊN LAI THU TIỀN KHÁM BỆNH', align: 'center', bold: true },
    { kind: 'rule' },
    { kind: 'text', text: `Số tiền: ${formatVnd(payment.amountVnd)}`, align: 'left', bold: true },
    { kind: 'text', text: `Hình thức: ${method[payment.method]}`, align: 'left' },
    // A card payment names the card as the terminal's slip does: its scheme and last 4 digits only.
    ...(payment.card
      ? ([
          { kind: 'text', text: `Thẻ ••••${payment.card.last4} (${payment.card.scheme})`, align: 'left' },
          {
            kind: 'text',
            text: `Mã chuẩn chi: ${payment.card.approvalCode} · RRN: ${payment.card.rrn}`,
            align: 'left',
          },
        ] as const)
      : []),
    { kind: 'text', text: `Mã thanh toán: ${payment.reference}`, align: 'left' },
    {
      kind: 'text',
      text: `Thời gian: ${formatIssuedAt(payment.paidAt ?? payment.createdAt, options.timeZone)}`,
      align: 'left',
    },
  );
  if (options.ticketNumber) items.push({ kind: 'text', text: `STT: ${options.ticketNumber}`, align: 'left' });
  items.push(
    { kind: 'rule' },
    // Issued before the print: where to look it up; otherwise where the patient gets it.
    payment.invoice
      ? {
          kind: 'text',
          text: `Tra cứu hóa đơn: ${payment.invoice.lookupUrl} · Mã: ${payment.invoice.lookupCode}`,
          align: 'left',
          maxLines: 4,
        }
      : {
          kind: 'text',
          text: 'Hóa đơn điện tử (NĐ 123/2020/NĐ-CP) sẽ được gửi sau hoặc nhận tại quầy thu ngân',
          align: 'center',
          maxLines: 3,
        },
    { kind: 'feed', lines: 1 },
  );
  return items;
}

/** A slip with the VietQR to pay with a phone away from the screen. */
export function layoutVietQrSlip(payment: PaymentIntent, options: { timeZone?: string } = {}): TicketItem[] {
  return [
    { kind: 'text', text: 'QUÉT MÃ ĐỂ THANH TOÁN', align: 'center', bold: true },
    { kind: 'text', text: formatVnd(payment.amountVnd), align: 'center', bold: true, scale: 2 },
    { kind: 'qr', payload: payment.qrPayload },
    { kind: 'text', text: `${payment.beneficiary.bankName} ${payment.beneficiary.accountNumber}`, align: 'center' },
    { kind: 'text', text: payment.beneficiary.accountName, align: 'center', maxLines: 2 },
    { kind: 'text', text: `Nội dung: ${payment.reference}`, align: 'center' },
    { kind: 'text', text: `Hết hạn: ${formatIssuedAt(payment.expiresAt, options.timeZone)}`, align: 'center' },
    { kind: 'feed', lines: 1 },
  ];
}
