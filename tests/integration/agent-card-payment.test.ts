/**
 * A fee paid by card, end to end through the real layers: the kiosk page asks its agent
 * (`payment:card`), the agent gets a card intent from a real server, drives the SALE on the card
 * terminal over its ECR link — the simulator's link, a kernel pty made by socat (serialport on both
 * ends) and TCP — and reports the approval; the server marks the payment paid once, and the
 * receipt names the card by its last 4 digits only. Declines, cancels, busy and a corrupt answer;
 * an approval whose answer was lost and whose agent stopped is recovered by LAST after a restart.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createAgent,
  createLogger,
  loadAgentConfig,
  SerialTransport,
  SimulatedCardTerminal,
  terminalPeerLinkOf,
} from '@kiosk/device-agent';
import { api, login, startServer, type RunningServer } from '../support/server-harness';
import { startPairedKiosk, type PairedKiosk } from '../support/paired-kiosk';
import { listeningCardTerminal } from '../support/card-terminal';
import { killPtyPairs, ptyPair } from '../support/pty';
import { until } from '../support/until';

const fee = { serviceId: 'noi-tong-quat', patientClass: 'fee-paying' as const };
const serial = {
  kind: 'serial' as const,
  baudRate: 115_200,
  dataBits: 8 as const,
  parity: 'none' as const,
  stopBits: 1 as const,
  flowControl: 'none' as const,
};

let server: RunningServer;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  server = await startServer();
  const admin = await login(server.url, 'admin', 'admin-demo');
  await api(server.url, admin, 'PUT', '/api/admin/payments/prices', [{ ...fee, amountVnd: 120_000 }]);
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  killPtyPairs();
});
afterAll(async () => {
  await server?.stop();
});

/** A pairing code for one more kiosk (the bootstrap code enrols the first only). */
async function pairingCode(): Promise<string> {
  const admin = await login(server.url, 'admin', 'admin-demo');
  const issued = await api<{ code: string }>(server.url, admin, 'POST', '/api/admin/pairing-codes', {});
  const code = issued.body.value?.code;
  if (!code) throw new Error('no pairing code');
  return code;
}

async function kiosk(env: Record<string, string> = {}): Promise<PairedKiosk> {
  const k = await startPairedKiosk(server.url, {
    pairingCode: await pairingCode(),
    env: {
      CARD_TERMINAL: 'simulated',
      CARD_TERMINAL_SALE_TIMEOUT_MS: '1500',
      CARD_TERMINAL_CHECK_MS: '200',
      ...env,
    },
  });
  cleanups.push(() => k.close());
  await until(() => k.agent.cardTerminal?.ready === true, { what: 'the card terminal is ready' });
  return k;
}

const pay = (k: PairedKiosk) => k.ui.emitWithAck('payment:card', { ...fee, paymentId: randomUUID() });

/** A terminal on the far end of a real pty: the agent opens `device` as its serial port. */
async function ptyTerminal(): Promise<{ device: string; terminal: SimulatedCardTerminal }> {
  const pair = await ptyPair();
  const far = new SerialTransport({ path: pair.host, settings: serial, id: 'terminal-far' });
  await far.open();
  const terminal = new SimulatedCardTerminal(terminalPeerLinkOf(far), { terminalId: 'PTY00001', last4: '9876' });
  cleanups.push(async () => {
    terminal.stop();
    await far.close();
  });
  return { device: pair.device, terminal };
}

describe('card payment through the simulated terminal', () => {
  it('approved: paid once, the page is told, the receipt names the card by its last 4 digits', async () => {
    const k = await kiosk();
    const terminal = k.agent.simulated?.cardTerminal;
    if (!terminal) throw new Error('no simulated terminal');
    const paid = await pay(k);
    if (!paid.ok || paid.value.outcome !== 'paid') throw new Error(JSON.stringify(paid));
    const intent = paid.value.intent;
    expect(intent).toMatchObject({ state: 'paid', method: 'card', amountVnd: 120_000 });
    expect(intent.card).toMatchObject({ last4: '1234', scheme: 'NAPAS' });
    expect(terminal.requests.filter((r) => r.type === 'sale')).toHaveLength(1);

    // The same approval reported again (a retry, a recovery): still one payment, paid at the same time.
    const last = terminal.lastTransaction;
    if (!last?.rrn || !last.approvalCode) throw new Error('no approval at the terminal');
    const again = await k.agent.link.cardApproved({
      paymentId: intent.paymentId,
      reference: intent.reference,
      amountVnd: 120_000,
      terminalId: last.terminalId,
      rrn: last.rrn,
      approvalCode: last.approvalCode,
      scheme: 'NAPAS',
      last4: '1234',
    });
    expect(again.ok && again.value).toMatchObject({ state: 'paid', paidAt: intent.paidAt });

    const receipt = await k.ui.emitWithAck('payment:print-receipt', { paymentId: intent.paymentId });
    expect(receipt.ok && receipt.value.state).toBe('confirmed');
    // The receipt's lines are raster images of Vietnamese text; what they say is checked in the layout's spec.
    expect(k.agent.simulated?.printer.jobs.at(-1)?.cuts.length).toBeGreaterThan(0);
  });

  it('declined, cancelled by the patient, busy: not paid, the payment cancelled, the reason given', async () => {
    const k = await kiosk();
    const terminal = k.agent.simulated?.cardTerminal;
    if (!terminal) throw new Error('no simulated terminal');
    terminal.nextSale('decline', 'cancel', 'busy');
    const declined = await pay(k);
    expect(declined.ok && declined.value).toEqual({ outcome: 'declined', reason: 'INSUFFICIENT FUNDS' });
    expect((await pay(k)).ok && 'cancelled').toBe('cancelled');
    const busy = await pay(k);
    expect(busy.ok && busy.value.outcome).toBe('busy');
  });

  it('a corrupt answer is NAKed and sent again; an answer lost is found by LAST: each paid once', async () => {
    const k = await kiosk();
    const terminal = k.agent.simulated?.cardTerminal;
    if (!terminal) throw new Error('no simulated terminal');
    terminal.nextSale('corrupt-then-good', 'approve-answer-lost');
    const corrupt = await pay(k);
    expect(corrupt.ok && corrupt.value.outcome).toBe('paid');
    expect(terminal.counters.naksReceived).toBeGreaterThanOrEqual(1);
    const lost = await pay(k);
    expect(lost.ok && lost.value.outcome).toBe('paid');
    // The device's status checks (every 200 ms here) may fall between: only the payment's own requests count.
    const payment = terminal.requests.map((r) => r.type).filter((t) => t !== 'status');
    expect(payment.slice(-2)).toEqual(['sale', 'last']);
  });

  it('no answer at all: timed out, the payment cancelled', async () => {
    const k = await kiosk();
    k.agent.simulated?.cardTerminal.nextSale('no-answer');
    const silent = await pay(k);
    expect(silent.ok && silent.value.outcome).toBe('timeout');
  });
});

describe('the kiosk cancels while the terminal runs the sale (the patient left the fee screen)', () => {
  /** A sale waiting at the terminal, then the page's cancel, as the fee screen sends it when it closes. */
  async function cancelDuringSale(behaviour: 'no-answer' | 'approve-despite-abort') {
    const k = await kiosk({ CARD_TERMINAL_SALE_TIMEOUT_MS: '120000' });
    const terminal = k.agent.simulated?.cardTerminal;
    if (!terminal) throw new Error('no simulated terminal');
    terminal.nextSale(behaviour);
    const paymentId = randomUUID();
    const sale = k.ui.emitWithAck('payment:card', { ...fee, paymentId });
    await until(() => terminal.requests.some((r) => r.type === 'sale'), { what: 'the terminal runs the sale' });
    const cancelled = await k.ui.emitWithAck('payment:cancel', { paymentId });
    const outcome = await sale;
    const status = await k.agent.link.paymentStatus(paymentId);
    const asked = terminal.requests.map((r) => r.type).filter((t) => t !== 'status');
    return { cancelled, outcome, status, asked, terminal };
  }

  it('no card yet: the terminal is told to stop (ABORT), the sale ends cancelled, the payment is cancelled', async () => {
    const { cancelled, outcome, status, asked, terminal } = await cancelDuringSale('no-answer');
    expect(cancelled.ok && cancelled.value.state).toBe('cancelled');
    expect(outcome.ok && outcome.value.outcome).toBe('cancelled');
    expect(asked).toEqual(['sale', 'abort']);
    expect(terminal.lastTransaction?.outcome).toBe('cancelled');
    expect(status.ok && status.value.state).toBe('cancelled');
  });

  it('the card was already through: the approval is refused by the server and VOIDed — nothing charged, nothing paid', async () => {
    const { outcome, status, asked, terminal } = await cancelDuringSale('approve-despite-abort');
    expect(outcome.ok && outcome.value.outcome).toBe('cancelled');
    expect(asked).toEqual(['sale', 'abort', 'void']);
    const voided = terminal.requests.find((r) => r.type === 'void');
    expect(voided?.type === 'void' && voided.rrn).toBe(terminal.lastTransaction?.rrn);
    expect(status.ok && status.value.state).toBe('cancelled');
  });
});

describe('card payment over a real pty and over TCP', () => {
  it('serial (socat pty, 115200 8N1): approved → paid; declined → declined', async () => {
    const { device, terminal } = await ptyTerminal();
    const k = await kiosk({ CARD_TERMINAL: `serial:${device}` });
    expect(k.agent.registry.get('card-terminal')).toMatchObject({
      class: 'payment-terminal',
      profileId: 'generic.ecr-serial-terminal',
      state: 'ready',
    });
    const paid = await pay(k);
    expect(paid.ok && paid.value.outcome === 'paid' && paid.value.intent.card?.last4).toBe('9876');
    terminal.nextSale('decline');
    const declined = await pay(k);
    expect(declined.ok && declined.value.outcome).toBe('declined');
  });

  it('TCP: approved → paid', async () => {
    const { close, port } = await listeningCardTerminal({ terminalId: 'TCP00001', scheme: 'VISA', last4: '4242' });
    cleanups.push(close);
    const k = await kiosk({ CARD_TERMINAL: `tcp:127.0.0.1:${port}` });
    const paid = await pay(k);
    expect(paid.ok && paid.value.outcome === 'paid' && paid.value.intent.card).toMatchObject({
      scheme: 'VISA',
      last4: '4242',
    });
  });

  it('approved, answer lost, the agent stopped: the restarted agent reports it by LAST — paid once, charged once', async () => {
    const { device, terminal } = await ptyTerminal();
    const k = await kiosk({ CARD_TERMINAL: `serial:${device}`, CARD_TERMINAL_SALE_TIMEOUT_MS: '60000' });
    terminal.nextSale('approve-answer-lost');
    const paymentId = randomUUID();
    const inFlight = k.ui.emitWithAck('payment:card', { ...fee, paymentId });
    await until(() => terminal.lastTransaction?.outcome === 'approved', { what: 'the terminal approved' });
    // The agent stops before the answer (lost) came: the sale stays recorded in its data directory.
    await k.agent.close();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'card-restart-'));
    fs.cpSync(k.dataDir, dataDir, { recursive: true });
    expect(fs.existsSync(path.join(dataDir, 'card-sale.json'))).toBe(true);
    void inFlight.catch(() => undefined);

    const restarted = await createAgent(
      loadAgentConfig({
        AGENT_PORT: '0',
        SERVER_URL: server.url,
        AGENT_DATA_DIR: dataDir,
        LOG_LEVEL: 'silent',
        CARD_TERMINAL: `serial:${device}`,
        CARD_TERMINAL_CHECK_MS: '200',
      }),
      createLogger('silent'),
    );
    cleanups.push(async () => {
      await restarted.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });
    await until(() => !fs.existsSync(path.join(dataDir, 'card-sale.json')), { what: 'the sale recovered' });
    const status = await restarted.link.paymentStatus(paymentId);
    expect(status.ok && status.value).toMatchObject({ state: 'paid', card: { last4: '9876' } });
    expect(terminal.requests.filter((r) => r.type === 'sale')).toHaveLength(1);
    expect(terminal.requests.filter((r) => r.type === 'void')).toHaveLength(0);
  });
});
