/**
 * The kiosk page's booked-appointment and payment commands through a real agent (simulated
 * devices) to a real server, with the bank's contract simulator: a fee-paying patient's VietQR is
 * paid, the page hears `payment:updated` from its agent, the receipt prints on the agent's
 * printer; the VietQR slip prints; a booked patient checks in by code and the ticket prints.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import type { Agent } from '@kiosk/device-agent';
import type { AgentToKioskUiEvents, Appointment, KioskUiToAgentEvents, PaymentUpdate } from '@kiosk/protocol';
import { api, login, startServer, type RunningServer } from '../support/server-harness';
import { startBankSimulator, type BankSimulator } from '../support/bank-simulator';
import { startPairedKiosk, type PairedKiosk } from '../support/paired-kiosk';
import { until } from '../support/until';

type Ui = Socket<AgentToKioskUiEvents, KioskUiToAgentEvents>;
const SECRET = 'relay-bank-secret-000000000001';
const ACCOUNT = '0071000999888';

let server: RunningServer;
let bank: BankSimulator;
let kiosk: PairedKiosk | undefined;
let agent: Agent;
let ui: Ui;
const updates: PaymentUpdate[] = [];

beforeAll(async () => {
  server = await startServer({
    BOOTSTRAP_PAIRING_CODE: 'PAYRELAY1234',
    BANK_WEBHOOK_SECRETS: SECRET,
    PAYMENT_ACCOUNT_NUMBER: ACCOUNT,
  });
  const admin = await login(server.url, 'admin', 'admin-demo');
  await api(server.url, admin, 'PUT', '/api/admin/payments/prices', [
    { serviceId: 'noi-tong-quat', patientClass: 'fee-paying', amountVnd: 120_000 },
  ]);
  bank = await startBankSimulator({
    webhookUrl: `${server.url}/api/payments/bank-notifications`,
    secret: SECRET,
    accountNumber: ACCOUNT,
  });
  kiosk = await startPairedKiosk(server.url, {
    pairingCode: 'PAYRELAY1234',
    listen: (page) => page.on('payment:updated', (u) => updates.push(u)),
  });
  ({ agent, ui } = kiosk);
});

afterAll(async () => {
  await kiosk?.close();
  await bank?.close();
  await server?.stop();
});

describe('payments and appointments relayed by the agent', () => {
  it('quote, VietQR slip, the bank pays, the page hears it, the receipt prints', async () => {
    const quote = await ui.emitWithAck('payment:quote', { serviceId: 'noi-tong-quat', patientClass: 'fee-paying' });
    expect(quote.ok && quote.value.amountVnd).toBe(120_000);
    const started = await ui.emitWithAck('payment:start', {
      paymentId: randomUUID(),
      serviceId: 'noi-tong-quat',
      patientClass: 'fee-paying',
    });
    if (!started.ok) throw new Error(started.error.code);
    const intent = started.value;
    const jobs = () => agent.simulated?.printer.jobs ?? [];
    const before = jobs().length;
    const slip = await ui.emitWithAck('payment:print-qr', { paymentId: intent.paymentId });
    expect(slip.ok && slip.value.state).toBe('confirmed');
    expect(jobs().at(-1)?.qrPayloads).toEqual([intent.qrPayload]);
    // Not paid yet: no receipt.
    const early = await ui.emitWithAck('payment:print-receipt', { paymentId: intent.paymentId });
    expect(early.ok || early.error.code).toBe('payment-not-paid');

    await bank.transfer({ content: `IBFT ${intent.reference}`, amountVnd: 120_000 });
    await until(() => updates.some((u) => u.paymentId === intent.paymentId && u.state === 'paid'), {
      what: 'payment:updated paid reaches the kiosk page',
    });
    const receipt = await ui.emitWithAck('payment:print-receipt', { paymentId: intent.paymentId });
    expect(receipt.ok && receipt.value.state).toBe('confirmed');
    expect(jobs().length).toBe(before + 2);
    expect(jobs().at(-1)?.cuts.length).toBeGreaterThan(0);
  });

  it('a booked patient checks in by booking code and the ticket prints', async () => {
    const reception = await login(server.url, 'tiepdon', 'tiepdon-demo');
    const booked = await api<Appointment>(server.url, reception, 'POST', '/api/counter/appointments', {
      serviceId: 'nhi-khoa',
      startsAt: new Date(Date.now() + 10 * 60_000).toISOString(),
      identity: { source: 'chip', idNumber: '079200012345', fullName: 'Võ Thị Mai', dateOfBirth: '2022-06-01' },
    });
    const appointment = booked.body.value;
    if (!appointment) throw new Error(`booking refused: ${booked.body.error?.code}`);
    const found = await ui.emitWithAck('appointment:find', { by: 'booking-code', code: appointment.bookingCode });
    expect(found.ok && found.value.map((a) => a.appointmentId)).toEqual([appointment.appointmentId]);
    const before = agent.simulated?.printer.jobs.length ?? 0;
    const done = await ui.emitWithAck('appointment:check-in', {
      checkInId: randomUUID(),
      appointmentId: appointment.appointmentId,
      lookup: { by: 'booking-code', code: appointment.bookingCode },
      consent: true,
    });
    if (!done.ok) throw new Error(done.error.code);
    expect(done.value.appointment.status).toBe('arrived');
    expect(done.value.print.state).toBe('confirmed');
    // Under 6 by the booked identity: the priority the law gives, as at any check-in.
    expect(done.value.receipt.ticket.priority).toBe('child-under-6');
    expect(agent.simulated?.printer.jobs.length).toBe(before + 1);
  });
});
