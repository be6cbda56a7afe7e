/**
 * The hospital's e-invoice provider behind a port (`EInvoiceProvider`), and an HTTP adapter
 * modelled on the Vietnamese providers' create-invoice APIs (Viettel sInvoice, VNPT, MISA
 * meInvoice): a token from `POST /auth/token` (`{ username, password }` → `{ access_token,
 * expires_in }`), then `POST /invoices` with `Authorization: Bearer …` and the invoice as JSON,
 * keyed by `transactionUuid` (our payment reference): the same key again answers the same invoice.
 * Answers: `{ errorCode: null, result: { invoiceNo, reservationCode, lookupUrl } }`; refusals
 * `{ errorCode, description, fields? }` with HTTP 400 (content), 401 (`TOKEN_EXPIRED`: a new token
 * and one more try), 409 (`KEY_CONFLICT`: another invoice under this key); 5xx and time-outs are
 * tried again later. Field names of a refusal are kept, never values. Nothing throws.
 */
import { ok, type Result } from '@kiosk/protocol';
import { HttpClient } from './http.client';
import type { DeliveryError } from './outbox.worker';
import type { EInvoiceData } from './einvoice.builder';

export interface IssuedInvoice {
  /** The invoice number the provider gave (số hóa đơn). */
  invoiceNumber: string;
  /** The lookup code (mã tra cứu) the patient types on the lookup page. */
  lookupCode: string;
  lookupUrl: string;
}

/** The port the outbox's e-invoice destination talks to. */
export interface EInvoiceProvider {
  issue(invoice: EInvoiceData): Promise<Result<IssuedInvoice, DeliveryError>>;
  close(): void;
}

export type EInvoiceErrorCode =
  /** Down, timed out, 5xx: try again later. */
  | 'einvoice-unavailable'
  /** An unreadable answer: try again later. */
  | 'einvoice-bad-response'
  /** Our credentials refused (even with a fresh token). */
  | 'einvoice-auth-failed'
  /** The provider refused the invoice's content. */
  | 'einvoice-rejected'
  /** The provider holds another invoice under this payment reference. */
  | 'einvoice-conflict'
  /** Our own check found the invoice incomplete: never sent. */
  | 'einvoice-invalid';

/** Refusals that wait for an admin (they keep the e-invoice delivery failing). */
export const EINVOICE_REFUSALS: readonly EInvoiceErrorCode[] = [
  'einvoice-rejected',
  'einvoice-conflict',
  'einvoice-auth-failed',
  'einvoice-invalid',
];

/** Staff read these in the delivery list: the reason in words, no personal data. */
const MESSAGES: Record<EInvoiceErrorCode, string> = {
  'einvoice-unavailable': 'the e-invoice provider is unreachable or failing; trying again',
  'einvoice-bad-response': 'the e-invoice provider answered something unreadable; trying again',
  'einvoice-auth-failed': 'the e-invoice provider refused our credentials (EINVOICE_USER / EINVOICE_PASSWORD)',
  'einvoice-rejected': 'the e-invoice provider refused the invoice data',
  'einvoice-conflict': 'the e-invoice provider holds another invoice for this payment reference',
  'einvoice-invalid': 'the invoice data is incomplete (facility tax code, address, template or series)',
};

export function einvoiceError(code: EInvoiceErrorCode, detail?: string): { ok: false; error: DeliveryError } {
  const retriable = code === 'einvoice-unavailable' || code === 'einvoice-bad-response';
  const message = detail && !retriable ? `${MESSAGES[code]} (${detail})` : MESSAGES[code];
  return { ok: false, error: { code, message, retriable, ...(detail ? { detail } : {}) } };
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** One answer of the provider's create-invoice call; `'token-refused'` is the caller's (refresh). */
export function einvoiceMeaningOf(
  status: number,
  body: unknown,
): Result<IssuedInvoice, DeliveryError> | 'token-refused' {
  const code = isObj(body) ? str(body['errorCode']) : undefined;
  if (status === 401 || code === 'TOKEN_EXPIRED' || code === 'UNAUTHORIZED') return 'token-refused';
  if (status >= 500 || status === 429) return einvoiceError('einvoice-unavailable', `http-${status}`);
  if (!isObj(body)) return einvoiceError('einvoice-bad-response', `http-${status}`);
  if (status === 409 || code === 'KEY_CONFLICT') return einvoiceError('einvoice-conflict', 'KEY_CONFLICT');
  if (status >= 400 || code) {
    const fields = Array.isArray(body['fields'])
      ? body['fields'].filter((f): f is string => typeof f === 'string' && /^[A-Za-z0-9_.[\]]{1,48}$/u.test(f))
      : [];
    const safeCode = code && /^[A-Z0-9_]{1,40}$/u.test(code) ? code : `http-${status}`;
    return einvoiceError(
      'einvoice-rejected',
      `${safeCode}${fields.length ? ` fields:${fields.join(',').slice(0, 160)}` : ''}`,
    );
  }
  const result = body['result'];
  const invoiceNumber = isObj(result) ? str(result['invoiceNo']) : undefined;
  const lookupCode = isObj(result) ? str(result['reservationCode']) : undefined;
  const lookupUrl = isObj(result) ? str(result['lookupUrl']) : undefined;
  if (!invoiceNumber || !lookupCode || !lookupUrl || !/^https?:\/\//u.test(lookupUrl))
    return einvoiceError('einvoice-bad-response', 'result-incomplete');
  return ok({
    invoiceNumber: invoiceNumber.slice(0, 32),
    lookupCode: lookupCode.slice(0, 64),
    lookupUrl: lookupUrl.slice(0, 300),
  });
}

/** The invoice as the provider's create-invoice body. */
export function providerBody(inv: EInvoiceData): Record<string, unknown> {
  return {
    transactionUuid: inv.key,
    templateCode: inv.template,
    invoiceSeries: inv.series,
    issueDate: inv.issueDate,
    currencyCode: inv.currency,
    seller: { name: inv.seller.name, taxCode: inv.seller.taxCode, address: inv.seller.address },
    buyer: {
      name: inv.buyer.name,
      ...(inv.buyer.idNumber ? { idNumber: inv.buyer.idNumber } : {}),
      ...(inv.buyer.taxCode ? { taxCode: inv.buyer.taxCode } : {}),
    },
    items: inv.lines.map((l, i) => ({
      lineNumber: i + 1,
      itemName: l.name,
      unitName: l.unit,
      quantity: l.quantity,
      unitPrice: l.unitPriceVnd,
      itemTotalAmountWithoutTax: l.amountVnd,
      taxPercentage: l.vatRate,
    })),
    summarizeInfo: {
      totalAmountWithoutTax: inv.totalBeforeVatVnd,
      totalTaxAmount: inv.vatAmountVnd,
      totalAmountWithTax: inv.totalVnd,
      totalAmountInWords: inv.totalInWords,
    },
    payments: [{ paymentMethodName: inv.paymentMethod }],
  };
}

export interface EInvoiceHttpOptions {
  baseUrl: string;
  username: string;
  password: string;
  timeoutMs: number;
}

export class EInvoiceHttpAdapter implements EInvoiceProvider {
  private readonly http = new HttpClient();
  private token: { value: string; untilMs: number } | undefined;
  /** Token fetches made (tests). */
  tokenFetches = 0;

  constructor(
    private readonly o: EInvoiceHttpOptions,
    private readonly now: () => number = Date.now,
  ) {}

  private url(path: string): string {
    return `${this.o.baseUrl.replace(/\/+$/u, '')}${path}`;
  }

  private async fetchToken(): Promise<string | 'refused' | 'unreachable'> {
    this.tokenFetches += 1;
    const r = await this.http.request({
      method: 'POST',
      url: this.url('/auth/token'),
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: this.o.username, password: this.o.password }),
      timeoutMs: this.o.timeoutMs,
    });
    if (!r.ok || r.value.status >= 500) return 'unreachable';
    const body = r.value.body;
    const token = isObj(body) ? str(body['access_token']) : undefined;
    if (r.value.status !== 200 || !token) return 'refused';
    const lifetimeS = isObj(body) && typeof body['expires_in'] === 'number' ? body['expires_in'] : 300;
    // A minute's margin so a token is never used at the edge of its life.
    this.token = { value: token, untilMs: this.now() + Math.max(0, lifetimeS - 60) * 1000 };
    return token;
  }

  async issue(invoice: EInvoiceData): Promise<Result<IssuedInvoice, DeliveryError>> {
    const body = JSON.stringify(providerBody(invoice));
    for (let attempt = 0; attempt < 2; attempt++) {
      let token = this.token && this.token.untilMs > this.now() ? this.token.value : undefined;
      if (!token) {
        const fetched = await this.fetchToken();
        if (fetched === 'refused') return einvoiceError('einvoice-auth-failed', 'token');
        if (fetched === 'unreachable') return einvoiceError('einvoice-unavailable', 'token');
        token = fetched;
      }
      const r = await this.http.request({
        method: 'POST',
        url: this.url('/invoices'),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body,
        timeoutMs: this.o.timeoutMs,
      });
      if (!r.ok) return einvoiceError('einvoice-unavailable', r.error.code);
      const meaning = einvoiceMeaningOf(r.value.status, r.value.body);
      if (meaning !== 'token-refused') return meaning;
      this.token = undefined;
    }
    return einvoiceError('einvoice-auth-failed', 'token-refused-twice');
  }

  close(): void {
    this.http.close();
  }
}
