/**
 * Bank notification → the kiosk page hears "paid" (target p99 ≤ 500 ms): the bank's contract
 * simulator posts a signed notification to a real server (SQLite), which settles the payment and
 * tells the kiosk's agent (simulated devices), which relays `payment:updated` to the page's socket.
 * Clock: both stamps are this process's performance.now(). The page's own render is not included.
 * Run: npx tsx tests/bench/payment-confirm.bench.ts [payments]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { createAgent, createLogger, loadAgentConfig } from '@kiosk/device-agent';
import type { AgentToKioskUiEvents, KioskUiToAgentEvents } from '@kiosk/protocol';
import { startServer } from '../support/server-harness';
import { startBankSimulator } from '../support/bank-simulator';
import { until } from '../support/until';
import { median, percentile } from './stats';

const payments = Number(process.argv[2] ?? 200);
const SECRET = 'bench-bank-secret-000000000001';
const ACCOUNT = '0071000777888';
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-pay-'));

const server = await startServer({
  BOOTSTRAP_PAIRING_CODE: 'BENCHPAY1234',
  BANK_WEBHOOK_SECRETS: SECRET,
  PAYMENT_ACCOUNT_NUMBER: ACCOUNT,
  HTTP_ADDRESS_RATE_BURST: '100000',
  HTTP_ADDRESS_RATE_PER_SECOND: '100000',
});
const login = await fetch(`${server.url}/api/auth/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ username: 'admin', password: 'admin-demo' }),
});
const { value } = (await login.json()) as { value: { token: string } };
await fetch(`${server.url}/api/admin/payments/prices`, {
  method: 'PUT',
  headers: { authorization: `Bearer ${value.token}`, 'content-type': 'application/json' },
  body: JSON.stringify([{ serviceId: 'noi-tong-quat', patientClass: 'fee-paying', amountVnd: 150_000 }]),
});
const bank = await startBankSimulator({
  webhookUrl: `${server.url}/api/payments/bank-notifications`,
  secret: SECRET,
  accountNumber: ACCOUNT,
});
const agent = await createAgent(
  loadAgentConfig({
    AGENT_PORT: '0',
    SERVER_URL: server.url,
    PAIRING_CODE: 'BENCHPAY1234',
    AGENT_DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    UI_RATE_BURST: '100000',
    UI_RATE_PER_SECOND: '100000',
  }),
  createLogger('silent'),
);
const ui: Socket<AgentToKioskUiEvents, KioskUiToAgentEvents> = io(`http://127.0.0.1:${agent.gateway.port}`, {
  transports: ['websocket'],
});
const heard = new Map<string, number>();
ui.on('payment:updated', (u) => {
  if (u.state === 'paid') heard.set(u.paymentId, performance.now());
});
const samples: number[] = [];
try {
  await until(() => ui.connected && agent.link.connected, { what: 'page, agent and server connected' });
  for (let i = 0; i < payments + 10; i++) {
    const started = await ui.emitWithAck('payment:start', {
      paymentId: randomUUID(),
      serviceId: 'noi-tong-quat',
      patientClass: 'fee-paying',
    });
    if (!started.ok) throw new Error(started.error.code);
    const { paymentId, reference } = started.value;
    const sent = performance.now();
    const delivery = await bank.transfer({ content: `IBFT ${reference}`, amountVnd: 150_000 });
    if (delivery.status !== 200) throw new Error(`webhook answered ${delivery.status}`);
    await until(() => heard.has(paymentId), { what: `paid ${i} reaches the page` });
    // The first ten warm the JIT, the connections and SQLite's cache.
    if (i >= 10) samples.push((heard.get(paymentId) ?? sent) - sent);
  }
  const round = (n: number) => Math.round(n * 10) / 10;
  console.log(
    JSON.stringify({
      payments: samples.length,
      p50Ms: round(median(samples)),
      p95Ms: round(percentile(samples, 95)),
      p99Ms: round(percentile(samples, 99)),
      maxMs: round(Math.max(...samples)),
    }),
  );
} finally {
  ui.close();
  await agent.close();
  await bank.close();
  await server.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
