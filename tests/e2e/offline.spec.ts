/**
 * Offline check-in in a real browser. This spec runs a server and a kiosk agent of its own (real
 * processes, the shared stack's ports + 20 and + 21, a throwaway data folder), since it freezes and
 * kills its server: the shared stack stays up for the other specs. The kiosk is paired and holds
 * its lease; the server is frozen (SIGSTOP); a patient scans a CCCD QR and checks in → the ticket
 * screen shows a number from the lease with the offline mark, and the printed ticket carries the
 * mark too. The server is killed (SIGKILL) and started again on the same database → the agent
 * replays → the ticket is in the queue once, at its issue time, and the page's link note is gone.
 * A check-in after that is online and gets another number.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import type { QueueEntry, Result } from '@kiosk/protocol';
import { ports } from '../playwright.config';
import { until } from '../support/until';
import { cccdQr, expectOk, keepScreenshot, logins, simScan, simulator, staffApi, type Sim } from './support';

const SERVICE = 'noi-tong-quat';
const PAIRING_CODE = 'E2EOFFLINE0001';
const own = { server: ports.server + 20, agent: ports.server + 21 };
const baseUrl = `http://127.0.0.1:${own.server}`;
const kioskUrl = `${baseUrl}/kiosk/?agent=http://127.0.0.1:${own.agent}`;
const repoRoot = path.resolve(import.meta.dirname, '../..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-e2e-offline-'));
const databaseFile = path.join(dataDir, 'kiosk.sqlite');
const journalFile = path.join(dataDir, 'agent', 'offline-journal.sqlite');
/** A second patient (made-up card), for the online check-in after the replay. */
const secondCccdQr = '079188054321||Lê Thị Hoa|05071988|Nữ|Phường Cái Khế, TP. Cần Thơ|10052021';

let server: ChildProcess | undefined;
let agent: ChildProcess | undefined;
let sim: Sim | undefined;

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
  );

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false; // not listening yet
  }
}

/** The server as `npm start` runs it, on this spec's port and database. */
async function startServer(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      PORT: String(own.server),
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${databaseFile}`,
      DEMO: '1',
      KIOSK_AGENT_PORT: String(own.agent),
      BOOTSTRAP_PAIRING_CODE: PAIRING_CODE,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await until(async () => child.exitCode === null && (await answers(`${baseUrl}/readyz`)), {
    what: 'server ready',
    timeoutMs: 120_000,
    intervalMs: 200,
  });
  return child;
}

/** The agent with simulated devices, paired with the code; its offline budget is the default. */
async function startAgent(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'device-agent/src/main.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      AGENT_PORT: String(own.agent),
      SERVER_URL: baseUrl,
      AGENT_DATA_DIR: path.join(dataDir, 'agent'),
      DEVICES: 'simulated',
      PAIRING_CODE,
      ALLOWED_ORIGINS: `${baseUrl},http://localhost:${own.server}`,
      HEARTBEAT_INTERVAL_MS: '300',
      SCAN_DUPLICATE_WINDOW_MS: '200',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await until(async () => child.exitCode === null && (await answers(`http://127.0.0.1:${own.agent}/healthz`)), {
    what: 'agent listening',
    timeoutMs: 120_000,
    intervalMs: 200,
  });
  return child;
}

/** Reads the agent's journal (WAL, written by the agent) without writing to it. */
function journal<T>(read: (db: Database.Database) => T): T | undefined {
  if (!fs.existsSync(journalFile)) return undefined;
  let db: Database.Database | undefined;
  try {
    db = new Database(journalFile, { readonly: true, fileMustExist: true });
    return read(db);
  } catch {
    return undefined; // its tables not there yet
  } finally {
    db?.close();
  }
}

const leased = () =>
  journal(
    (db) =>
      (
        db
          .prepare('select coalesce(sum(last_seq - next_seq + 1), 0) as n from leases where service_id = ?')
          .get(SERVICE) as { n: number }
      ).n,
  ) ?? 0;

/** The journaled ticket of a number (issue time, lookup code), read before it is replayed. */
const journaled = (number: string) =>
  journal((db) => {
    const row = db.prepare('select entry_json from journal where number = ?').get(number) as
      { entry_json: string } | undefined;
    const entry = row ? (JSON.parse(row.entry_json) as { ticket?: { issuedAt: string; lookupCode: string } }) : {};
    return entry.ticket;
  });

const unsettled = () =>
  journal((db) => (db.prepare('select count(*) as n from journal where synced_at is null').get() as { n: number }).n);

async function printedJobs(s: Sim): Promise<{ text: string[] }[]> {
  return expectOk(
    await new Promise<Result<{ jobs: { text: string[]; bytes: number }[] }>>((resolve) =>
      s.emit('sim:list-printed', {}, resolve),
    ),
  ).jobs;
}

async function queue(staff: APIRequestContext): Promise<QueueEntry[]> {
  const r = await staff.get(`/api/queue?serviceId=${SERVICE}`);
  const body = (await r.json()) as { ok: boolean; value?: QueueEntry[] };
  return body.value ?? [];
}

/** From the scan to the last step before the ticket: confirm, consent, (insurance), service, priority. */
async function upToSubmit(page: Page, qr: string): Promise<void> {
  await simScan(sim!, qr);
  await page.getByTestId('confirm-yes').click();
  await expect(page.getByTestId('consent')).toBeVisible();
  await page.getByTestId('consent-agree').click();
  const services = page.getByTestId('services');
  const insurance = page.getByTestId('insurance-next');
  await expect(services.or(insurance)).toBeVisible({ timeout: 30_000 });
  if (await insurance.isVisible()) await insurance.click();
  await page.getByTestId(`service-${SERVICE}`).click();
  await expect(page.getByTestId('priority')).toBeVisible();
}

test.use({ viewport: { width: 1080, height: 1920 } });

test.beforeAll(async () => {
  server = await startServer();
  agent = await startAgent();
  sim = await simulator(own.agent);
  await until(() => leased() > 0, { what: 'offline lease granted', timeoutMs: 120_000 });
});

test.afterAll(async () => {
  sim?.close();
  for (const child of [agent, server]) {
    if (!child) continue;
    child.kill('SIGCONT');
    child.kill('SIGKILL');
    await exited(child);
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('server frozen: the kiosk issues and prints from its lease; killed and back, the ticket is in the queue once', async ({
  page,
}, info) => {
  test.setTimeout(300_000);
  await page.goto(kioskUrl);
  await expect(page.getByTestId('attract')).toBeVisible();
  await expect(page.getByText('Ki-ốt đang khởi động lại')).toHaveCount(0);
  const printedBefore = (await printedJobs(sim!)).length;

  // The server stops answering, its sockets left open (a hung process).
  server!.kill('SIGSTOP');
  await upToSubmit(page, cccdQr);
  const tapped = Date.now();
  await page.getByTestId('submit').click();
  // The agent waits its budget for the server, then issues from the lease: a hang bound only.
  // The fee's quote goes unanswered too: the fee is for the cashier, the ticket from the lease.
  await expect(page.getByTestId('ticket-offline')).toBeVisible({ timeout: 60_000 });
  info.annotations.push({ type: 'tap-to-offline-ticket-ms', description: String(Date.now() - tapped) });
  const number = (await page.getByTestId('ticket-number').textContent()) ?? '';
  expect(number).toMatch(/^[A-Z]{1,3}\d{3}$/u);
  await expect(page.getByTestId('printed')).toBeVisible();
  // The page says tickets are waiting to sync.
  await expect(page.getByTestId('link-status')).toBeVisible();
  await keepScreenshot(page, 'kiosk-offline-ticket-1080x1920');

  // The paper: the same number, and the offline mark after the lookup code.
  const ticket = journaled(number);
  if (!ticket) throw new Error(`${number} not in the journal`);
  const jobs = await printedJobs(sim!);
  expect(jobs.length).toBe(printedBefore + 1);
  const paper = jobs.at(-1)?.text ?? [];
  expect(paper.join('\n')).toContain(number);
  expect(paper.map((l) => l.trim())).toContain(`${ticket.lookupCode} *`);

  // Killed while frozen, started again on the same database: the agent reconnects and replays.
  server!.kill('SIGKILL');
  await exited(server!);
  server = await startServer();
  await until(() => unsettled() === 0, { what: 'journal replayed', timeoutMs: 120_000 });
  const staff = await staffApi(logins.reception, baseUrl);
  try {
    const found = (await queue(staff)).filter((e) => e.number === number);
    expect(found).toHaveLength(1);
    expect(found[0]?.issuedAt).toBe(ticket.issuedAt);
  } finally {
    await staff.dispose();
  }
  // Back to calm: no link note once the server answers and nothing waits to sync.
  await expect(page.getByTestId('link-status')).toHaveCount(0, { timeout: 60_000 });

  // The next patient checks in online and gets another number. A slow restart and replay can
  // outlast the ticket screen's idle time: the kiosk is then back at its start by itself.
  await page
    .getByTestId('done')
    .click({ timeout: 5_000 })
    .catch(() => undefined);
  await expect(page.getByTestId('attract')).toBeVisible({ timeout: 60_000 });
  await upToSubmit(page, secondCccdQr);
  await page.getByTestId('submit').click();
  const next = page.getByTestId('ticket-number');
  const cashier = page.getByTestId('pay-cashier');
  await expect(next.or(cashier)).toBeVisible({ timeout: 30_000 });
  // The fee's screen can move on by itself while it is tapped (the quote answered, or timed out
  // into the cashier's path): a tap that finds no button is not a failure, the ticket is.
  if (await cashier.isVisible()) await cashier.click({ timeout: 5_000 }).catch(() => undefined);
  await expect(next).toHaveText(/^[A-Z]{1,3}\d{3}$/u, { timeout: 30_000 });
  await expect(page.getByTestId('ticket-offline')).toHaveCount(0);
  expect(await next.textContent()).not.toBe(number);
  const after = await staffApi(logins.reception, baseUrl);
  try {
    const q = await queue(after);
    expect(q.filter((e) => e.number === number)).toHaveLength(1);
    expect(new Set(q.map((e) => e.number)).size).toBe(q.length);
  } finally {
    await after.dispose();
  }
});
