/**
 * Staff pages as staff use them: each role sees exactly its actions (from the protocol's role
 * table), print states that end, the wall-TV display with several rooms speaking on its own
 * under the kiosk flags, report downloads that open, every staff page wholly in English when
 * asked, and screenshots of every page for people to look at (artifacts/screenshots/).
 */
import fs from 'node:fs';
import ExcelJS from 'exceljs';
import { chromium, expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import {
  mayAccess,
  routeAccess,
  staffCommandAccess,
  staffRoles,
  type CalledTicket,
  type CheckInReceipt,
  type StaffRole,
} from '@kiosk/protocol';
import { staffEn as en, staffVi as vi } from '@kiosk/kiosk-ui';
import { ports } from '../playwright.config';
import {
  drainService,
  keepScreenshot,
  logins,
  openPairedDisplay,
  screenshotDir,
  simPrinterFault,
  simulator,
  staffApi,
  staffLogin,
  type Sim,
} from './support';

let sim: Sim;
test.beforeAll(async () => {
  sim = await simulator();
  fs.mkdirSync(screenshotDir, { recursive: true });
});
test.afterAll(() => sim.close());

const fullHd = { width: 1920, height: 1080 };
const loginOf: Record<StaffRole, { username: string; password: string }> = logins;

/**
 * The counter's controls a role should see, from the protocol's table alone: every /staff command
 * not open to all staff acts on a queue and has a control; registration is the counter route group.
 */
function expectedCounterActions(role: StaffRole): string[] {
  const acting = Object.entries(staffCommandAccess).filter(([, group]) => group !== 'staff');
  return [
    ...acting.filter(([, group]) => mayAccess(role, group)).map(([command]) => command),
    ...(mayAccess(role, routeAccess.counter) ? ['counter:register'] : []),
  ].sort();
}

for (const role of staffRoles) {
  test(`counter and admin show a ${role} exactly the actions the role table allows`, async ({ browser }) => {
    const page = await browser.newPage({ viewport: fullHd });
    await staffLogin(page, '/counter/', loginOf[role]);
    await expect(page.getByTestId('role')).toHaveAttribute('data-role', role);
    await expect(page.getByTestId('service-select')).toBeVisible();
    const shown = await page
      .locator('[data-action]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-action') ?? '').filter((a) => a !== 'ticket:reprint'));
    expect([...new Set(shown)].sort()).toEqual(expectedCounterActions(role));
    // Identity conflicts: listed for roles that may read them (their resolve actions show in the panel).
    await expect(page.getByTestId('open-conflicts')).toHaveCount(
      mayAccess(role, routeAccess['identity-conflicts']) ? 1 : 0,
    );
    // Keys do nothing a role may not do: F2 calls only for callers.
    if (!mayAccess(role, staffCommandAccess['queue:call-next'])) {
      await expect(page.getByTestId('read-only')).toBeVisible();
      await page.keyboard.press('F2');
      await expect(page.getByTestId('message')).toHaveCount(0);
    }
    await keepScreenshot(page, `counter-${role}`);

    await page.goto('/admin/');
    if (mayAccess(role, routeAccess.admin)) await expect(page.getByRole('navigation')).toBeVisible();
    else await expect(page.getByTestId('no-access')).toBeVisible();
    await page.close();
  });
}

/** Opens the registration form on a counter, optionally with its own agent, and registers a patient. */
async function register(page: Page, name: string): Promise<string> {
  const form = page.getByTestId('register-form');
  if (!(await form.isVisible())) await page.getByTestId('open-register').click();
  await form.getByLabel('Họ và tên').fill(name);
  await form.getByLabel('Ngày sinh').fill('01/02/1950');
  const issued = page.getByTestId('registered').locator('strong');
  const before = (await issued.count()) > 0 ? await issued.textContent() : null;
  await form.getByRole('button', { name: 'Đăng ký và cấp số' }).click();
  // The new number replaces the last one.
  await expect(issued).toHaveText(/^[A-Z]{1,3}\d{3}$/u);
  if (before) await expect(issued).not.toHaveText(before);
  return (await issued.textContent()) ?? '';
}

test('counter registrations end printed, or failed with a reprint that ends printed, or say there is no printer', async ({
  browser,
}) => {
  const page = await browser.newPage({ viewport: fullHd });
  await staffLogin(page, `/counter/?agent=http://127.0.0.1:${ports.agent}`, logins.reception);
  await expect(page.getByTestId('agent-state')).toHaveAttribute('data-state', 'linked');

  // Printed on the counter's printer: the form and the queue say "Đã in".
  const printed = await register(page, 'Trần Văn Bình');
  await expect(page.getByTestId('counter-printed')).toBeVisible();
  const printedRow = page.getByTestId('queue-row').filter({ hasText: printed });
  await expect(printedRow.getByTestId('print-state')).toHaveText('Đã in');
  await expect(printedRow).toHaveAttribute('data-print', 'printed');

  // Out of paper: "In lỗi" with a reprint, which ends "Đã in" once the paper is back.
  await simPrinterFault(sim, 'paper-out');
  let failed: string;
  try {
    failed = await register(page, 'Lê Thị Cúc');
    await expect(page.getByTestId('counter-not-printed')).toBeVisible();
    const row = page.getByTestId('queue-row').filter({ hasText: failed });
    await expect(row).toHaveAttribute('data-print', 'failed');
    await expect(row.getByTestId('print-state')).toContainText('In lỗi');
    await keepScreenshot(page, 'counter-print-failed');
  } finally {
    await simPrinterFault(sim, 'none');
  }
  const row = page.getByTestId('queue-row').filter({ hasText: failed });
  await row.getByTestId('reprint').click();
  await expect(row).toHaveAttribute('data-print', 'printed');
  await expect(row.getByTestId('print-state')).toHaveText('Đã in');
  await expect(row.getByTestId('reprint')).toHaveCount(0);
  await page.close();

  // A counter without an agent (looked for once, not again): the ticket says it has no printer.
  const bare = await browser.newPage({ viewport: fullHd });
  const agentProbes: string[] = [];
  bare.on('websocket', (ws) => {
    if (ws.url().includes(':8731/')) agentProbes.push(ws.url());
  });
  await staffLogin(bare, '/counter/', logins.reception);
  await expect(bare.getByTestId('agent-state')).toHaveAttribute('data-state', 'none');
  const plain = await register(bare, 'Phạm Minh An');
  await expect(bare.getByTestId('counter-no-printer')).toBeVisible();
  const plainRow = bare.getByTestId('queue-row').filter({ hasText: plain });
  await expect(plainRow.getByTestId('print-state')).toHaveText('Chưa in (không có máy in)');
  await expect(bare.getByTestId('connect-agent')).toBeVisible();
  // The result and a new problem replace each other.
  await bare.getByTestId('register-form').getByRole('button', { name: 'Đăng ký và cấp số' }).click();
  await expect(bare.getByTestId('register-problem')).toBeVisible();
  await expect(bare.getByTestId('registered')).toHaveCount(0);
  await keepScreenshot(bare, 'counter-registration');
  expect(agentProbes.length).toBeLessThanOrEqual(1);

  // Keyboard only: Escape closes, Alt+R opens with the cursor in the name, Enter registers.
  await bare.keyboard.press('Escape');
  await expect(bare.getByTestId('register-form')).toHaveCount(0);
  await bare.keyboard.press('Alt+r');
  await expect(bare.locator('#reg-name')).toBeFocused();
  await bare.keyboard.type('Võ Thị Sáu');
  await bare.keyboard.press('Tab');
  await bare.keyboard.type('03/04/1955');
  await bare.keyboard.press('Enter');
  await expect(bare.getByTestId('registered')).toBeVisible();
  await expect(bare.getByTestId('register-problem')).toHaveCount(0);
  await bare.close();
});

/** Issues a ticket for a service at the counter and calls it to a counter; returns the call. */
async function issueAndCall(serviceId: string, counter: string): Promise<CalledTicket> {
  const staff = await staffApi(logins.reception);
  const check = await staff.post('/api/counter/check-ins', {
    data: {
      checkInId: crypto.randomUUID(),
      identity: { source: 'manual', fullName: 'Đỗ Văn Hải', dateOfBirth: '1960-06-06' },
      serviceId,
      priorityClaims: [],
      consent: true,
    },
  });
  const receipt = ((await check.json()) as { value: CheckInReceipt }).value;
  // Call until this ticket comes up (earlier tests may have left others waiting).
  for (let i = 0; i < 50; i++) {
    const r = await staff.post('/api/queue/call-next', { data: { serviceId, counter } });
    const call = ((await r.json()) as { value: CalledTicket | null }).value;
    if (!call) break;
    if (call.ticketId === receipt.ticketId) {
      await staff.dispose();
      return call;
    }
  }
  await staff.dispose();
  throw new Error(`ticket ${receipt.ticket.number} was not called`);
}

/** The board's name, logo and notices, saved as an admin does on the admin page. */
async function setBoard(hospitalName: string, notices: { vi: string; en: string }[]): Promise<void> {
  const admin = await staffApi(logins.admin);
  const saved = await admin.put('/api/admin/settings/board', {
    data: {
      hospitalName,
      logoSvg:
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><circle cx="32" cy="32" r="30" fill="#fff"/><path d="M26 12h12v14h14v12H38v14H26V38H12V26h14z" fill="#00695c"/></svg>',
      notices,
    },
  });
  expect(saved.ok()).toBe(true);
  await admin.dispose();
}

test('the wall-TV display shows four rooms being served and speaks with no tap under the kiosk flags', async () => {
  // Calling up to our four tickets may call others left waiting; each call is a few seconds of speech.
  test.setTimeout(240_000);
  // Chromium as docs/deployment.md launches it on a display PC.
  const tv: Browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--autoplay-policy=no-user-gesture-required'],
  });
  try {
    const page = await tv.newPage({ viewport: fullHd });
    await page.addInitScript(() => {
      const w = window as unknown as { __played: string[] };
      w.__played = [];
      const play = HTMLMediaElement.prototype.play;
      HTMLMediaElement.prototype.play = function (this: HTMLMediaElement) {
        w.__played.push(this.currentSrc || this.src);
        return play.call(this);
      };
    });
    // The board's look, as an admin sets it on the admin page.
    await setBoard('Bệnh viện Đa khoa Thành phố Cần Thơ', [
      { vi: 'Vui lòng giữ phiếu số và chú ý màn hình', en: 'Please keep your ticket and watch the screen' },
      { vi: 'Khoa Dược mở cửa đến 17:00', en: 'The pharmacy is open until 17:00' },
    ]);
    // Earlier tests leave tickets waiting in these services: called now, before the board opens,
    // so that the board announces only this test's four calls.
    const services = ['noi-tong-quat', 'nhi-khoa', 'tai-mui-hong', 'san-phu-khoa'];
    for (const serviceId of services) await drainService(serviceId);
    await openPairedDisplay(page, '?voice=clips', 'Sảnh chính');
    await expect(page.getByTestId('notices')).toContainText('Vui lòng giữ phiếu số');
    // Sound is on by itself: nobody tapped.
    await expect(page.locator('main')).toHaveAttribute('data-sound', 'on');
    await expect(page.getByTestId('enable-sound')).toHaveCount(0);
    await expect(page.getByTestId('hospital-name')).not.toBeEmpty();

    const calls: CalledTicket[] = [];
    for (const [i, serviceId] of services.entries()) calls.push(await issueAndCall(serviceId, String(i + 1)));
    for (const c of calls)
      await expect(
        page.locator(`[data-testid="room"][data-room="${c.room}"] [data-testid="serving-number"]`),
      ).toHaveText(c.number);
    // Spoken as they come: the clips really played (started, then spoken to the end).
    await expect(page.locator('main')).not.toHaveAttribute('data-started', '0');
    await expect(page.locator('main')).toHaveAttribute('data-speaking', /.+/u);
    await keepScreenshot(page, 'display-1920x1080');
    // Every call announced was spoken to the end (calling up to our tickets may call others too).
    const board = page.locator('main');
    await expect
      .poll(async () => Number(await board.getAttribute('data-spoken')), { timeout: 150_000 })
      .toBeGreaterThanOrEqual(calls.length);
    await expect(board).toHaveAttribute('data-pending', '0', { timeout: 150_000 });
    const spoken = Number(await board.getAttribute('data-spoken'));
    const played = await page.evaluate(() => (window as unknown as { __played: string[] }).__played);
    expect(played.filter((s) => s.endsWith('/moi-so.wav'))).toHaveLength(spoken);

    // Numbers readable from 5–10 m: at least 10 % of the screen height.
    const heights = await page
      .getByTestId('serving-number')
      .evaluateAll((els) => els.map((e) => parseFloat(getComputedStyle(e).fontSize)));
    for (const h of heights) expect(h).toBeGreaterThanOrEqual(0.1 * fullHd.height);
    expect(await page.content()).not.toMatch(/Đỗ Văn Hải|Hải/u);

    await page.setViewportSize({ width: 1080, height: 1920 });
    await expect(page.getByTestId('room')).toHaveCount(4);
    const portrait = await page
      .getByTestId('serving-number')
      .evaluateAll((els) => els.map((e) => parseFloat(getComputedStyle(e).fontSize)));
    for (const h of portrait) expect(h).toBeGreaterThanOrEqual(0.1 * 1920);
    await keepScreenshot(page, 'display-1080x1920');
  } finally {
    await tv.close();
  }
});

/** Each room tile, the board and the page: content that overflows its box (clipped or scrolled), as descriptions. */
const overflowing = (page: Page) =>
  page.evaluate(() => {
    const out: string[] = [];
    const over = (el: Element, what: string) => {
      if (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1)
        out.push(`${what}: ${el.scrollWidth}×${el.scrollHeight} in ${el.clientWidth}×${el.clientHeight}`);
    };
    const page = document.scrollingElement ?? document.documentElement;
    over(page, 'page');
    const board = document.querySelector('main.board');
    if (board) over(board, 'board');
    for (const tile of Array.from(document.querySelectorAll('[data-testid="room"]'))) {
      const room = tile.getAttribute('data-room') ?? '?';
      over(tile, `room ${room}`);
      // Inside the tile: every line whole (no cut name, no number past the edge).
      const box = tile.getBoundingClientRect();
      for (const child of Array.from(tile.querySelectorAll('*'))) {
        const r = child.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) continue;
        if (r.top < box.top - 1 || r.bottom > box.bottom + 1 || r.left < box.left - 1 || r.right > box.right + 1)
          out.push(`room ${room}: ${child.className || child.tagName} outside the tile`);
        if (child.scrollWidth > child.clientWidth + 1 && getComputedStyle(child).overflow === 'hidden')
          out.push(`room ${room}: ${child.className || child.tagName} cut`);
      }
    }
    return out;
  });

test('the wall-TV board fits four rooms being served, landscape and portrait, with nothing cut or scrolled', async ({
  browser,
}) => {
  // The longest name the board must show whole.
  await setBoard('Bệnh viện Đa khoa Trung ương Thành phố Cần Thơ', [
    { vi: 'Vui lòng giữ phiếu số và chú ý màn hình', en: 'Please keep your ticket and watch the screen' },
  ]);
  const page = await browser.newPage({ viewport: fullHd });
  await openPairedDisplay(page, '', 'Sảnh khám bệnh');
  const services = ['noi-tong-quat', 'nhi-khoa', 'tai-mui-hong', 'san-phu-khoa'];
  const calls: CalledTicket[] = [];
  // Counters named unlike their rooms: each tile also shows the counter line (its fullest form).
  for (const [i, serviceId] of services.entries()) calls.push(await issueAndCall(serviceId, `Q${i + 11}`));
  for (const c of calls)
    await expect(page.locator(`[data-testid="room"][data-room="${c.room}"] [data-testid="serving-number"]`)).toHaveText(
      c.number,
    );
  await expect(page.getByTestId('room')).toHaveCount(4);
  await expect(page.locator('main')).toHaveAttribute('data-sound', /^(on|blocked)$/u);
  await keepScreenshot(page, 'display-four-rooms-1920x1080');
  expect(await overflowing(page), '1920×1080').toEqual([]);
  await page.setViewportSize({ width: 1080, height: 1920 });
  await expect(page.getByTestId('room')).toHaveCount(4);
  await keepScreenshot(page, 'display-four-rooms-1080x1920');
  expect(await overflowing(page), '1080×1920').toEqual([]);
  await page.close();
});

test('the report downloads open as XLSX and CSV', async ({ page }) => {
  await page.setViewportSize(fullHd);
  await staffLogin(page, '/admin/', logins.admin);
  await page.getByRole('button', { name: 'Báo cáo', exact: true }).click();
  await expect(page.getByTestId('report-row').first()).toBeVisible();
  await keepScreenshot(page, 'admin-reports');

  const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-xlsx').click()]);
  expect(xlsx.suggestedFilename()).toMatch(/\.xlsx$/u);
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(await xlsx.path());
  const sheet = book.worksheets[0];
  expect(sheet?.getRow(1).getCell(1).value).toBe('Kỳ');
  expect(sheet?.rowCount).toBeGreaterThan(1);
  const tickets = Number(sheet?.getRow(2).getCell(3).value);
  expect(tickets).toBeGreaterThan(0);

  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  const text = fs.readFileSync(await csv.path(), 'utf8').replace(/^\uFEFF/u, '');
  const [head, first] = text.split('\r\n');
  expect(head?.split(',')).toHaveLength(9);
  expect(first?.split(',')[2]).toBe(String(tickets));
});

/**
 * Visible text of a page and its labels, less data values (`translate="no"`) and what is marked
 * with a language of its own (a language's own name in a picker: "Tiếng Việt", "English", "ខ្មែរ").
 */
const visibleText = (page: Page) =>
  page.evaluate(() => {
    const out: string[] = [];
    // Marked with its own language (a picker's "English", "ខ្មែរ", a Vietnamese name beside its English one).
    const otherLanguage = (el: Element) => {
      const marked = el.closest('[lang]');
      return !!marked && marked !== document.documentElement;
    };
    const skipped = (el: Element | null) => !!el && (!!el.closest('[translate="no"]') || otherLanguage(el));
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      const text = n.textContent?.replace(/\s+/gu, ' ').trim();
      if (!text || !el || skipped(el) || !el.checkVisibility() || el.closest('style, script')) continue;
      out.push(text);
    }
    for (const el of Array.from(document.querySelectorAll('[aria-label], [placeholder], [title], img[alt]')))
      if (!skipped(el))
        for (const a of ['aria-label', 'placeholder', 'title', 'alt']) {
          const v = el.getAttribute(a)?.trim();
          if (v) out.push(v);
        }
    return out;
  });

test('every staff page in English has no Vietnamese left', async ({ browser }) => {
  const vietnamese = new Set<string>(
    Object.entries(vi)
      .filter(([key, text]) => text !== en[key as keyof typeof en])
      .map(([, text]) => text),
  );
  const check = async (page: Page, where: string) => {
    const texts = await visibleText(page);
    // Official document numbers (4750/QĐ-BYT) are names, the same in every language.
    const left = texts.filter(
      (t) =>
        vietnamese.has(t) ||
        /[^\x20-\x7E\u00A0·–—…→✦✓€£©°×±²³µ¼½¾\u2190-\u21FF\u2022\u2026]/u.test(t.replace(/\d+\/QĐ-[A-Z]+/gu, '')),
    );
    expect(left, where).toEqual([]);
  };
  const page = await browser.newPage({ viewport: fullHd });
  await page.goto('/counter/');
  await page.getByTestId('lang-switch').click();
  await check(page, 'login');
  await page.getByLabel('User name').fill(logins.reception.username);
  await page.getByLabel('Password').fill(logins.reception.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByTestId('call-next')).toHaveText(/Call next/u);
  await page.getByTestId('open-register').click();
  await page.getByTestId('register-form').getByRole('button', { name: 'Register and issue a number' }).click();
  await expect(page.getByTestId('register-problem')).toBeVisible();
  await page.keyboard.press('F2');
  await expect(page.getByTestId('message')).toBeVisible();
  await check(page, 'counter');
  await keepScreenshot(page, 'counter-english');
  // The identity-conflicts panel of the counter.
  await page.getByTestId('open-conflicts').click();
  await expect(page.getByTestId('conflicts-panel')).toBeVisible();
  await page.waitForLoadState('networkidle');
  await check(page, 'counter identity conflicts');

  // The language is remembered: after logging out, the admin page opens in English.
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByLabel('User name')).toBeVisible();
  await page.goto('/admin/');
  await page.getByLabel('User name').fill(logins.admin.username);
  await page.getByLabel('Password').fill(logins.admin.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('navigation')).toBeVisible();
  await page.getByTestId('kiosk-details').first().click();
  await expect(page.getByTestId('kiosk-remote')).toBeVisible({ timeout: 60_000 });
  await check(page, 'admin fleet');
  // Every panel of the kiosk's remote management.
  for (const panel of ['config', 'diagnostics', 'rollout']) {
    await page.getByTestId(`remote-tab-${panel}`).click();
    await page.waitForLoadState('networkidle');
    await check(page, `admin kiosk ${panel}`);
  }
  // Every tab the admin page has, whichever are added later.
  const tabs = page.getByRole('navigation').getByRole('button');
  const count = await tabs.count();
  expect(count).toBeGreaterThanOrEqual(7);
  for (let i = 1; i < count; i++) {
    const tab = tabs.nth(i);
    await tab.click();
    await expect(tab).toHaveAttribute('aria-current', 'page');
    await page.waitForLoadState('networkidle');
    await check(page, `admin ${await tab.textContent()}`);
    await keepScreenshot(page, `admin-english-${i}`);
  }
  await page.close();
});

/** Notes every page file a context's pages ask for and do not get (the API's own refusals aside). */
function watchMissing(context: BrowserContext, missing: string[]): void {
  context.on('response', (r) => {
    const url = new URL(r.url());
    if (r.status() >= 400 && !url.pathname.startsWith('/api/')) missing.push(`${r.status()} ${url.pathname}`);
  });
}

/** The page's icon as the page names it: served, as an SVG. */
async function expectIcon(page: Page, where: string): Promise<void> {
  const href = await page.locator('link[rel="icon"]').getAttribute('href');
  expect(href, where).toBeTruthy();
  const icon = await page.request.get(new URL(href ?? '', page.url()).href);
  expect(icon.status(), `${where}: ${href}`).toBe(200);
  expect(icon.headers()['content-type'], where).toContain('image/svg+xml');
}

test('screenshots of every staff page at 1920×1080, each page with its icon and no missing file', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  // Any page file that is not there (an icon, a script, a sound): the API's own refusals aside.
  // Each person signs in in a browser of their own.
  const missing: string[] = [];
  const contexts: BrowserContext[] = [];
  const newPage = async () => {
    const context = await browser.newContext({ viewport: fullHd });
    watchMissing(context, missing);
    contexts.push(context);
    return context.newPage();
  };
  const page = await newPage();
  await page.goto('/counter/');
  await expectIcon(page, 'counter');
  await keepScreenshot(page, 'counter-login');
  await staffLogin(page, '/counter/', logins.reception);
  await expect(page.getByTestId('call-next')).toBeVisible();
  await keepScreenshot(page, 'counter');
  await page.getByTestId('open-register').click();
  await keepScreenshot(page, 'counter-register-form');
  await page.getByTestId('open-conflicts').click();
  await expect(page.getByTestId('conflicts-panel')).toBeVisible();
  await keepScreenshot(page, 'counter-identity-conflicts');

  const admin = await newPage();
  await staffLogin(admin, '/admin/', logins.admin);
  await expectIcon(admin, 'admin');
  await expect(admin.getByTestId('kiosk-row').first()).toBeVisible();
  await keepScreenshot(admin, 'admin-fleet');
  await admin.getByTestId('kiosk-details').first().click();
  await expect(admin.getByTestId('kiosk-remote')).toBeVisible({ timeout: 60_000 });
  await admin.getByTestId('kiosk-detail').scrollIntoViewIfNeeded();
  await keepScreenshot(admin, 'admin-kiosk-detail');
  // Every tab of the admin page, whichever are added later, named by its place and its hash.
  const tabs = admin.getByRole('navigation').getByRole('button');
  const count = await tabs.count();
  for (let i = 1; i < count; i++) {
    await tabs.nth(i).click();
    await expect(tabs.nth(i)).toHaveAttribute('aria-current', 'page');
    await admin.waitForLoadState('networkidle');
    await keepScreenshot(admin, `admin-${new URL(admin.url()).hash.slice(1) || i}`);
  }
  const viewer = await newPage();
  await staffLogin(viewer, '/counter/', logins.viewer);
  await expect(viewer.getByTestId('read-only')).toBeVisible();
  await keepScreenshot(viewer, 'counter-viewer');

  const display = await newPage();
  await display.goto('/display/');
  await expectIcon(display, 'display');
  await keepScreenshot(display, 'display-pairing');
  await openPairedDisplay(display);
  await keepScreenshot(display, 'display-board');
  const kiosk = await newPage();
  await kiosk.goto('/kiosk/');
  await expectIcon(kiosk, 'kiosk');
  expect(missing).toEqual([]);
  for (const context of contexts) await context.close();
});
