/**
 * The admin's payment reconciliation tab, on the whole system as `npm start` runs it: a day with a
 * paid, an expired and a refunded VietQR payment and bank credits that settled nothing (a stranger's
 * transfer, a wrong amount), all driven through the kiosk agent and the bank's contract simulator
 * over HTTP. The page shows each payment with its bank transaction and the day's totals; a paid fee
 * is refunded after a confirmation and recorded with who did it; the CSV downloads and opens; axe
 * finds nothing serious; screenshots at 1920×1080 in both languages.
 */
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { io, type Socket } from 'socket.io-client';
import type { KioskUiToAgentEvents, PaymentIntent, Reconciliation, Result } from '@kiosk/protocol';
import { startBankSimulator, type BankSimulator } from '../support/bank-simulator';
import { audit, keepScreenshot, logins, staffApi, staffLogin } from './support';
import { ports } from '../playwright.config';

const fullHd = { width: 1920, height: 1080 };

let admin: APIRequestContext;
let reception: APIRequestContext;
let bank: BankSimulator;
/** The kiosk page's link to its agent: payments start here as the kiosk's fee step starts them. */
let kiosk: Socket<Record<string, never>, KioskUiToAgentEvents>;

const payments = { paid: '', refunded: '', toRefund: '', expired: '' };
const intents: Record<keyof typeof payments, PaymentIntent | undefined> = {
  paid: undefined,
  refunded: undefined,
  toRefund: undefined,
  expired: undefined,
};
let stranger = '';
let wrongAmount = '';

const reconciliation = async (): Promise<Reconciliation> => {
  const body = (await (await admin.get('/api/admin/payments/reconciliation')).json()) as Result<Reconciliation>;
  if (!body.ok) throw new Error(body.error.code);
  return body.value;
};
const stateOf = async (paymentId: string) =>
  (await reconciliation()).payments.find((p) => p.paymentId === paymentId)?.state;

async function start(): Promise<PaymentIntent> {
  const r = (await kiosk.emitWithAck('payment:start', {
    paymentId: randomUUID(),
    serviceId: 'noi-tong-quat',
    patientClass: 'fee-paying',
  })) as Result<PaymentIntent>;
  if (!r.ok) throw new Error(`payment refused: ${r.error.code}`);
  return r.value;
}

async function paid(): Promise<PaymentIntent> {
  const intent = await start();
  const delivery = await bank.transfer({ content: `MBVCB.5521.${intent.reference}.thanh toan`, amountVnd: 150_000 });
  expect(delivery.body).toMatchObject({ ok: true, value: { outcome: 'matched' } });
  return intent;
}

test.beforeAll(async () => {
  admin = await staffApi(logins.admin);
  reception = await staffApi(logins.reception);
  bank = await startBankSimulator({
    webhookUrl: `http://127.0.0.1:${ports.server}/api/payments/bank-notifications`,
    secret: 'e2e-bank-webhook-secret-0001',
    accountNumber: '0071000555666',
  });
  const prices = await admin.put('/api/admin/payments/prices', {
    data: [{ serviceId: 'noi-tong-quat', patientClass: 'fee-paying', amountVnd: 150_000 }],
  });
  expect(prices.ok()).toBe(true);
  kiosk = io(`http://127.0.0.1:${ports.agent}`, { transports: ['websocket'] });
  await new Promise<void>((resolve, reject) => {
    kiosk.once('connect', resolve);
    kiosk.once('connect_error', reject);
  });

  // The day: one paid, one refunded at the counter, one paid to refund on the page, one left to expire.
  intents.expired = await start();
  intents.paid = await paid();
  intents.refunded = await paid();
  intents.toRefund = await paid();
  const refunded = await reception.post(`/api/payments/${intents.refunded.paymentId}/refund`);
  expect(refunded.ok()).toBe(true);
  // Credits that settle nothing: a stranger's transfer, and a wrong amount for the one left unpaid.
  const s = await bank.transfer({ content: 'chuyen tien nham so tai khoan', amountVnd: 200_000 });
  expect(s.body).toMatchObject({ ok: true, value: { outcome: 'unknown-reference' } });
  stranger = s.transactionId;
  const w = await bank.transfer({ content: intents.expired.reference, amountVnd: 15_000 });
  expect(w.body).toMatchObject({ ok: true, value: { outcome: 'amount-mismatch' } });
  wrongAmount = w.transactionId;
  for (const k of Object.keys(payments) as (keyof typeof payments)[]) payments[k] = intents[k]?.reference ?? '';
  // The server's expiry (12 s in this stack) ends the unpaid one.
  await expect.poll(() => stateOf(intents.expired?.paymentId ?? ''), { timeout: 60_000 }).toBe('expired');
});

test.afterAll(async () => {
  // Other journeys check fee-paying patients in without a fee step.
  await admin.put('/api/admin/payments/prices', { data: [] });
  kiosk?.close();
  await bank?.close();
});

/** The figures the page should show, from the server's own reconciliation (the day may hold others' payments). */
async function expectedTotals() {
  const r = await reconciliation();
  const settled = r.payments.filter((p) => p.state === 'paid' || p.state === 'refunded');
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const unmatched = sum(r.unmatched.filter((n) => n.outcome !== 'wrong-account').map((n) => n.amountVnd));
  return {
    expected: sum(settled.map((p) => p.amountVnd)),
    received: sum(settled.map((p) => p.bankAmountVnd ?? 0)) + unmatched,
    unmatched,
    refunded: sum(r.payments.filter((p) => p.state === 'refunded').map((p) => p.amountVnd)),
  };
}
const vnd = (n: number) => `${String(n).replace(/\B(?=(\d{3})+(?!\d))/gu, '.')} đ`;

async function openTab(page: Page) {
  await page.setViewportSize(fullHd);
  await staffLogin(page, '/admin/', logins.admin);
  await page.getByRole('button', { name: 'Đối soát thanh toán', exact: true }).click();
  await expect(page.getByTestId('recon-payments')).toBeVisible();
}
const rowOf = (page: Page, reference: string) =>
  page.locator(`[data-testid="recon-payment"][data-reference="${reference}"]`);

test('the day: payments with their bank transactions, unmatched credits, totals', async ({ page }) => {
  await openTab(page);
  const r = await reconciliation();
  for (const [which, state] of [
    ['paid', 'paid'],
    ['refunded', 'refunded'],
    ['toRefund', 'paid'],
    ['expired', 'expired'],
  ] as const) {
    const row = rowOf(page, payments[which]);
    await expect(row).toHaveAttribute('data-state', state);
    const line = r.payments.find((p) => p.reference === payments[which]);
    if (line?.bankTransactionId) await expect(row).toContainText(line.bankTransactionId);
  }
  await expect(rowOf(page, payments.refunded).getByTestId('recon-refunded-by')).toContainText('tiepdon');
  await expect(rowOf(page, payments.expired).getByTestId('recon-refund')).toHaveCount(0);
  // The wrong-amount credit names the expired payment: shown there as a credit that did not settle it.
  await expect(rowOf(page, payments.expired).getByTestId('recon-credit-not-settled')).toContainText('15.000 đ');
  await expect(page.locator(`[data-testid="recon-credit"]`, { hasText: stranger })).toHaveAttribute(
    'data-outcome',
    'unknown-reference',
  );
  await expect(page.locator(`[data-testid="recon-credit"]`, { hasText: wrongAmount })).toContainText('Sai số tiền');
  const t = await expectedTotals();
  await expect(page.getByTestId('recon-expected')).toHaveText(vnd(t.expected));
  await expect(page.getByTestId('recon-received')).toHaveText(vnd(t.received));
  await expect(page.getByTestId('recon-unmatched-total')).toHaveText(vnd(t.unmatched));
  await expect(page.getByTestId('recon-refunded')).toHaveText(vnd(t.refunded));
  await expect(page.getByTestId('recon-statement')).toHaveAttribute('data-state', 'off');
  await audit(page, 'reconciliation');
  await keepScreenshot(page, 'admin-payment-reconciliation-1920x1080');

  // The day before holds none of these; the next day from there is this one again.
  const today = r.day;
  await page.getByTestId('recon-prev').click();
  await expect(page.getByTestId('recon-day')).not.toHaveValue(today);
  await expect(rowOf(page, payments.paid)).toHaveCount(0);
  await page.getByTestId('recon-next').click();
  await expect(page.getByTestId('recon-day')).toHaveValue(today);
  await expect(rowOf(page, payments.paid)).toHaveAttribute('data-state', 'paid');
});

test('a paid fee of a cancelled visit is refunded after a confirmation, by keyboard, recorded with who did it', async ({
  page,
}) => {
  await openTab(page);
  const row = rowOf(page, payments.toRefund);
  const refundButton = row.getByTestId('recon-refund');
  // Cancelling the confirmation refunds nothing.
  await refundButton.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByTestId('refund-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(payments.toRefund);
  await expect(dialog).toContainText('150.000 đ');
  await audit(page, 'refund confirmation');
  await keepScreenshot(page, 'admin-payment-refund-confirm-1920x1080');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(row).toHaveAttribute('data-state', 'paid');

  await refundButton.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('refund-confirm')).toBeVisible();
  await page.getByTestId('refund-confirm').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('recon-message')).toContainText(payments.toRefund);
  await expect(row).toHaveAttribute('data-state', 'refunded');
  await expect(row.getByTestId('recon-refunded-by')).toContainText('admin');
  expect(await stateOf(intents.toRefund?.paymentId ?? '')).toBe('refunded');
  const t = await expectedTotals();
  await expect(page.getByTestId('recon-refunded')).toHaveText(vnd(t.refunded));
});

test("the day's CSV downloads and opens", async ({ page }) => {
  await openTab(page);
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('recon-export').click()]);
  expect(csv.suggestedFilename()).toMatch(/^doi-soat-\d{4}-\d{2}-\d{2}\.csv$/u);
  const text = fs.readFileSync(await csv.path(), 'utf8').replace(/^\uFEFF/u, '');
  const lines = text.trim().split('\r\n');
  expect(lines[0]?.split(',')[0]).toBe('kind');
  for (const reference of Object.values(payments)) expect(text).toContain(reference);
  expect(lines.find((l) => l.includes(stranger))).toContain('unknown-reference');
});

test('the tab in English', async ({ page }) => {
  await openTab(page);
  await page.getByTestId('lang-switch').click();
  await expect(page.getByRole('heading', { name: 'Payments reconciled with the bank' })).toBeVisible();
  await expect(page.getByTestId('recon-credit').first()).toBeVisible();
  await audit(page, 'reconciliation in English');
  await keepScreenshot(page, 'admin-payment-reconciliation-english-1920x1080');
  await page.getByTestId('lang-switch').click();
});
