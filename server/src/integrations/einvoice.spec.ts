import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildInvoice, invoiceIssues, NO_BUYER, type InvoiceOptions } from './einvoice.builder';
import { einvoiceMeaningOf, providerBody } from './einvoice.adapter';
import { integrationConfigIssues, integrationConfigSchema } from './integration.config';

const options: InvoiceOptions = {
  seller: { name: 'Bệnh viện Đa khoa Thành phố Cần Thơ', taxCode: '1800158023', address: '4 Châu Văn Liêm, Ninh Kiều' },
  template: '1',
  series: 'C26TBV',
};
const fee = {
  reference: 'KP0123456789',
  method: 'vietqr',
  amountVnd: 30_000,
  serviceName: 'Khám Nội',
  day: '2026-03-02',
};

describe('the e-invoice of a paid fee', () => {
  it('carries every Decree 123 field: seller, template/series, date, buyer, line, KCT, totals and words, method', () => {
    const inv = buildInvoice(fee, options);
    expect(inv).toMatchObject({
      key: 'KP0123456789',
      template: '1',
      series: 'C26TBV',
      issueDate: '2026-03-02',
      seller: options.seller,
      buyer: { name: NO_BUYER },
      lines: [{ name: 'Khám Nội', unit: 'Lần', quantity: 1, unitPriceVnd: 30_000, amountVnd: 30_000, vatRate: 'KCT' }],
      totalBeforeVatVnd: 30_000,
      vatAmountVnd: 0,
      totalVnd: 30_000,
      totalInWords: 'Ba mươi nghìn đồng',
      paymentMethod: 'Chuyển khoản',
      currency: 'VND',
    });
    expect(invoiceIssues(inv)).toEqual([]);
    expect(buildInvoice({ ...fee, method: 'card' }, options).paymentMethod).toBe('Thẻ');
    expect(buildInvoice({ ...fee, method: 'cashier' }, options).paymentMethod).toBe('Tiền mặt');
  });

  it('names the buyer and their CCCD or tax code only when given', () => {
    const named = buildInvoice({ ...fee, buyer: { name: 'Công ty TNHH An Phát', taxCode: '0312345678' } }, options);
    expect(named.buyer).toEqual({ name: 'Công ty TNHH An Phát', taxCode: '0312345678' });
    expect(providerBody(named)['buyer']).toEqual({ name: 'Công ty TNHH An Phát', taxCode: '0312345678' });
  });

  it('finds what is missing or does not add up, by field name', () => {
    const inv = buildInvoice(fee, { ...options, seller: { ...options.seller, taxCode: '' }, series: 'X' });
    expect(invoiceIssues(inv)).toEqual(['series', 'seller.taxCode']);
    expect(invoiceIssues({ ...buildInvoice(fee, options), totalInWords: 'Ba mươi đồng' })).toEqual(['totalInWords']);
    expect(invoiceIssues({ ...buildInvoice(fee, options), totalVnd: 31_000 })).toContain('totalVnd');
  });

  it('property: any paid amount gives a complete invoice whose totals add up', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000_000 }), fc.constantFrom('vietqr', 'card', 'cashier'), (a, m) => {
        expect(invoiceIssues(buildInvoice({ ...fee, amountVnd: a, method: m }, options))).toEqual([]);
      }),
    );
  });
});

describe('the provider’s answers', () => {
  const issued = { invoiceNo: 'C26TBV-0000123', reservationCode: 'ABCD1234', lookupUrl: 'https://tracuu.example.vn' };

  it('an issued invoice keeps its number, lookup code and lookup URL', () => {
    expect(einvoiceMeaningOf(200, { errorCode: null, result: issued })).toEqual({
      ok: true,
      value: { invoiceNumber: 'C26TBV-0000123', lookupCode: 'ABCD1234', lookupUrl: 'https://tracuu.example.vn' },
    });
  });

  it('5xx and unreadable answers are tried again; refusals and conflicts wait for staff; 401 refreshes', () => {
    const error = (r: ReturnType<typeof einvoiceMeaningOf>) => (r !== 'token-refused' && !r.ok ? r.error : undefined);
    expect(error(einvoiceMeaningOf(503, 'down'))).toMatchObject({ code: 'einvoice-unavailable', retriable: true });
    expect(error(einvoiceMeaningOf(200, '<html>'))).toMatchObject({ code: 'einvoice-bad-response', retriable: true });
    expect(error(einvoiceMeaningOf(200, { result: {} }))).toMatchObject({ code: 'einvoice-bad-response' });
    expect(
      error(einvoiceMeaningOf(400, { errorCode: 'INVALID_DATA', fields: ['seller.taxCode', 'Nguyễn Văn A'] })),
    ).toMatchObject({ code: 'einvoice-rejected', retriable: false, detail: 'INVALID_DATA fields:seller.taxCode' });
    expect(error(einvoiceMeaningOf(409, { errorCode: 'KEY_CONFLICT' }))).toMatchObject({
      code: 'einvoice-conflict',
      retriable: false,
    });
    expect(einvoiceMeaningOf(401, { errorCode: 'TOKEN_EXPIRED' })).toBe('token-refused');
    expect(einvoiceMeaningOf(200, { errorCode: 'TOKEN_EXPIRED' })).toBe('token-refused');
  });

  it('property: any answer maps to a result and never throws', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 599 }), fc.jsonValue(), (status, body) => {
        expect(() => einvoiceMeaningOf(status, body)).not.toThrow();
      }),
    );
  });
});

describe('e-invoice configuration', () => {
  it('is off while EINVOICE_URL is unset; with it, credentials, tax code and address are required', () => {
    const off = integrationConfigSchema.parse({});
    expect(off.EINVOICE_URL).toBeUndefined();
    expect(off).toMatchObject({ EINVOICE_TEMPLATE: '1', EINVOICE_SERIES: 'C26TBV' });
    expect(integrationConfigIssues(off)).toEqual([]);
    const on = integrationConfigSchema.parse({ EINVOICE_URL: 'https://hddt.example.vn/api', EINVOICE_USER: 'bv' });
    expect(integrationConfigIssues(on)).toEqual([
      'EINVOICE_PASSWORD: required when EINVOICE_URL is set',
      'EINVOICE_SELLER_TAX_CODE: required when EINVOICE_URL is set',
      'EINVOICE_SELLER_ADDRESS: required when EINVOICE_URL is set',
    ]);
    expect(integrationConfigSchema.safeParse({ EINVOICE_SERIES: '1C26TBV' }).success).toBe(false);
    expect(integrationConfigSchema.safeParse({ EINVOICE_SELLER_TAX_CODE: '1800158023-001' }).success).toBe(true);
  });
});
