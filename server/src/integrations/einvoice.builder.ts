/**
 * The data of a paid fee's e-invoice, per Decree 123/2020/NĐ-CP art. 10 and Circular 78/2021:
 * the seller (name, tax code, address), the template and series (mẫu số + ký hiệu, `1C26TBV`),
 * the issue date, the buyer (a patient who asks for none: "Người mua không lấy hóa đơn"), the
 * lines (name, unit, quantity, unit price, amount), VAT (medical services are not subject to it:
 * "KCT"), the total in figures and in words, the payment method (TM, CK, thẻ) and the currency.
 * The payment reference is the provider's idempotency key. Built in the settlement's unit of work
 * and stored (sealed) in the outbox row; checked by `invoiceIssues` before it is sent.
 */
import { vndInWords } from './vnd-words';

export interface EInvoiceSeller {
  name: string;
  taxCode: string;
  address: string;
}

export interface EInvoiceBuyer {
  name: string;
  /** CCCD: only when the buyer gave it. */
  idNumber?: string;
  /** Tax code of a company paying: only when given. */
  taxCode?: string;
}

export interface EInvoiceLine {
  name: string;
  unit: string;
  quantity: number;
  unitPriceVnd: number;
  amountVnd: number;
  /** VAT rate: medical examination is not subject to VAT. */
  vatRate: 'KCT';
}

/** The invoice as the outbox carries it and the provider receives it. */
export interface EInvoiceData {
  /** The payment reference: the provider's idempotency key (transactionUuid). */
  key: string;
  /** Mẫu số: 1 (GTGT) or 2 (bán hàng). */
  template: string;
  /** Ký hiệu, 6 characters: `C26TBV`. */
  series: string;
  /** Facility day of the payment (YYYY-MM-DD). */
  issueDate: string;
  seller: EInvoiceSeller;
  buyer: EInvoiceBuyer;
  lines: EInvoiceLine[];
  totalBeforeVatVnd: number;
  vatAmountVnd: number;
  totalVnd: number;
  totalInWords: string;
  /** As invoices print it: "Chuyển khoản" (VietQR), "Thẻ" (card), "Tiền mặt" (cashier). */
  paymentMethod: 'Chuyển khoản' | 'Thẻ' | 'Tiền mặt';
  currency: 'VND';
}

export interface InvoiceOptions {
  seller: EInvoiceSeller;
  template: string;
  series: string;
}

export interface PaidFee {
  reference: string;
  method: string;
  amountVnd: number;
  serviceName: string;
  /** Facility day the fee was paid. */
  day: string;
  buyer?: EInvoiceBuyer;
}

/** Who a receipt is for when the patient asks for no invoice in their name (Circular 78 practice). */
export const NO_BUYER = 'Người mua không lấy hóa đơn';

const METHOD: Record<string, EInvoiceData['paymentMethod']> = {
  vietqr: 'Chuyển khoản',
  card: 'Thẻ',
  cashier: 'Tiền mặt',
};

export function buildInvoice(fee: PaidFee, o: InvoiceOptions): EInvoiceData {
  const buyer: EInvoiceBuyer = fee.buyer
    ? {
        name: fee.buyer.name,
        ...(fee.buyer.idNumber ? { idNumber: fee.buyer.idNumber } : {}),
        ...(fee.buyer.taxCode ? { taxCode: fee.buyer.taxCode } : {}),
      }
    : { name: NO_BUYER };
  return {
    key: fee.reference,
    template: o.template,
    series: o.series,
    issueDate: fee.day,
    seller: o.seller,
    buyer,
    lines: [
      {
        name: fee.serviceName,
        unit: 'Lần',
        quantity: 1,
        unitPriceVnd: fee.amountVnd,
        amountVnd: fee.amountVnd,
        vatRate: 'KCT',
      },
    ],
    totalBeforeVatVnd: fee.amountVnd,
    vatAmountVnd: 0,
    totalVnd: fee.amountVnd,
    totalInWords: vndInWords(fee.amountVnd),
    paymentMethod: METHOD[fee.method] ?? 'Chuyển khoản',
    currency: 'VND',
  };
}

/** Tax codes: 10 digits, or 10 + `-` + 3 for a branch (MST đơn vị phụ thuộc). */
export const TAX_CODE = /^\d{10}(-\d{3})?$/u;
/** Ký hiệu: C/K (with/without the tax authority's code), year, T/D/L/M/N/B/G/H, two letters. */
export const SERIES = /^[CK]\d{2}[TDLMNBGH][A-Z0-9]{2}$/u;

/** What is wrong with an invoice (field names only, never values); empty when it is complete and adds up. */
export function invoiceIssues(inv: EInvoiceData): string[] {
  const issues: string[] = [];
  if (!/^[12]$/u.test(inv.template)) issues.push('template');
  if (!SERIES.test(inv.series)) issues.push('series');
  if (!/^\d{4}-\d{2}-\d{2}$/u.test(inv.issueDate)) issues.push('issueDate');
  if (!inv.seller.name.trim()) issues.push('seller.name');
  if (!TAX_CODE.test(inv.seller.taxCode)) issues.push('seller.taxCode');
  if (!inv.seller.address.trim()) issues.push('seller.address');
  if (!inv.buyer.name.trim()) issues.push('buyer.name');
  if (inv.buyer.taxCode !== undefined && !TAX_CODE.test(inv.buyer.taxCode)) issues.push('buyer.taxCode');
  if (inv.buyer.idNumber !== undefined && !/^\d{12}$/u.test(inv.buyer.idNumber)) issues.push('buyer.idNumber');
  if (inv.lines.length === 0) issues.push('lines');
  for (const [i, l] of inv.lines.entries()) {
    if (!l.name.trim() || !l.unit.trim()) issues.push(`lines[${i}].name`);
    if (l.quantity * l.unitPriceVnd !== l.amountVnd) issues.push(`lines[${i}].amount`);
    if (l.vatRate !== 'KCT') issues.push(`lines[${i}].vatRate`);
  }
  const sum = inv.lines.reduce((s, l) => s + l.amountVnd, 0);
  if (sum !== inv.totalBeforeVatVnd || inv.totalBeforeVatVnd + inv.vatAmountVnd !== inv.totalVnd)
    issues.push('totalVnd');
  if (!Number.isSafeInteger(inv.totalVnd) || inv.totalVnd < 0 || inv.totalInWords !== vndInWords(inv.totalVnd))
    issues.push('totalInWords');
  if (inv.currency !== 'VND') issues.push('currency');
  if (!inv.key) issues.push('key');
  return issues;
}
