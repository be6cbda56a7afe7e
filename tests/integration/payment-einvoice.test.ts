/**
 * The e-invoice of each paid fee, against the provider's contract simulator, on SQLite and (where
 * installed) PostgreSQL: a fee paid by VietQR (the bank simulator's signed notification) is
 * invoiced once with every Decree 123 field; through an outage it is issued once the provider is
 * back; a refusal waits for staff with an alert and is not tried again; an expired token is
 * refreshed; a server stopped between the settlement and the delivery issues it once after its
 * restart; the invoice's lookup code reaches the kiosk (for the receipt) and the reconciliation.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import type {
  AgentToServerEvents,
  FleetAlert,
  PaymentIntent,
  ReconciliationRow,
  ServerToAgentEvents,
} from '@kiosk/protocol';
import fc from 'fast-check';
import { vndInWords, type DeliveryView } from '@kiosk/server';
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
import { startEInvoiceSimulator, wordsToVnd, type EInvoiceSimulator } from '../support/einvoice-simulator';
import { until } from '../support/until';
import { freePort } from '../support/free-port';
import { enrolledAgent, spawnServer, type AgentSocket, type ServerProcess } from '../support/server-process';

afterAll(() => stopDatabases());

const SECRET = 'bank-webhook-secret-for-einvoice-01';
const ACCOUNT = '0071000123456';

/** The bank and the e-invoice provider as the server is configured for them. */
const paymentEnv = (provider: EInvoiceSimulator): Record<string, string> => ({
  BANK_WEBHOOK_SECRETS: SECRET,
  PAYMENT_ACCOUNT_NUMBER: ACCOUNT,
  PAYMENT_BANK_BIN: '970436',
  EINVOICE_URL: provider.url,
  EINVOICE_USER: provider.username,
  EINVOICE_PASSWORD: provider.password,
  EINVOICE_SERIES: 'C26TBV',
  EINVOICE_SELLER_TAX_CODE: '1800158023',
  EINVOICE_SELLER_ADDRESS: '315 Nguyễn Văn Linh, An Khánh, Ninh Kiều, Cần Thơ',
  OUTBOX_POLL_MS: '20',
  RETENTION_PURGE_INTERVAL_MINUTES: '0',
});

describe('the total in words', () => {
  it('property: any amount our invoices state in words reads back to itself by the provider’s own reader', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 0, max: 10_000_000 }), fc.maxSafeNat()), (n) => {
        expect(wordsToVnd(vndInWords(n))).toBe(n);
      }),
      { numRuns: 5000 },
    );
  });
});

describe.each(databaseKinds)('e-invoices of paid fees (%s)', (kind) => {
  let provider: EInvoiceSimulator;
  let server: RunningServer;
  let bank: BankSimulator;
  let agent: Socket<ServerToAgentEvents, AgentToServerEvents>;
  let admin: string;
  let env: Record<string, string>;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-einvoice-'));

  const connect = async (code: string) => {
    agent = await enrolledAgent(server.url, code, `kiosk-hoa-don-${code}`);
  };
  const boot = async (code: string) => {
    server = await startServer({ ...env, BOOTSTRAP_PAIRING_CODE: code });
    admin = await login(server.url, 'admin', 'admin-demo');
    await api(server.url, admin, 'PUT', '/api/admin/payments/prices', [
      { serviceId: 'noi-tong-quat', patientClass: 'fee-paying', amountVnd: 30_000 },
    ]);
    bank = await startBankSimulator({
      webhookUrl: `${server.url}/api/payments/bank-notifications`,
      secret: SECRET,
      accountNumber: ACCOUNT,
    });
    await connect(code);
  };
  const shutdown = async () => {
    agent?.close();
    await bank?.close();
    await server?.app.close();
  };

  beforeAll(async () => {
    provider = await startEInvoiceSimulator();
    const db = await databaseUrl(kind);
    env = {
      DATABASE_URL: db['DATABASE_URL'] ?? `sqlite:${path.join(dir, 'kiosk.sqlite')}`,
      ...paymentEnv(provider),
      EINVOICE_TIMEOUT_MS: '300',
      EINVOICE_ALERT_AFTER_FAILURES: '2',
      OUTBOX_BACKOFF_BASE_MS: '20',
      OUTBOX_BACKOFF_MAX_MS: '100',
    };
    await boot('HOADON000001');
  }, 120_000);
  afterAll(async () => {
    await shutdown();
    await provider?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A fee paid by VietQR: the bank's signed notification settles it. */
  const pay = async (): Promise<PaymentIntent> => {
    const r = await agent.emitWithAck('payment:start', {
      paymentId: randomUUID(),
      serviceId: 'noi-tong-quat',
      patientClass: 'fee-paying',
    });
    if (!r.ok) throw new Error(r.error.code);
    const delivery = await bank.transfer({ content: `MBVCB.${r.value.reference}.CT`, amountVnd: 30_000 });
    expect(delivery.body).toMatchObject({ ok: true, value: { outcome: 'matched' } });
    return r.value;
  };
  const status = async (paymentId: string) => {
    const r = await agent.emitWithAck('payment:status', { paymentId });
    if (!r.ok) throw new Error(r.error.code);
    return r.value;
  };
  const deliveryOf = async (reference: string) => {
    const r = await api<{ deliveries: DeliveryView[] }>(
      server.url,
      admin,
      'GET',
      '/api/admin/einvoice/deliveries?status=pending,delivering,delivered,failed',
    );
    return r.body.value?.deliveries.find((d) => d.paymentReference === reference);
  };
  const callsOf = (reference: string) => provider.calls.filter((c) => c.key === reference);

  it('invoices a paid fee once with every Decree 123 field; the kiosk and the reconciliation get the lookup code', async () => {
    const intent = await pay();
    await until(async () => expect((await deliveryOf(intent.reference))?.status).toBe('delivered'));
    const issued = provider.issued.get(intent.reference);
    expect(issued?.body).toMatchObject({
      templateCode: '1',
      invoiceSeries: 'C26TBV',
      currencyCode: 'VND',
      seller: { taxCode: '1800158023', name: 'Bệnh viện Đa khoa Thành phố Cần Thơ' },
      buyer: { name: 'Người mua không lấy hóa đơn' },
      items: [{ quantity: 1, unitPrice: 30_000, itemTotalAmountWithoutTax: 30_000, taxPercentage: 'KCT' }],
      summarizeInfo: { totalAmountWithTax: 30_000, totalAmountInWords: 'Ba mươi nghìn đồng' },
      payments: [{ paymentMethodName: 'Chuyển khoản' }],
    });
    expect(callsOf(intent.reference).filter((c) => c.status === 200)).toHaveLength(1);
    const paid = await status(intent.paymentId);
    expect(paid.invoice).toEqual({
      number: issued?.invoiceNo,
      lookupCode: issued?.reservationCode,
      lookupUrl: `${provider.url}/tra-cuu`,
    });
    const rec = await api<{ payments: ReconciliationRow[] }>(
      server.url,
      admin,
      'GET',
      '/api/admin/payments/reconciliation',
    );
    expect(rec.body.value?.payments.find((p) => p.paymentId === intent.paymentId)).toMatchObject({
      invoiceNumber: issued?.invoiceNo,
      invoiceLookupCode: issued?.reservationCode,
    });
    // A repeated notification from the bank queues nothing more.
    expect((await bank.resend(bank.credits.at(-1)?.transactionId ?? '')).body).toMatchObject({ ok: true });
    const state = await api<{ deliveredToday: number; pending: number }>(
      server.url,
      admin,
      'GET',
      '/api/admin/einvoice/outbox',
    );
    expect(state.body.value).toMatchObject({ pending: 0 });
  });

  it('a fee paid by card on the kiosk’s terminal is invoiced once, as paid by card; the same approval reported twice adds nothing', async () => {
    const r = await agent.emitWithAck('payment:start', {
      paymentId: randomUUID(),
      serviceId: 'noi-tong-quat',
      patientClass: 'fee-paying',
      method: 'card',
    });
    if (!r.ok) throw new Error(r.error.code);
    const report = {
      paymentId: r.value.paymentId,
      reference: r.value.reference,
      amountVnd: 30_000,
      terminalId: 'TID00042',
      rrn: `63300000${String(Date.now() % 1e4).padStart(4, '0')}`,
      approvalCode: 'A00042',
      scheme: 'VISA' as const,
      last4: '4242',
    };
    const paid = await agent.emitWithAck('payment:card-approved', report);
    expect(paid.ok && paid.value.state).toBe('paid');
    expect((await agent.emitWithAck('payment:card-approved', report)).ok).toBe(true);
    await until(async () => expect((await deliveryOf(r.value.reference))?.status).toBe('delivered'));
    expect(provider.issued.get(r.value.reference)?.body).toMatchObject({
      items: [{ unitPrice: 30_000 }],
      payments: [{ paymentMethodName: 'Thẻ' }],
    });
    expect(callsOf(r.value.reference).filter((c) => c.status === 200)).toHaveLength(1);
  });

  it('retries through an outage and a 500, and issues the invoice once the provider is back', async () => {
    provider.down = true;
    const intent = await pay();
    await until(async () => {
      const d = await deliveryOf(intent.reference);
      expect(d?.status).toBe('pending');
      expect(d?.lastErrorCode).toBe('einvoice-unavailable');
      expect(d?.attempts).toBeGreaterThanOrEqual(2);
    });
    provider.fail500 = 1;
    provider.down = false;
    await until(async () => expect((await deliveryOf(intent.reference))?.status).toBe('delivered'));
    expect(callsOf(intent.reference).filter((c) => c.status === 200)).toHaveLength(1);
    expect((await status(intent.paymentId)).invoice?.lookupCode).toBe(
      provider.issued.get(intent.reference)?.reservationCode,
    );
  });

  it('a refused invoice waits for staff with its reason and an alert, and is not tried again', async () => {
    provider.refuse = true;
    const intent = await pay();
    await until(async () => expect((await deliveryOf(intent.reference))?.status).toBe('failed'));
    const d = await deliveryOf(intent.reference);
    expect(d?.lastErrorCode).toBe('einvoice-rejected');
    expect(d?.lastError).toContain('refused the invoice data');
    expect(d?.lastError).toContain('seller.taxCode');
    await until(async () => {
      const alerts = (await api<FleetAlert[]>(server.url, admin, 'GET', '/api/admin/alerts')).body.value ?? [];
      expect(alerts.some((a) => a.kind === 'einvoice-delivery-failing' && !a.resolvedAt)).toBe(true);
    });
    const tried = callsOf(intent.reference).length;
    // Another payment's delivery goes through the worker: the refused one stays as it was.
    provider.refuse = false;
    const other = await pay();
    await until(async () => expect((await deliveryOf(other.reference))?.status).toBe('delivered'));
    expect(callsOf(intent.reference)).toHaveLength(tried);
    expect((await status(intent.paymentId)).invoice).toBeUndefined();
    // Staff fixed the cause: sent again on their word.
    const retried = await api<{ retried: number }>(
      server.url,
      admin,
      'POST',
      '/api/admin/einvoice/deliveries/retry-failed',
      {},
    );
    expect(retried.body.value?.retried).toBe(1);
    await until(async () => expect((await deliveryOf(intent.reference))?.status).toBe('delivered'));
  });

  it('an expired token is refreshed and the invoice issued', async () => {
    const before = provider.tokenRequests;
    provider.expireTokens();
    const intent = await pay();
    await until(async () => expect((await deliveryOf(intent.reference))?.status).toBe('delivered'));
    expect(provider.tokenRequests).toBe(before + 1);
    expect(callsOf(intent.reference).map((c) => c.status)).toEqual([401, 200]);
  });

  it('a server stopped between the settlement and the delivery issues the invoice once after its restart', async () => {
    provider.down = true;
    const intent = await pay();
    await until(async () => expect((await deliveryOf(intent.reference))?.lastErrorCode).toBe('einvoice-unavailable'));
    await shutdown();
    provider.down = false;
    await boot('HOADON000002');
    await until(async () => expect((await deliveryOf(intent.reference))?.status).toBe('delivered'));
    expect(callsOf(intent.reference).filter((c) => c.status === 200)).toHaveLength(1);
    expect(provider.issued.has(intent.reference)).toBe(true);
  });
});

describe('e-invoice of a fee paid just before the server is killed (SQLite, a real process)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-einvoice-kill-'));
  const databaseFile = path.join(dir, 'kiosk.sqlite');
  // Picked free (not fixed): another test run on this machine may be running the same test.
  let port = 0;
  let provider: EInvoiceSimulator;
  let bank: BankSimulator | undefined;
  let proc: ServerProcess | undefined;
  let agent: AgentSocket | undefined;

  beforeAll(async () => {
    provider = await startEInvoiceSimulator();
    port = await freePort();
  });
  afterAll(async () => {
    agent?.close();
    await bank?.close();
    proc?.child.kill('SIGKILL');
    await proc?.exited();
    await provider?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const spawn = () =>
    spawnServer({
      port,
      databaseFile,
      env: {
        BOOTSTRAP_PAIRING_CODE: 'HOADONKILL01',
        ...paymentEnv(provider),
        EINVOICE_TIMEOUT_MS: '30000',
        OUTBOX_LEASE_MS: '1000',
      },
    });

  it('the provider issued it while we died unknowing: after the restart the same key gets the same invoice, once', async () => {
    proc = await spawn();
    const admin = await login(proc.url, 'admin', 'admin-demo');
    await api(proc.url, admin, 'PUT', '/api/admin/payments/prices', [
      { serviceId: 'noi-tong-quat', patientClass: 'fee-paying', amountVnd: 45_000 },
    ]);
    agent = await enrolledAgent(proc.url, 'HOADONKILL01', 'kiosk-hoa-don-kill');
    bank = await startBankSimulator({
      webhookUrl: `${proc.url}/api/payments/bank-notifications`,
      secret: SECRET,
      accountNumber: ACCOUNT,
    });
    // The provider answers slowly: the invoice call is in flight when the server dies.
    provider.delayMs = 1500;
    const started = await agent.emitWithAck('payment:start', {
      paymentId: randomUUID(),
      serviceId: 'noi-tong-quat',
      patientClass: 'fee-paying',
    });
    if (!started.ok) throw new Error(started.error.code);
    const reference = started.value.reference;
    const paid = await bank.transfer({ content: `${reference} thanh toan`, amountVnd: 45_000 });
    expect(paid.body).toMatchObject({ ok: true, value: { outcome: 'matched' } });
    await until(() => provider.arrived.includes(reference), { what: 'the invoice call to be in flight' });
    proc.child.kill('SIGKILL');
    await proc.exited();
    agent.close();
    await until(() => provider.issued.has(reference), { what: 'the provider to issue it anyway' });
    provider.delayMs = 0;

    proc = await spawn();
    const admin2 = await login(proc.url, 'admin', 'admin-demo');
    await until(
      async () => {
        const r = await api<{ deliveries: DeliveryView[] }>(
          proc?.url ?? '',
          admin2,
          'GET',
          '/api/admin/einvoice/deliveries?status=delivered',
        );
        expect(r.body.value?.deliveries.find((d) => d.paymentReference === reference)).toBeDefined();
        // A restarted process on a loaded machine may take longer than the default wait to answer.
      },
      { timeoutMs: 60_000, what: 'the restarted server to record the invoice as delivered' },
    );
    const first = provider.issued.get(reference);
    expect(provider.issued.size).toBe(1);
    expect(provider.calls.filter((c) => c.key === reference && c.status === 200).length).toBeGreaterThanOrEqual(1);
    const rec = await api<{ payments: ReconciliationRow[] }>(
      proc.url,
      admin2,
      'GET',
      '/api/admin/payments/reconciliation',
    );
    expect(rec.body.value?.payments.find((p) => p.reference === reference)).toMatchObject({
      invoiceNumber: first?.invoiceNo,
      invoiceLookupCode: first?.reservationCode,
    });
  }, 60_000);
});
