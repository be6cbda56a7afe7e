import os from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

export const ports = {
  server: Number(process.env.E2E_PORT ?? 18080),
  agent: Number(process.env.E2E_AGENT_PORT ?? 18731),
  /** The BHXH gateway's contract simulator (the kiosk's insurance step). */
  bhyt: Number(process.env.E2E_BHYT_PORT ?? Number(process.env.E2E_PORT ?? 18080) + 15),
};
const dataDir = path.join(os.tmpdir(), `kiosk-e2e-${process.pid}`);

// The whole system runs exactly as `npm start` runs it, on its own ports and a throwaway data folder.
export default defineConfig({
  testDir: 'e2e',
  // Overlapping runs (several checkouts on one machine) each get their own folder when asked.
  outputDir: process.env.E2E_OUTPUT_DIR ?? '../artifacts/e2e-results',
  // A bound on hangs, not a speed target: journeys of several check-ins (and pages audited by axe
  // at every step) take minutes on a machine loaded ten times over its cores.
  timeout: 240_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [['list'], ['json']],
  use: {
    baseURL: `http://127.0.0.1:${ports.server}`,
    viewport: { width: 1280, height: 800 },
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        // Pages get the browser's default: sound only after a gesture. The unattended display
        // test launches its own Chromium with the kiosk flag (docs/deployment.md).
        '--autoplay-policy=user-gesture-required',
      ],
    },
    trace: 'retain-on-failure',
  },
  webServer: [
    {
      command: 'npx tsx tests/support/bhyt-simulator.main.ts',
      cwd: '..',
      port: ports.bhyt,
      timeout: 120_000,
      reuseExistingServer: false,
      env: { BHYT_SIM_PORT: String(ports.bhyt) },
    },
    {
      command: 'node scripts/start.mjs',
      cwd: '..',
      url: `http://127.0.0.1:${ports.agent}/healthz`,
      timeout: 120_000,
      reuseExistingServer: false,
      stdout: 'pipe',
      env: {
        PORT: String(ports.server),
        AGENT_PORT: String(ports.agent),
        DATA_DIR: dataDir,
        LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
        // Tests scan the same demo card again within seconds; a kiosk keeps the 2 s default.
        SCAN_DUPLICATE_WINDOW_MS: '200',
        // The insurance step runs against the gateway's contract simulator.
        BHYT_MODE: 'advisory',
        BHYT_GATEWAY_URL: `http://127.0.0.1:${ports.bhyt}`,
        BHYT_USERNAME: 'bv92012',
        BHYT_PASSWORD: 'mat-khau-thu',
        BHYT_STAFF_NAME: 'Trần Văn Bình',
        BHYT_STAFF_CCCD: '092080001234',
        // Fee payment: the bank's contract simulator (in the tests) signs with this secret; an
        // unpaid VietQR expires after 12 s so the cashier journey waits for the server's expiry.
        BANK_WEBHOOK_SECRETS: 'e2e-bank-webhook-secret-0001',
        PAYMENT_ACCOUNT_NUMBER: '0071000555666',
        PAYMENT_TIMEOUT_MINUTES: '0.2',
        PAYMENT_SWEEP_INTERVAL_MS: '200',
        // This stack's kiosk has a card terminal (the simulator's); the plainest kiosk has none.
        CARD_TERMINAL: 'simulated',
      },
    },
  ],
});
