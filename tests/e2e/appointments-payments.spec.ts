/**
 * Booked patients and the examination fee at the kiosk, the whole system as `npm start` runs it:
 * a booking found by its QR, its code and the patient's CCCD is checked in with one tap to the
 * booked clinic; a fee-paying patient pays by VietQR and the bank's contract simulator confirms it
 * (ticket and receipt printed); a wrong amount and a forged notification do not; an unpaid VietQR
 * expires and the patient is sent to the cashier with a ticket.
 */
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { parseVietQr, type Appointment, type Identity } from '@kiosk/protocol';
import { startBankSimulator, type BankSimulator } from '../support/bank-simulator';
import {
  audit,
  cccdQr,
  expectOk,
  keepScreenshot,
  logins,
  openKiosk,
  simScan,
  simulator,
  staffApi,
  type Sim,
} from './support';
import { ports } from '../playwright.config';

const lan: Identity = {
  source: 'cccd-qr',
  idNumber: '079188012345',
  fullName: 'Nguyễn Thị Lan',
  dateOfBirth: '1988-03-12',
  sex: 'female',
};

let admin: APIRequestContext;
let reception: APIRequestContext;
let bank: BankSimulator;
let sim: Sim;

test.beforeAll(async () => {
  admin = await staffApi(logins.admin);
  reception = await staffApi(logins.reception);
  sim = await simulator();
  bank = await startBankSimulator({
    webhookUrl: `http://127.0.0.1:${ports.server}/api/payments/bank-notifications`,
    secret: 'e2e-bank-webhook-secret-0001',
    accountNumber: '0071000555666',
  });
});

test.afterAll(async () => {
  // Other journeys check fee-paying patients in without a fee step.
  await admin.put('/api/admin/payments/prices', { data: [] });
  sim.close();
  await bank.close();
});

const printedCount = async () =>
  expectOk(
    await new Promise<
      { ok: true; value: { jobs: unknown[] } } | { ok: false; error: { code: string; message: string } }
    >((resolve) => sim.emit('sim:list-printed', {}, resolve)),
  ).jobs.length;

async function book(serviceId: string, identity: Identity): Promise<Appointment> {
  const r = await reception.post('/api/counter/appointments', {
    data: { serviceId, startsAt: new Date(Date.now() + 10 * 60_000).toISOString(), identity, doctor: 'BS. Lê Văn Tâm' },
  });
  const body = (await r.json()) as { ok: boolean; value?: Appointment };
  if (!body.value) throw new Error(`booking refused: ${r.status()}`);
  return body.value;
}

async function checkInFound(page: Page, appointment: Appointment): Promise<void> {
  const card = page.getByTestId('appointment');
  await expect(card).toHaveCount(1);
  await expect(card).toHaveAttribute('data-timing', 'on-time');
  await card.getByTestId('appt-check-in').click();
  await expect(page.getByTestId('ticket-number')).toHaveText(/^[A-Z]{1,3}\d{3}$/u);
  await expect(page.getByTestId('printed')).toBeVisible();
  const day = (await (await reception.get('/api/counter/appointments')).json()) as { value: Appointment[] };
  expect(day.value.find((a) => a.appointmentId === appointment.appointmentId)?.status).toBe('arrived');
  await page.getByTestId('done').click();
}

test.describe('booked appointments', () => {
  test('by booking code: typed, found, one tap → ticket to the booked clinic', async ({ page }) => {
    const appointment = await book('tai-mui-hong', { ...lan, idNumber: '079188000001' });
    await openKiosk(page);
    await page.getByTestId('appointment-start').click();
    await page.getByTestId('booking-code').fill(appointment.bookingCode);
    await page.getByTestId('booking-find').click();
    await checkInFound(page, appointment);
  });

  test('by booking QR: the app link scanned on the attract screen', async ({ page }) => {
    const appointment = await book('nhi-khoa', { ...lan, idNumber: '079188000002' });
    await openKiosk(page);
    await simScan(sim, `https://benhvien.example.vn/lich-hen?code=${appointment.bookingCode}`);
    await expect(page.getByTestId('appointments')).toBeVisible();
    await checkInFound(page, appointment);
  });

  test("by CCCD: the card scanned in 'Tôi đã đặt lịch' finds today's booking", async ({ page }) => {
    const appointment = await book('san-phu-khoa', lan);
    await openKiosk(page);
    await page.getByTestId('appointment-start').click();
    await simScan(sim, cccdQr);
    await checkInFound(page, appointment);
  });
});

test.describe('the examination fee by VietQR', () => {
  test.beforeAll(async () => {
    const r = await admin.put('/api/admin/payments/prices', {
      data: [{ serviceId: 'noi-tong-quat', patientClass: 'fee-paying', amountVnd: 150_000 }],
    });
    expect(r.ok()).toBe(true);
  });

  /** From the attract screen to the fee step, a fee-paying patient (CCCD QR, no insurance card). */
  async function toFee(page: Page) {
    await openKiosk(page);
    await simScan(sim, cccdQr);
    await page.getByTestId('confirm-yes').click();
    await page.getByTestId('consent-agree').click();
    await page.getByTestId('service-noi-tong-quat').click();
    await page.getByTestId('submit').click();
    await expect(page.getByTestId('pay-amount')).toHaveText('150.000 đ');
    await page.getByTestId('pay-vietqr').click();
    const qr = page.getByTestId('vietqr');
    await expect(qr).toBeVisible();
    const payload = (await qr.getAttribute('data-payload')) ?? '';
    const parsed = parseVietQr(payload);
    expect(parsed.ok && parsed.value).toMatchObject({ amountVnd: 150_000, accountNumber: '0071000555666' });
    const reference = (await page.getByTestId('pay-reference').textContent()) ?? '';
    expect(parsed.ok && parsed.value.reference).toBe(reference);
    return reference;
  }

  test('the bank confirms → the ticket and the receipt print', async ({ page }) => {
    const reference = await toFee(page);
    const before = await printedCount();
    const delivery = await bank.transfer({ content: `MBVCB.1234.${reference}.thanh toan`, amountVnd: 150_000 });
    expect(delivery.status).toBe(200);
    await expect(page.getByTestId('ticket-number')).toHaveText(/^[A-Z]{1,3}\d{3}$/u);
    await expect(page.getByTestId('printed')).toBeVisible();
    await expect(page.getByTestId('receipt-printed')).toBeVisible();
    expect(await printedCount()).toBe(before + 2);
  });

  test('a wrong amount and a forged notification are refused; the patient chooses the cashier', async ({ page }) => {
    const reference = await toFee(page);
    const less = await bank.transfer({ content: reference, amountVnd: 15_000 });
    expect(less.body).toMatchObject({ ok: true, value: { outcome: 'amount-mismatch' } });
    const forged = await bank.transfer({ content: reference, amountVnd: 150_000, secret: 'guessed-secret-0000000' });
    expect(forged.status).toBe(401);
    await expect(page.getByTestId('payment')).toHaveAttribute('data-state', 'qr');
    await page.getByTestId('pay-cashier').click();
    await expect(page.getByTestId('ticket-number')).toBeVisible();
    await expect(page.getByTestId('pay-at-cashier')).toBeVisible();
  });

  test.describe('landscape (1920×1080)', () => {
    test.use({ viewport: { width: 1920, height: 1080 } });
    test('the VietQR, the bank details and every way on fit the screen', async ({ page }) => {
      await toFee(page);
      for (const id of ['vietqr', 'pay-reference', 'pay-cashier', 'start-over'])
        await expect(page.getByTestId(id)).toBeInViewport({ ratio: 1 });
      await audit(page, 'VietQR, landscape');
      await keepScreenshot(page, 'kiosk-fee-vietqr-1920x1080');
    });
  });

  test('no payment in time → sent to the cashier with a ticket', async ({ page }) => {
    await toFee(page);
    // The server's expiry (12 s in this stack) reaches the page through the agent.
    await expect(page.getByTestId('pay-expired')).toBeVisible({ timeout: 45_000 });
    await page.getByTestId('pay-to-cashier').click();
    await expect(page.getByTestId('ticket-number')).toBeVisible();
    await expect(page.getByTestId('pay-at-cashier')).toBeVisible();
  });
});

test.describe('the examination fee by card, on the kiosk’s terminal', () => {
  test.use({ viewport: { width: 1080, height: 1920 } });
  const setTerminal = (
    behaviour: 'approve' | 'decline' | 'cancel' | 'busy' | 'no-answer',
    scope: 'all' | 'next' = 'next',
  ) => new Promise<{ ok: boolean }>((resolve) => sim.emit('sim:set-card-terminal', { behaviour, scope }, resolve));

  test.beforeAll(async () => {
    const r = await admin.put('/api/admin/payments/prices', {
      data: [{ serviceId: 'noi-tong-quat', patientClass: 'fee-paying', amountVnd: 150_000 }],
    });
    expect(r.ok()).toBe(true);
  });
  test.afterAll(async () => {
    await setTerminal('approve', 'all');
  });

  /** A fee-paying patient at the fee step, the card button offered because the terminal is ready. */
  async function toCard(page: Page) {
    await openKiosk(page);
    await simScan(sim, cccdQr);
    await page.getByTestId('confirm-yes').click();
    await page.getByTestId('consent-agree').click();
    await page.getByTestId('service-noi-tong-quat').click();
    await page.getByTestId('submit').click();
    await expect(page.getByTestId('pay-amount')).toHaveText('150.000 đ');
    await expect(page.getByTestId('pay-card')).toBeVisible();
    // Each way to pay is a big button in the lower half, within reach.
    for (const id of ['pay-vietqr', 'pay-card', 'pay-cashier']) await expectWithinReach(page, id);
  }

  /** A big button (≥ 96 px high) in the lower half of the screen, portrait or landscape. */
  async function expectWithinReach(page: Page, testId: string) {
    const box = await page.getByTestId(testId).boundingBox();
    expect(box?.height ?? 0).toBeGreaterThanOrEqual(96);
    expect(box?.y ?? 0).toBeGreaterThan((page.viewportSize()?.height ?? 0) / 2);
  }

  /** A card sale started with the terminal waiting for a card that never comes. */
  async function startWaitingSale(page: Page) {
    await toCard(page);
    expect((await setTerminal('no-answer')).ok).toBe(true);
    await page.getByTestId('pay-card').click();
    await expect(page.getByTestId('pay-card-waiting')).toBeVisible();
  }

  /** The state of the newest card payment in today's reconciliation. */
  async function lastCardPaymentState(): Promise<string | undefined> {
    const r = await admin.get('/api/admin/payments/reconciliation');
    const body = (await r.json()) as { value: { payments: { method: string; state: string; createdAt: string }[] } };
    const card = body.value.payments.filter((p) => p.method === 'card');
    card.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    return card.at(-1)?.state;
  }

  test('approved at the terminal → paid once, the ticket and the card receipt print', async ({ page }) => {
    await toCard(page);
    await keepScreenshot(page, 'kiosk-fee-card-1080x1920');
    expect((await setTerminal('approve')).ok).toBe(true);
    const before = await printedCount();
    await page.getByTestId('pay-card').click();
    await expect(page.getByTestId('ticket-number')).toHaveText(/^[A-Z]{1,3}\d{3}$/u, { timeout: 30_000 });
    await expect(page.getByTestId('printed')).toBeVisible();
    await expect(page.getByTestId('receipt-printed')).toBeVisible();
    expect(await printedCount()).toBe(before + 2);
    // The day's reconciliation lists it as a card payment, paid, with the card as its last 4 digits only.
    const r = await admin.get('/api/admin/payments/reconciliation');
    const body = (await r.json()) as { value: { payments: { method: string; state: string }[] } };
    expect(body.value.payments.some((p) => p.method === 'card' && p.state === 'paid')).toBe(true);
  });

  test('declined: the reason in plain words, then the patient chooses the cashier and gets a ticket', async ({
    page,
  }) => {
    await toCard(page);
    expect((await setTerminal('decline')).ok).toBe(true);
    await page.getByTestId('pay-card').click();
    const problem = page.getByTestId('pay-problem');
    await expect(problem).toHaveAttribute('data-problem', 'pay.card-declined', { timeout: 30_000 });
    await expect(problem).toContainText('Thẻ bị từ chối');
    await expect(page.getByTestId('pay-card-reason')).toHaveText('INSUFFICIENT FUNDS');
    await audit(page, 'card declined');
    await keepScreenshot(page, 'kiosk-card-declined-1080x1920');
    // Every way on is still offered: another card, VietQR, the cashier.
    await expect(page.getByTestId('pay-card')).toBeVisible();
    await expect(page.getByTestId('pay-vietqr')).toBeVisible();
    await page.getByTestId('pay-cashier').click();
    await expect(page.getByTestId('ticket-number')).toBeVisible();
    await expect(page.getByTestId('pay-at-cashier')).toBeVisible();
  });

  test('cancelled at the terminal, in English: the message says so; a second try is approved', async ({ page }) => {
    await toCard(page);
    await page.locator('[data-lang="en"]').click();
    expect((await setTerminal('cancel')).ok).toBe(true);
    await page.getByTestId('pay-card').click();
    await expect(page.getByTestId('pay-problem')).toContainText('The card payment was cancelled', {
      timeout: 30_000,
    });
    await page.getByTestId('pay-card').click();
    await expect(page.getByTestId('ticket-number')).toHaveText(/^[A-Z]{1,3}\d{3}$/u, { timeout: 30_000 });
    await expect(page.getByTestId('receipt-printed')).toBeVisible();
  });

  test('the patient stops the card payment at the kiosk: the terminal stops, every other way is offered', async ({
    page,
  }) => {
    await startWaitingSale(page);
    await expectWithinReach(page, 'pay-card-stop');
    await audit(page, 'card waiting');
    await keepScreenshot(page, 'kiosk-card-waiting-1080x1920');
    await page.getByTestId('pay-card-stop').click();
    const problem = page.getByTestId('pay-problem');
    await expect(problem).toHaveAttribute('data-problem', 'pay.card-cancelled', { timeout: 30_000 });
    await expect.poll(lastCardPaymentState).toBe('cancelled');
    await expect(page.getByTestId('pay-card')).toBeVisible();
    await page.getByTestId('pay-cashier').click();
    await expect(page.getByTestId('ticket-number')).toBeVisible();
  });

  test('"start over" while the terminal waits for the card: the sale is stopped, nothing is paid, the next patient pays', async ({
    page,
  }) => {
    await startWaitingSale(page);
    await page.getByTestId('start-over').click();
    await expect(page.getByTestId('payment')).toHaveCount(0);
    await expect.poll(lastCardPaymentState).toBe('cancelled');
    // The terminal is free again: the next patient is offered the card, and it is approved.
    await toCard(page);
    await page.getByTestId('pay-card').click();
    await expect(page.getByTestId('ticket-number')).toHaveText(/^[A-Z]{1,3}\d{3}$/u, { timeout: 30_000 });
    await expect.poll(lastCardPaymentState).toBe('paid');
  });

  test.describe('landscape (1920×1080)', () => {
    test.use({ viewport: { width: 1920, height: 1080 } });
    test('the fee step with the card, and the wait at the terminal, within reach', async ({ page }) => {
      await toCard(page);
      // Nothing to scroll for: the back / start-over bar is on the screen.
      await expect(page.getByTestId('start-over')).toBeInViewport({ ratio: 1 });
      await keepScreenshot(page, 'kiosk-fee-card-1920x1080');
      expect((await setTerminal('no-answer')).ok).toBe(true);
      await page.getByTestId('pay-card').click();
      await expect(page.getByTestId('pay-card-waiting')).toBeVisible();
      await expectWithinReach(page, 'pay-card-stop');
      await expect(page.getByTestId('start-over')).toBeInViewport({ ratio: 1 });
      await audit(page, 'card waiting, landscape');
      await keepScreenshot(page, 'kiosk-card-waiting-1920x1080');
      await page.getByTestId('pay-card-stop').click();
      await expect(page.getByTestId('pay-problem')).toHaveAttribute('data-problem', 'pay.card-cancelled', {
        timeout: 30_000,
      });
    });
  });
});
