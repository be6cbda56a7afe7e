import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { io, type Socket } from 'socket.io-client';
import { expect, request, type APIRequestContext, type Page, type TestInfo } from '@playwright/test';
import type { AgentToSimEvents, Result, SimToAgentEvents } from '@kiosk/protocol';
import { ports } from '../playwright.config';

export const kioskUrl = `/kiosk/?agent=http://127.0.0.1:${ports.agent}`;

export const cccdQr = '079188012345||Nguyễn Thị Lan|12031988|Nữ|Phường Ninh Kiều, TP. Cần Thơ|10052021';
export const bhytQr =
  'GD4797912345678|4e677579e1bb856e205468e1bb8b204c616e|12/03/1988|2|5068c6b0e1bb9d6e67204e696e68204b69e1bb81752c2054502e2043e1baa76e205468c6a1|92 - 012|01/01/2026|31/12/2026|15/12/2025|7912345678|-|4|01/01/2023|0a1b2c3d4e5f6071-8233|$';

export const logins = {
  admin: { username: 'admin', password: 'admin-demo' },
  reception: { username: 'tiepdon', password: 'tiepdon-demo' },
  clinic: { username: 'phongkham', password: 'phongkham-demo' },
  viewer: { username: 'xem', password: 'xem-demo' },
} as const;

export type Sim = Socket<AgentToSimEvents, SimToAgentEvents>;

/** The simulator's control link on the running agent (the shared stack's, unless another port is given). */
export async function simulator(agentPort = ports.agent): Promise<Sim> {
  const socket: Sim = io(`http://127.0.0.1:${agentPort}/sim`, {
    transports: ['websocket'],
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

export function expectOk<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

export async function simScan(sim: Sim, payload: string): Promise<void> {
  expectOk(await new Promise<Result<null>>((resolve) => sim.emit('sim:scan', { payload }, resolve)));
}

export async function simPrinterFault(
  sim: Sim,
  fault: 'none' | 'paper-near-end' | 'paper-out' | 'cover-open' | 'offline',
): Promise<void> {
  expectOk(await new Promise<Result<null>>((resolve) => sim.emit('sim:set-printer-fault', { fault }, resolve)));
}

/** Saves a full-page screenshot as a test artifact. */
export function shooter(page: Page, info: TestInfo, prefix = '') {
  let n = 0;
  return async (name: string) => {
    n++;
    const file = info.outputPath(`${prefix}${String(n).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    await info.attach(`${prefix}${name}`, { path: file, contentType: 'image/png' });
  };
}

/** Opens the kiosk page and waits until it is connected to its agent. */
export async function openKiosk(page: Page, query = ''): Promise<void> {
  await page.goto(`${kioskUrl}${query}`);
  await expect(page.getByTestId('attract')).toBeVisible();
  await expect(page.getByText('Ki-ốt đang khởi động lại')).toHaveCount(0);
}

/**
 * From an identified patient on the confirm screen to the ticket: confirm, consent, (insurance
 * when the agent offers it), service, priority claims, submit. `consented`: the patient agreed
 * before their chip was read, so the consent step is not shown again.
 */
export async function completeCheckIn(
  page: Page,
  options: { serviceId?: string; claims?: string[]; shot?: (name: string) => Promise<void>; consented?: boolean } = {},
): Promise<string> {
  const shot = options.shot ?? (async () => undefined);
  await page.getByTestId('confirm-yes').click();
  if (!options.consented) {
    await expect(page.getByTestId('consent')).toBeVisible();
    await shot('consent');
    await page.getByTestId('consent-agree').click();
  }
  const services = page.getByTestId('services');
  const insurance = page.getByTestId('insurance-next');
  await expect(services.or(insurance)).toBeVisible();
  if (await insurance.isVisible()) {
    await shot('insurance');
    await insurance.click();
  }
  const serviceId = options.serviceId ?? 'noi-tong-quat';
  await expect(page.getByTestId(`service-${serviceId}`)).toBeVisible();
  await shot('services');
  await page.getByTestId(`service-${serviceId}`).click();
  await expect(page.getByTestId('priority')).toBeVisible();
  for (const c of options.claims ?? []) await page.getByTestId(`claim-${c}`).click();
  await shot('priority');
  await page.getByTestId('submit').click();
  const number = page.getByTestId('ticket-number');
  await expect(number).toHaveText(/^[A-Z]{1,3}\d{3}$/u);
  return (await number.textContent()) ?? '';
}

/** Logs a staff page in through its form. */
export async function staffLogin(page: Page, path: string, who: { username: string; password: string }) {
  await page.goto(path);
  await page.getByLabel('Tên đăng nhập').fill(who.username);
  await page.getByLabel('Mật khẩu').fill(who.password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
}

/** Ahead of the clock by more than the slowest delivery of a burst takes (the test has 60 s). */
const STAMP_LEAD_S = 30;

/**
 * Keys as a keyboard delivers them to the page, each stamped with the time the OS took it from the
 * device (`KeyboardEvent.timeStamp`), `gapMs` apart, then Enter. A keyboard-wedge scanner sends its
 * keys 1–20 ms apart however busy the kiosk PC is; the page judges the burst from these stamps,
 * so the test gives the keys their stamps (CDP Input.dispatchKeyEvent `timestamp`) instead of
 * relying on how fast this machine happens to deliver them. Chromium replaces a stamp more than
 * about 0.8 s old with one of its own (and keeps stamps ahead of its clock): the schedule starts
 * ahead of the clock, so however slowly a loaded machine delivers the keys, every stamp is kept.
 */
export async function typeStamped(page: Page, text: string, options: { gapMs: number }): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const startS = Date.now() / 1000 + STAMP_LEAD_S;
    const keys = [...text].map((ch) => ({ key: ch, text: ch }));
    keys.push({ key: 'Enter', text: '\r' });
    for (const [i, k] of keys.entries()) {
      const timestamp = startS + (i * options.gapMs) / 1000;
      const enter = k.key === 'Enter' ? { code: 'Enter', windowsVirtualKeyCode: 13 } : {};
      await cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', ...k, unmodifiedText: k.text, ...enter, timestamp });
      await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', key: k.key, ...enter, timestamp: timestamp + 0.001 });
    }
  } finally {
    await cdp.detach();
  }
}
/** An HTTP client logged in as a staff member (an API request context of its own), on the shared stack unless told. */
export async function staffApi(
  who: { username: string; password: string },
  baseURL = `http://127.0.0.1:${ports.server}`,
): Promise<APIRequestContext> {
  const context = await request.newContext({ baseURL });
  const r = await context.post('/api/auth/login', { data: who });
  if (!r.ok()) throw new Error(`login failed: ${r.status()}`);
  return context;
}

/** A single-use display pairing code, created as an admin would on the admin page. */
export async function displayPairingCode(): Promise<string> {
  const admin = await staffApi(logins.admin);
  const r = await admin.post('/api/admin/display-pairing-codes', { data: {} });
  const body = (await r.json()) as { ok: boolean; value?: { code: string } };
  await admin.dispose();
  if (!body.value) throw new Error(`no pairing code: ${r.status()}`);
  return body.value.code;
}

/** Opens the display page and pairs it the way staff do on a new TV: the code and a name, no login. */
export async function openPairedDisplay(page: Page, query = '', name = 'Sảnh chờ tầng 1'): Promise<void> {
  await page.goto(`/display/${query}`);
  await expect(page.getByTestId('display-pairing')).toBeVisible();
  await page.locator('#pair-code').fill(await displayPairingCode());
  await page.locator('#pair-name').fill(name);
  await page.locator('#pair-code').press('Enter');
  await expect(page.getByTestId('room').first()).toBeVisible();
}

/**
 * Turns the board's sound on with the tap a browser without the kiosk flags needs. The board may
 * also turn it on by itself once its chime finally plays (slow on a loaded machine), so the tap is
 * given only while the prompt is there, until the board says sound is on.
 */
export async function enableDisplaySound(display: Page): Promise<void> {
  const main = display.locator('main');
  await expect(async () => {
    if ((await main.getAttribute('data-sound')) !== 'on')
      await display.getByTestId('enable-sound').click({ timeout: 5_000 });
    await expect(display.getByTestId('sound-on')).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 60_000 });
}

/** Calls every ticket waiting in a service, so a test that follows sees only its own calls. */
export async function drainService(serviceId: string, counter = '9'): Promise<void> {
  const staff = await staffApi(logins.reception);
  try {
    for (let i = 0; i < 500; i++) {
      const r = await staff.post('/api/queue/call-next', { data: { serviceId, counter } });
      const body = (await r.json()) as { ok: boolean; value?: unknown };
      expect(body.ok).toBe(true);
      if (!body.value) return;
    }
    throw new Error(`${serviceId} never emptied`);
  } finally {
    await staff.dispose();
  }
}

/** Saves a screenshot for people to look at under artifacts/screenshots/ (kept by CI as artifacts). */
export async function keepScreenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: false });
}
export const screenshotDir = path.resolve(import.meta.dirname, '../../artifacts/screenshots');

/** axe-core on the page as it is now: no serious or critical WCAG 2.1 A/AA violation, each named with `where`. */
export async function audit(page: Page, where: string): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${where}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(bad).toEqual([]);
}

export type SimCardCommand = Parameters<SimToAgentEvents['sim:set-card']>[0];

/** Places, changes or removes the simulated reader's card. */
export async function simSetCard(sim: Sim, command: SimCardCommand): Promise<null> {
  return expectOk(await new Promise<Result<null>>((resolve) => sim.emit('sim:set-card', command, resolve)));
}

/** Records every audio play and speech-synthesis utterance the page starts. */
export async function instrumentSound(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __played: string[]; __spoken: string[] };
    w.__played = [];
    w.__spoken = [];
    const play = HTMLMediaElement.prototype.play;
    HTMLMediaElement.prototype.play = function (this: HTMLMediaElement) {
      w.__played.push(this.currentSrc || this.src);
      return play.call(this);
    };
    if ('speechSynthesis' in window) {
      const speak = speechSynthesis.speak.bind(speechSynthesis);
      speechSynthesis.speak = (u: SpeechSynthesisUtterance) => {
        w.__spoken.push(u.text);
        speak(u);
      };
    }
  });
}

/** What the page has played (file names under /audio/) and spoken since `instrumentSound`. */
export const sounds = (page: Page) =>
  page.evaluate(() => {
    const w = window as unknown as { __played: string[]; __spoken: string[] };
    return { played: w.__played.map((s) => s.replace(/^.*\/audio\//u, '')), spoken: w.__spoken };
  });
