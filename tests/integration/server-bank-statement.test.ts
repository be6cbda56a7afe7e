/**
 * The bank's statement read by a real server over SQLite and PostgreSQL, against the bank's contract
 * simulator (OAuth2 client credentials, paging): a credit whose webhook never arrives still settles
 * its payment and the kiosk hears "paid" as from the webhook; a credit heard both ways settles once;
 * a wrong amount settles nothing and is kept for reconciliation; the statement down and back; the
 * cursor kept across a restart (no credit handed over twice, none skipped); a refused authorization
 * raises the alert and shows on the status route until it is accepted again.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import type {
  AgentToServerEvents,
  BankStatementStatus,
  FleetAlert,
  PaymentIntent,
  PaymentUpdate,
  ReconciliationRow,
  Result,
  ServerToAgentEvents,
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
import { freePort } from '../support/free-port';
import { until } from '../support/until';

afterAll(() => stopDatabases());

const SECRET = 'bank-webhook-secret-for-tests-0002';
const ACCOUNT = '0071000654321';
const CLIENT = { clientId: 'benh-vien-can-tho', clientSecret: 'statement-client-secret-0001' };

interface Reconciliation {
  payments: ReconciliationRow[];
  unmatched: { transactionId: string; outcome: string; paymentId: string | null }[];
}

describe.each(databaseKinds)("payments confirmed by reading the bank's statement (%s)", (kind) => {
  let server: RunningServer;
  let bank: BankSimulator;
  let agent: Socket<ServerToAgentEvents, AgentToServerEvents>;
  let admin: string;
  let env: Record<string, string>;
  let dir: string;
  const updates: PaymentUpdate[] = [];

  const connectAgent = async (credential: string) => {
    agent = io(`${server.url}/agent`, { auth: { credential }, transports: ['websocket'], reconnection: false });
    agent.on('payment:updated', (u) => updates.push(u));
    await new Promise<void>((resolve, reject) => {
      agent.once('connect', resolve);
      agent.once('connect_error', reject);
    });
  };

  beforeAll(async () => {
    const port = await freePort();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-statement-'));
    bank = await startBankSimulator({
      webhookUrl: `http://127.0.0.1:${port}/api/payments/bank-notifications`,
      secret: SECRET,
      accountNumber: ACCOUNT,
      statementClient: CLIENT,
    });
    env = {
      DATABASE_URL: `sqlite:${path.join(dir, 'kiosk.sqlite')}`,
      ...(await databaseUrl(kind)),
      PORT: String(port),
      BOOTSTRAP_PAIRING_CODE: 'STMTCODE1234',
      BANK_WEBHOOK_SECRETS: SECRET,
      PAYMENT_ACCOUNT_NUMBER: ACCOUNT,
      BANK_STATEMENT_URL: `${bank.url}/statement`,
      BANK_STATEMENT_TOKEN_URL: `${bank.url}/oauth/token`,
      BANK_STATEMENT_CLIENT_ID: CLIENT.clientId,
      BANK_STATEMENT_CLIENT_SECRET: CLIENT.clientSecret,
      BANK_STATEMENT_INTERVAL_MS: '50',
      // Small pages, so a poll reads several.
      BANK_STATEMENT_PAGE_SIZE: '2',
    };
    server = await startServer(env);
    admin = await login(server.url, 'admin', 'admin-demo');
    const prices = await api(server.url, admin, 'PUT', '/api/admin/payments/prices', [
      { serviceId: 'noi-tong-quat', patientClass: 'fee-paying', amountVnd: 150_000 },
    ]);
    expect(prices.status).toBe(200);
    const enrolled = await api<{ credential: string }>(server.url, undefined, 'POST', '/api/agents/enroll', {
      pairingCode: 'STMTCODE1234',
      name: 'kiosk-sao-ke',
    });
    await connectAgent(enrolled.body.value?.credential ?? '');
  });
  afterAll(async () => {
    agent?.close();
    await server?.stop();
    await bank?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const started = async (): Promise<PaymentIntent> => {
    const r: Result<PaymentIntent> = await agent.emitWithAck('payment:start', {
      paymentId: randomUUID(),
      serviceId: 'noi-tong-quat',
      patientClass: 'fee-paying',
    });
    if (!r.ok) throw new Error(r.error.code);
    return r.value;
  };
  const stateOf = async (paymentId: string) => {
    const r = await server.app.services.payments.status(paymentId, null);
    return r.ok ? r.value.state : r.error.code;
  };
  const reconciliation = async () =>
    (await api<Reconciliation>(server.url, admin, 'GET', '/api/admin/payments/reconciliation')).body.value;
  const statement = async () =>
    (await api<BankStatementStatus>(server.url, admin, 'GET', '/api/admin/payments/bank-statement')).body.value;
  /** A whole poll has run since now (two successful polls ended: the second began after this call). */
  const polledAgain = async () => {
    for (let i = 0; i < 2; i++) {
      const before = (await statement())?.lastSuccessAt;
      await until(async () => expect((await statement())?.lastSuccessAt).not.toBe(before), {
        what: 'another statement poll',
      });
    }
  };
  /** The poller has read past this credit (a poll that began after its booking time has ended). */
  const readPast = async (bookedAt: string) => {
    await until(
      async () => expect(Date.parse((await statement())?.cursor ?? '')).toBeGreaterThanOrEqual(Date.parse(bookedAt)),
      { what: 'the statement read up to the credit' },
    );
    await polledAgain();
  };

  it('a credit whose webhook never arrives is confirmed from the statement; the kiosk hears "paid"', async () => {
    const intent = await started();
    const credit = bank.credit({ content: `IBFT ${intent.reference} thanh toan`, amountVnd: 150_000 });
    await until(() => expect(updates.find((u) => u.paymentId === intent.paymentId)?.state).toBe('paid'), {
      what: 'the kiosk is told the payment is paid',
    });
    expect(await stateOf(intent.paymentId)).toBe('paid');
    const row = (await reconciliation())?.payments.find((p) => p.paymentId === intent.paymentId);
    expect(row).toMatchObject({ state: 'paid', bankTransactionId: credit.transactionId, bankAmountVnd: 150_000 });
    expect(bank.tokensIssued).toBeGreaterThan(0);
    expect(await statement()).toMatchObject({ enabled: true, state: 'ok', consecutiveFailures: 0 });
  });

  it('a credit heard by the webhook and read on the statement settles once', async () => {
    const intent = await started();
    const delivery = await bank.transfer({ content: intent.reference, amountVnd: 150_000 });
    const credit = bank.credits.find((c) => c.transactionId === delivery.transactionId);
    await readPast(credit?.bookedAt ?? '');
    expect(await stateOf(intent.paymentId)).toBe('paid');
    expect(updates.filter((u) => u.paymentId === intent.paymentId)).toEqual([
      expect.objectContaining({ state: 'paid' }),
    ]);
    const rec = await reconciliation();
    expect(rec?.unmatched.some((n) => n.transactionId === delivery.transactionId)).toBe(false);
    expect(rec?.payments.filter((p) => p.bankTransactionId === delivery.transactionId)).toHaveLength(1);
  });

  it('a wrong amount on the statement settles nothing and shows as unmatched', async () => {
    const intent = await started();
    const wrong = bank.credit({ content: intent.reference, amountVnd: 100_000 });
    const stranger = bank.credit({ content: 'chuyen tien hoc phi', amountVnd: 150_000 });
    await readPast(stranger.bookedAt);
    expect(await stateOf(intent.paymentId)).toBe('pending');
    const unmatched = (await reconciliation())?.unmatched ?? [];
    expect(unmatched.find((n) => n.transactionId === wrong.transactionId)).toMatchObject({
      outcome: 'amount-mismatch',
      paymentId: intent.paymentId,
    });
    expect(unmatched.find((n) => n.transactionId === stranger.transactionId)?.outcome).toBe('unknown-reference');
  });

  it('the statement API down, then back: the payment is confirmed after', async () => {
    bank.setStatement({ down: true });
    const intent = await started();
    bank.credit({ content: intent.reference, amountVnd: 150_000 });
    await until(async () => expect((await statement())?.consecutiveFailures).toBeGreaterThanOrEqual(2), {
      what: 'reads fail while the statement is down',
    });
    expect(await statement()).toMatchObject({ state: 'failing', lastError: 'statement-unavailable' });
    expect(await stateOf(intent.paymentId)).toBe('pending');
    bank.setStatement({ down: false });
    await until(async () => expect(await stateOf(intent.paymentId)).toBe('paid'), {
      what: 'the payment is confirmed once the statement is back',
    });
    expect(await statement()).toMatchObject({ state: 'ok', consecutiveFailures: 0 });
  });

  it('the authorization refused raises the alert and shows; accepted again, it resolves', async () => {
    bank.setStatement({ refuseAuth: true });
    await until(async () => expect((await statement())?.state).toBe('auth-refused'), {
      what: 'the refused authorization shows',
    });
    const open = async () =>
      (await api<FleetAlert[]>(server.url, admin, 'GET', '/api/admin/alerts')).body.value?.filter(
        (a) => a.kind === 'bank-statement-failing',
      ) ?? [];
    await until(async () => expect(await open()).toHaveLength(1), { what: 'the alert is raised' });
    expect((await statement())?.lastError).toBe('statement-auth-refused');
    bank.setStatement({ refuseAuth: false });
    await until(async () => expect((await statement())?.state).toBe('ok'), { what: 'reads succeed again' });
    await until(async () => expect(await open()).toHaveLength(0), { what: 'the alert is resolved' });
  });

  it('the cursor survives a restart: credits booked meanwhile are read once, none skipped, none again', async () => {
    const before = await started();
    const seen = bank.credit({ content: before.reference, amountVnd: 150_000 });
    await readPast(seen.bookedAt);
    expect(await stateOf(before.paymentId)).toBe('paid');
    const cursorBefore = (await statement())?.cursor;
    const waiting = await started();
    agent.close();
    await server.stop();

    // While the server is away: a credit for a payment started before, and three strangers.
    const paidMeanwhile = bank.credit({ content: waiting.reference, amountVnd: 150_000 });
    const strangers = [
      bank.credit({ content: 'chuyen khoan 1', amountVnd: 20_000 }),
      bank.credit({ content: 'chuyen khoan 2', amountVnd: 30_000 }),
      bank.credit({ content: 'chuyen khoan 3', amountVnd: 40_000 }),
    ];

    server = await startServer(env);
    admin = await login(server.url, 'admin', 'admin-demo');
    const last = strangers[strangers.length - 1];
    await readPast(last?.bookedAt ?? '');
    const status = await statement();
    expect(Date.parse(status?.cursor ?? '')).toBeGreaterThanOrEqual(Date.parse(cursorBefore ?? ''));
    // Exactly the four new credits were handed over: the ones read before the restart were not.
    expect(status?.creditsRead).toBe(4);
    expect(await stateOf(waiting.paymentId)).toBe('paid');
    const row = (await reconciliation())?.payments.find((p) => p.paymentId === waiting.paymentId);
    expect(row?.bankTransactionId).toBe(paidMeanwhile.transactionId);
    const unmatched = (await reconciliation())?.unmatched ?? [];
    for (const s of strangers)
      expect(unmatched.filter((n) => n.transactionId === s.transactionId)).toEqual([
        expect.objectContaining({ outcome: 'unknown-reference' }),
      ]);
    expect(await stateOf(before.paymentId)).toBe('paid');
  });
});
