/**
 * Payments over HTTP: the bank's signed notification webhook (public, verified by signature), the
 * price list, refunds at the counter, and the day's reconciliation for admins (JSON and CSV).
 */
import { z } from 'zod';
import { bankStatementAtRest, ok, priceListSchema, type BankStatementStatus } from '@kiosk/protocol';
import type { Services } from '../services';
import type { ApiRegistry } from './api';
import { ADMIN, COUNTER, STAFF } from '../access';
import { facilityDay, type Clock } from '../clock';
import { csvCell } from '../services/report-export';

const dayQuery = z.object({
  day: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/u)
    .optional(),
});
const paymentParams = z.object({ paymentId: z.string().uuid() });
const visitParams = z.object({ visitId: z.string().min(1).max(64) });

export function registerPaymentRoutes(api: ApiRegistry, s: Services, timeZone: string, clock: Clock): void {
  const dayOf = (day: string | undefined) => day ?? facilityDay(clock.now(), timeZone);
  api.define(
    {
      method: 'POST',
      url: '/api/payments/bank-notifications',
      summary:
        "The bank's transfer notification (header x-bank-signature: t=<unix>,v1=<HMAC-SHA256 of 't.body'>); idempotent on its transaction id",
      tag: 'bank',
      access: 'public',
      rawBody: true,
    },
    async ({ rawBody, req }) => {
      const signature = req.headers['x-bank-signature'];
      return s.payments.receiveNotification(rawBody ?? '', typeof signature === 'string' ? signature : undefined);
    },
  );
  api.define(
    { method: 'GET', url: '/api/payments/prices', summary: 'The fee price list', tag: 'payments', access: STAFF },
    async () => ok(await s.payments.prices()),
  );
  api.define(
    {
      method: 'PUT',
      url: '/api/admin/payments/prices',
      summary: 'Replaces the fee price list (per service and patient class, integer VND)',
      tag: 'payments',
      access: ADMIN,
      body: priceListSchema,
    },
    async ({ body, user }) => {
      const result = await s.payments.replacePrices(body);
      if (result.ok) await s.auth.audit(user.username, 'price-list-replace', `${body.length} prices`);
      return result;
    },
  );
  api.define(
    {
      method: 'POST',
      url: '/api/payments/:paymentId/refund',
      summary: 'Records the refund of a paid fee (a cancelled visit)',
      tag: 'payments',
      access: COUNTER,
      params: paymentParams,
    },
    async ({ params, user }) => {
      const result = await s.payments.refund(params.paymentId, user.username);
      if (result.ok) await s.auth.audit(user.username, 'payment-refund', params.paymentId);
      return result;
    },
  );
  api.define(
    {
      method: 'POST',
      url: '/api/payments/visits/:visitId/refund',
      summary: 'A visit was cancelled: refunds every paid fee of it',
      tag: 'payments',
      access: COUNTER,
      params: visitParams,
    },
    async ({ params, user }) => {
      const refunded = await s.payments.refundVisit(params.visitId, user.username);
      await s.auth.audit(user.username, 'visit-refund', params.visitId);
      return ok({ refunded });
    },
  );
  api.define(
    {
      method: 'GET',
      url: '/api/admin/payments/reconciliation',
      summary: "A day's payments against the bank's notifications, and the notifications that settled nothing",
      tag: 'payments',
      access: ADMIN,
      query: dayQuery,
    },
    async ({ query }) => {
      const day = dayOf(query.day);
      return ok({ day, ...(await s.payments.reconciliation(day)) });
    },
  );
  api.define(
    {
      method: 'GET',
      url: '/api/admin/payments/reconciliation/export',
      summary: 'The same reconciliation as a CSV file',
      tag: 'payments',
      access: ADMIN,
      query: dayQuery,
      raw: true,
    },
    async ({ query, reply }) => {
      const day = dayOf(query.day);
      const { payments, unmatched } = await s.payments.reconciliation(day);
      const lines = [
        'kind,payment_id,reference,service_id,method,state,amount_vnd,created_at,paid_at,bank_transaction_id,bank_amount_vnd,refunded_at,outcome',
        ...payments.map((p) =>
          [
            'payment',
            p.paymentId,
            p.reference,
            p.serviceId,
            p.method,
            p.state,
            p.amountVnd,
            p.createdAt,
            p.paidAt,
            p.bankTransactionId,
            p.bankAmountVnd,
            p.refundedAt,
            null,
          ]
            .map(csvCell)
            .join(','),
        ),
        ...unmatched.map((n) =>
          [
            'notification',
            n.paymentId,
            n.reference,
            null,
            null,
            null,
            null,
            n.receivedAt,
            null,
            n.transactionId,
            n.amountVnd,
            null,
            n.outcome,
          ]
            .map(csvCell)
            .join(','),
        ),
      ];
      await reply
        .header('content-disposition', `attachment; filename="doi-soat-${day}.csv"`)
        .header('cache-control', 'no-store')
        .header('content-type', 'text/csv; charset=utf-8')
        .send(`\uFEFF${lines.join('\r\n')}\r\n`);
    },
  );
}

/** How the reading of the bank's statement goes (the reconciliation page shows it). */
export function registerBankStatementRoute(api: ApiRegistry, status: () => BankStatementStatus | undefined): void {
  api.define(
    {
      method: 'GET',
      url: '/api/admin/payments/bank-statement',
      summary: "The reading of the bank's statement API: off, ok, failing or authorization refused; the cursor",
      tag: 'payments',
      access: ADMIN,
    },
    async () => ok(status() ?? bankStatementAtRest('off')),
  );
}
