/**
 * Fee payment by VietQR on a real server over SQLite and PostgreSQL, confirmed by the bank's
 * contract simulator over HTTP: the kiosk's agent starts a payment and is told when the bank's
 * signed notification settles it; duplicates, wrong amounts, forged and stale signatures, other
 * accounts and late credits settle nothing and are kept for reconciliation; expiry sends the
 * patient to the cashier; refunds; the day's reconciliation as JSON and CSV.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import {
  parseVietQr,
  type AgentToServerEvents,
  type PaymentIntent,
  type PaymentUpdate,
  type ReconciliationRow,
  type Result,
  type ServerToAgentEvents,
} from '@kiosk/protocol';
import {
  api,
  databaseKinds,
  databaseUrl,
  login,
  startServer,
  stopDatabases,
  type RunningServer,
} from '../support/server-harness';
import { startBankSimulator, type BankSimulator } from '../support/bank-simulator';
import { until } from '../support/until';

afterAll(() => stopDatabases());

const SECRET = 'bank-webhook-secret-for-tests-0001';
const ACCOUNT = '0071000123456';

describe.each(databaseKinds)('fee payment by VietQR confirmed by the bank (%s)', (kind) => {
  let server: RunningServer;
  let bank: BankSimulator;
  let agent: Socket<ServerToAgentEvents, AgentToServerEvents>;
  let admin: string;
  let reception: string;
  const updates: PaymentUpdate[] = [];
  /** The server's clock: real time (the bank signs with it) plus what the test moves it on by. */
  let offsetMs = 0;
  const clock = { now: () => new Date(Date.now() + offsetMs) };

  beforeAll(async () => {
    server = await startServer(
      {
        ...(await databaseUrl(kind)),
        BOOTSTRAP_PAIRING_CODE: 'PAYCODE12345',
        BANK_WEBHOOK_SECRETS: `old-secret-still-accepted-01,${SECRET}`,
        PAYMENT_ACCOUNT_NUMBER: ACCOUNT,
        PAYMENT_BANK_BIN: '970436',
        PAYMENT_SWEEP_INTERVAL_MS: '50',
        // The test moves the server's clock by a payment's lifetime; the bank's signatures stay fresh enough.
        BANK_SIGNATURE_TOLERANCE_SECONDS: '1800',
      },
      { clock },
    );
    admin = await login(server.url, 'admin', 'admin-demo');
    reception = await login(server.url, 'tiepdon', 'tiepdon-demo');
    const prices = await api(server.url, admin, 'PUT', '/api/admin/payments/prices', [
      { serviceId: 'noi-tong-quat', patientClass: 'fee-paying', amountVnd: 150_000 },
      { serviceId: 'noi-tong-quat', patientClass: 'insured', amountVnd: 0 },
      { serviceId: 'noi-tong-quat', patientClass: 'insured-out-of-route', amountVnd: 60_000 },
    ]);
    expect(prices.status).toBe(200);
    bank = await startBankSimulator({
      webhookUrl: `${server.url}/api/payments/bank-notifications`,
      secret: SECRET,
      accountNumber: ACCOUNT,
    });
    const enrolled = await api<{ credential: string }>(server.url, undefined, 'POST', '/api/agents/enroll', {
      pairingCode: 'PAYCODE12345',
      name: 'kiosk-thu-phi',
    });
    agent = io(`${server.url}/agent`, {
      auth: { credential: enrolled.body.value?.credential },
      transports: ['websocket'],
      reconnection: false,
    });
    agent.on('payment:updated', (u) => updates.push(u));
    await new Promise<void>((resolve, reject) => {
      agent.once('connect', resolve);
      agent.once('connect_error', reject);
    });
  });
  afterAll(async () => {
    agent?.close();
    await bank?.close();
    await server?.stop();
  });

  const start = async (patientClass: 'fee-paying' | 'insured' | 'insured-out-of-route' = 'fee-paying') => {
    const paymentId = randomUUID();
    const r: Result<PaymentIntent> = await agent.emitWithAck('payment:start', {
      paymentId,
      serviceId: 'noi-tong-quat',
      patientClass,
    });
    return r;
  };
  const started = async () => {
    const r = await start();
    if (!r.ok) throw new Error(r.error.code);
    return r.value;
  };
  const stateOf = async (paymentId: string) => {
    const r = await agent.emitWithAck('payment:status', { paymentId });
    return r.ok ? r.value.state : r.error.code;
  };

  it('quotes from the price list; nothing to pay is not a payment', async () => {
    expect(
      await agent.emitWithAck('payment:quote', { serviceId: 'noi-tong-quat', patientClass: 'fee-paying' }),
    ).toEqual({ ok: true, value: { serviceId: 'noi-tong-quat', patientClass: 'fee-paying', amountVnd: 150_000 } });
    const insured = await start('insured');
    expect(insured.ok || insured.error.code).toBe('nothing-to-pay');
    const unknown = await agent.emitWithAck('payment:quote', { serviceId: 'nhi-khoa', patientClass: 'fee-paying' });
    expect(unknown.ok || unknown.error.code).toBe('unknown-price');
  });

  it('a payment carries a dynamic VietQR to the hospital account with its reference; a retry returns it', async () => {
    const paymentId = randomUUID();
    const request = { paymentId, serviceId: 'noi-tong-quat', patientClass: 'insured-out-of-route' as const };
    const first = await agent.emitWithAck('payment:start', request);
    const again = await agent.emitWithAck('payment:start', request);
    expect(first.ok && again.ok).toBe(true);
    if (!first.ok || !again.ok) return;
    expect(again.value).toEqual(first.value);
    expect(parseVietQr(first.value.qrPayload)).toEqual({
      ok: true,
      value: {
        dynamic: true,
        bankBin: '970436',
        accountNumber: ACCOUNT,
        service: 'QRIBFTTA',
        amountVnd: 60_000,
        reference: first.value.reference,
      },
    });
  });

  it('the signed notification settles the payment and the kiosk is told; a duplicate changes nothing', async () => {
    const intent = await started();
    const delivery = await bank.transfer({ content: `MBVCB.8812.${intent.reference}.CT tu 0123`, amountVnd: 150_000 });
    expect(delivery.status).toBe(200);
    expect(delivery.body).toEqual({ ok: true, value: { outcome: 'matched', paymentId: intent.paymentId } });
    await until(() => expect(updates.find((u) => u.paymentId === intent.paymentId)?.state).toBe('paid'));
    expect(await stateOf(intent.paymentId)).toBe('paid');

    const repeat = await bank.resend(delivery.transactionId);
    expect(repeat).toMatchObject({ status: 200, body: { ok: true, value: { outcome: 'duplicate' } } });
    expect(updates.filter((u) => u.paymentId === intent.paymentId)).toHaveLength(1);

    // Another transfer with the same reference: a double payment to refund, not a second settlement.
    const twice = await bank.transfer({ content: intent.reference, amountVnd: 150_000 });
    expect(twice.body).toMatchObject({ ok: true, value: { outcome: 'already-paid', paymentId: intent.paymentId } });
  });

  it('a wrong amount, another account or an unknown reference settles nothing', async () => {
    const intent = await started();
    const less = await bank.transfer({ content: intent.reference, amountVnd: 15_000 });
    expect(less.body).toEqual({ ok: true, value: { outcome: 'amount-mismatch', paymentId: intent.paymentId } });
    const elsewhere = await bank.transfer({ content: intent.reference, amountVnd: 150_000, accountNumber: '999' });
    expect(elsewhere.body).toMatchObject({ ok: true, value: { outcome: 'wrong-account' } });
    const stranger = await bank.transfer({ content: 'chuyen tien an trua', amountVnd: 150_000 });
    expect(stranger.body).toMatchObject({ ok: true, value: { outcome: 'unknown-reference' } });
    expect(await stateOf(intent.paymentId)).toBe('pending');
  });

  it('forged, tampered and stale notifications are refused and stored nowhere', async () => {
    const intent = await started();
    const forged = await bank.transfer({
      content: intent.reference,
      amountVnd: 150_000,
      secret: 'not-the-bank-secret-xx',
    });
    expect(forged.status).toBe(401);
    expect(forged.body).toMatchObject({ ok: false, error: { code: 'bad-signature' } });
    const stale = await bank.transfer({ content: intent.reference, amountVnd: 150_000, signedAgoS: 7200 });
    expect(stale.status).toBe(401);
    const body = JSON.stringify({
      transactionId: 'FT-TAMPERED-1',
      accountNumber: ACCOUNT,
      amountVnd: 1_000,
      content: intent.reference,
      bookedAt: new Date().toISOString(),
    });
    const signature = bank.sign(body, Math.floor(Date.now() / 1000));
    const tampered = await bank.post(body.replace('1000', '150000'), signature);
    expect(tampered.status).toBe(401);
    expect((await bank.post(body, 'v1=abc')).status).toBe(401);
    expect((await bank.post(body, '')).status).toBe(401);
    expect(await stateOf(intent.paymentId)).toBe('pending');
    const rec = await api<{ unmatched: { transactionId: string }[] }>(
      server.url,
      admin,
      'GET',
      '/api/admin/payments/reconciliation',
    );
    const refusedIds = [forged, stale].map((d) => d.transactionId).concat('FT-TAMPERED-1');
    expect(rec.body.value?.unmatched.some((n) => refusedIds.includes(n.transactionId))).toBe(false);
  });

  it('a signature under the previous secret still verifies (rotation)', async () => {
    const intent = await started();
    const rotated = await bank.transfer({
      content: intent.reference,
      amountVnd: 150_000,
      secret: 'old-secret-still-accepted-01',
    });
    expect(rotated.body).toMatchObject({ ok: true, value: { outcome: 'matched' } });
  });

  it('an unpaid payment expires (→ cashier), its kiosk is told, and a credit after that is late', async () => {
    const intent = await started();
    // The server's clock moves past the deadline; its expiry sweep does the rest.
    offsetMs += Date.parse(intent.expiresAt) - Date.parse(intent.createdAt) + 1000;
    await until(() => expect(updates.find((u) => u.paymentId === intent.paymentId)?.state).toBe('expired'), {
      what: 'the expiry sweep tells the kiosk',
    });
    expect(await stateOf(intent.paymentId)).toBe('expired');
    const late = await bank.transfer({ content: intent.reference, amountVnd: 150_000 });
    expect(late.body).toMatchObject({ ok: true, value: { outcome: 'late', paymentId: intent.paymentId } });
    expect(await stateOf(intent.paymentId)).toBe('expired');
  });

  it('a patient who chooses the cashier cancels the pending payment', async () => {
    const intent = await started();
    expect(await server.app.services.payments.expireDue()).toBe(0);
    expect(await stateOf(intent.paymentId)).toBe('pending');
    const cancelled = await agent.emitWithAck('payment:cancel', { paymentId: intent.paymentId });
    expect(cancelled.ok && cancelled.value.state).toBe('cancelled');
    await until(() => expect(updates.find((u) => u.paymentId === intent.paymentId)?.state).toBe('cancelled'));
  });

  it('a paid fee of a cancelled visit is refunded at the counter; reconciliation shows the day', async () => {
    const intent = await started();
    await bank.transfer({ content: intent.reference, amountVnd: 150_000 });
    expect(await stateOf(intent.paymentId)).toBe('paid');
    await server.app.services.payments.attachVisit(intent.paymentId, 'visit-to-cancel');
    const viewer = await api(server.url, undefined, 'POST', '/api/payments/visits/visit-to-cancel/refund');
    expect(viewer.status).toBe(401);
    const refund = await api<{ refunded: number }>(
      server.url,
      reception,
      'POST',
      '/api/payments/visits/visit-to-cancel/refund',
    );
    expect(refund.body).toEqual({ ok: true, value: { refunded: 1 } });
    expect(await stateOf(intent.paymentId)).toBe('refunded');
    const again = await api(server.url, reception, 'POST', `/api/payments/${intent.paymentId}/refund`);
    expect(again.body.error?.code).toBe('invalid-transition');

    const rec = await api<{ payments: ReconciliationRow[]; unmatched: { outcome: string }[] }>(
      server.url,
      admin,
      'GET',
      '/api/admin/payments/reconciliation',
    );
    const row = rec.body.value?.payments.find((p) => p.paymentId === intent.paymentId);
    expect(row).toMatchObject({ state: 'refunded', amountVnd: 150_000, bankAmountVnd: 150_000 });
    expect(row?.refundedAt).not.toBeNull();
    const outcomes = new Set(rec.body.value?.unmatched.map((n) => n.outcome));
    for (const o of ['amount-mismatch', 'wrong-account', 'unknown-reference', 'late', 'already-paid'])
      expect(outcomes.has(o)).toBe(true);
    expect((await api(server.url, reception, 'GET', '/api/admin/payments/reconciliation')).status).toBe(403);
    const csv = await fetch(`${server.url}/api/admin/payments/reconciliation/export`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/u);
    const text = await csv.text();
    expect(text).toContain(intent.reference);
    expect(text).toContain('amount-mismatch');
  });
});
