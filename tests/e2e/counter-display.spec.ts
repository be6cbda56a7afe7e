import { expect, test, type Browser } from '@playwright/test';
import type { Result } from '@kiosk/protocol';
import { ports } from '../playwright.config';
import {
  cccdQr,
  completeCheckIn,
  drainService,
  enableDisplaySound,
  logins,
  openKiosk,
  openPairedDisplay,
  shooter,
  simPrinterFault,
  simScan,
  simulator,
  staffLogin,
  type Sim,
  instrumentSound,
  sounds,
} from './support';

let sim: Sim;
test.beforeAll(async () => {
  sim = await simulator();
});
test.afterAll(() => {
  sim.close();
});

/** A patient checks in at the kiosk; returns the ticket number. */
async function checkIn(browser: Browser, serviceId = 'noi-tong-quat'): Promise<string> {
  const kiosk = await browser.newPage();
  await openKiosk(kiosk);
  await simScan(sim, cccdQr);
  await expect(kiosk.getByTestId('patient-name')).toBeVisible();
  const number = await completeCheckIn(kiosk, { serviceId });
  await kiosk.close();
  return number;
}

test('a counter call shows on the display at once and is announced in Vietnamese', async ({ browser }, info) => {
  // The service is emptied before the display opens: only this test's call is announced on it.
  const counter = await browser.newPage();
  await staffLogin(counter, '/counter/', logins.clinic);
  await counter.getByTestId('service-select').selectOption('tai-mui-hong');
  // Whatever earlier tests left waiting here (a booked patient of another spec, say) is called first.
  await drainService('tai-mui-hong');

  const display = await browser.newPage({ viewport: { width: 1600, height: 900 } });
  await instrumentSound(display);
  await openPairedDisplay(display);
  // This browser plays sound only after a gesture: the board asks, once.
  await enableDisplaySound(display);
  await expect(display.locator('main')).toHaveAttribute('data-engine', /speech|clips/u);

  // Nobody else waits in this service now, so the ticket called next is this one.
  const number = await checkIn(browser, 'tai-mui-hong');
  await expect(counter.getByTestId('queue-row').filter({ hasText: number })).toBeVisible();

  const t0 = Date.now();
  await counter.keyboard.press('F2');
  await expect(counter.getByTestId('last-call')).toContainText(number);
  await expect(display.getByTestId('current-call')).toContainText(number);
  // Recorded, not asserted: the figure is tests/bench/ui-call-latency.bench.ts's; a loaded machine
  // stretches a wall-clock bound here without anything being wrong.
  info.annotations.push({ type: 'call-to-display-ms', description: String(Date.now() - t0) });
  await display.screenshot({ path: info.outputPath('display-call.png') });

  // The announcement ran: the clip sequence (or a Vietnamese voice) for this number.
  await expect(display.locator('main')).toHaveAttribute('data-spoken', '1', { timeout: 20_000 });
  const heard = await sounds(display);
  if (heard.spoken.length > 0) expect(heard.spoken.at(-1)).toMatch(/^Mời số /u);
  else expect(heard.played).toEqual(expect.arrayContaining(['vi/chime.wav', 'vi/moi-so.wav', 'vi/den-phong.wav']));

  // A recall is announced again; two calls in a row are queued, never spoken over each other.
  await counter.keyboard.press('F3');
  await expect(counter.getByTestId('message')).toContainText(number);
  await expect(display.locator('main')).toHaveAttribute('data-spoken', '2', { timeout: 20_000 });

  // After a reload the screen stays paired and shows the board, and the sound chosen once is
  // not asked for again: on where the browser lets the tab play (Chromium may keep the tap's
  // activation across a same-origin reload), otherwise a note, and any touch resumes it.
  await display.reload();
  await expect(display.getByTestId('current-call')).toContainText(number);
  const main = display.locator('main');
  await expect(main).toHaveAttribute('data-sound', /^(on|blocked)$/u, { timeout: 20_000 });
  await expect(display.getByTestId('enable-sound')).toHaveCount(0);
  if ((await main.getAttribute('data-sound')) === 'blocked') {
    await expect(display.getByTestId('sound-resume')).toContainText('chạm vào màn hình để tiếp tục');
    await display.getByTestId('clock').click();
  }
  await expect(display.getByTestId('sound-on')).toBeVisible();
  // No names on the public board.
  expect(await display.content()).not.toMatch(/Nguyễn|Lan|0791/u);
});

test('the announcement queue never overlaps two calls', async ({ browser }) => {
  const display = await browser.newPage();
  await instrumentSound(display);
  await openPairedDisplay(display, '?voice=clips');
  await enableDisplaySound(display);
  // Measure overlap in the page: count audio elements playing at once while three calls arrive.
  await display.evaluate(() => {
    const w = window as unknown as { __maxPlaying: number };
    w.__maxPlaying = 0;
    const playing = new Set<HTMLMediaElement>();
    document.addEventListener('play', (e) => playing.add(e.target as HTMLMediaElement), true);
    const drop = (e: Event) => playing.delete(e.target as HTMLMediaElement);
    document.addEventListener('ended', drop, true);
    document.addEventListener('pause', drop, true);
    setInterval(() => (w.__maxPlaying = Math.max(w.__maxPlaying, playing.size)), 5);
  });
  const numbers = [await checkIn(browser, 'san-phu-khoa'), await checkIn(browser, 'san-phu-khoa')];
  const counter = await browser.newPage();
  await staffLogin(counter, '/counter/', logins.clinic);
  await counter.getByTestId('service-select').selectOption('san-phu-khoa');
  await expect(counter.getByTestId('queue-row').filter({ hasText: numbers[1] })).toBeVisible();
  const before = Number(await display.locator('main').getAttribute('data-spoken'));
  await counter.getByTestId('call-next').click();
  await counter.getByTestId('call-next').click();
  await expect(display.locator('main')).toHaveAttribute('data-spoken', String(before + 2), { timeout: 30_000 });
  expect(
    await display.evaluate(() => (window as unknown as { __maxPlaying: number }).__maxPlaying),
  ).toBeLessThanOrEqual(1);
});

test('counter: call next, recall, skip, complete and transfer from the keyboard and the queue', async ({
  browser,
}, info) => {
  const a = await checkIn(browser);
  const b = await checkIn(browser);
  const page = await browser.newPage();
  const shot = shooter(page, info);
  await staffLogin(page, '/counter/', logins.reception);
  await expect(page.getByTestId('queue-row').filter({ hasText: b })).toHaveAttribute('data-status', 'waiting');
  await shot('queue');

  // Whatever waits in this service is called in order; call until our first ticket comes up.
  for (let i = 0; i < 20; i++) {
    await page.keyboard.press('F2');
    await expect(page.getByTestId('message')).toBeVisible();
    if ((await page.getByTestId('last-call').textContent())?.includes(a)) break;
    await page.keyboard.press('F8');
    await expect(page.getByTestId('message')).toContainText('Hoàn tất');
  }
  await expect(page.getByTestId('last-call')).toContainText(a);
  await expect(page.getByTestId('queue-row').filter({ hasText: a })).toHaveAttribute('data-status', 'called');
  await page.keyboard.press('F3');
  await expect(page.getByTestId('message')).toContainText(`Gọi lại: ${a}`);
  await page.keyboard.press('F4');
  await expect(page.getByTestId('message')).toContainText(`Bỏ qua: ${a}`);
  await shot('skipped');

  // Pick the second ticket in the list and transfer it to another service.
  await page.getByTestId('queue-row').filter({ hasText: b }).getByRole('button').click();
  const target = await page.getByTestId('transfer-to').locator('option').nth(1).getAttribute('value');
  await page.getByTestId('transfer-to').selectOption(target ?? '');
  await page.keyboard.press('F9');
  await expect(page.getByTestId('message')).toContainText(`Chuyển: ${b} →`);
  await expect(page.getByTestId('queue-row').filter({ hasText: b })).toHaveCount(0);
  await shot('transferred');

  // And complete the next call.
  await page.keyboard.press('F2');
  await expect(page.getByTestId('message')).toBeVisible();
  await page.keyboard.press('F8');
  await expect(page.getByTestId('message')).toContainText(/Hoàn tất|Không còn ai chờ/u);
});

test('counter: registers a patient by hand and issues a number', async ({ page }) => {
  await staffLogin(page, '/counter/', logins.reception);
  await page.getByRole('button', { name: 'Đăng ký bệnh nhân' }).click();
  const form = page.getByTestId('register-form');
  await form.getByLabel('Họ và tên').fill('Trần Văn Bình');
  await form.getByLabel('Ngày sinh').fill('01/02/1950');
  await form.getByLabel('Số CCCD').fill('001050012345');
  await form.getByRole('button', { name: 'Đăng ký và cấp số' }).click();
  await expect(page.getByTestId('registered')).toContainText(/[A-Z]\d{3}/u);
});

test('a ticket whose print failed is reprinted from the counter once the paper is back', async ({ browser }, info) => {
  await simPrinterFault(sim, 'paper-out');
  let number: string;
  try {
    number = await checkIn(browser);
  } finally {
    await simPrinterFault(sim, 'none');
  }
  const page = await browser.newPage();
  await staffLogin(page, '/counter/', logins.reception);
  const row = page.getByTestId('queue-row').filter({ hasText: number });
  await expect(row).toContainText('In lỗi');
  await page.screenshot({ path: info.outputPath('counter-print-failed.png'), fullPage: true });
  await row.getByTestId('reprint').click();
  await expect(page.getByText(`Đã in lại: ${number}`)).toBeVisible();
  await expect(row).toContainText('Đã in');
  await expect(row.getByTestId('reprint')).toHaveCount(0);
  await page.close();
});

test("counter with its own agent: a scanned CCCD fills the form and the ticket prints on the counter's printer", async ({
  browser,
}) => {
  const page = await browser.newPage();
  await staffLogin(page, `/counter/?agent=http://127.0.0.1:${ports.agent}`, logins.reception);
  await page.getByRole('button', { name: 'Đăng ký bệnh nhân' }).click();
  const form = page.getByTestId('register-form');
  // The counter's own agent is linked before the scan (a scan reaches only connected pages).
  await expect(form.getByTestId('counter-agent')).toBeVisible();
  await simScan(sim, cccdQr);
  await expect(form.locator('input[name="full-name"]')).toHaveValue('Nguyễn Thị Lan');
  await expect(form.locator('input[name="dob"]')).toHaveValue('12/03/1988');
  await form.getByRole('button', { name: 'Đăng ký và cấp số' }).click();
  await expect(page.getByTestId('registered')).toBeVisible();
  await expect(page.getByTestId('counter-printed')).toBeVisible();
  const number = (await page.getByTestId('registered').locator('strong').textContent()) ?? '';
  const printed = await new Promise<Result<{ jobs: { text: string[] }[] }>>((resolve) =>
    sim.emit('sim:list-printed', {}, resolve),
  );
  expect(printed.ok && printed.value.jobs.at(-1)?.text.join('\n')).toContain(number);
  await page.close();
});

test('sound turned on once is not asked for again: after the screen restarts, a touch anywhere resumes it', async ({
  browser,
}) => {
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  const display = await context.newPage();
  await openPairedDisplay(display, '?voice=clips');
  await enableDisplaySound(display);
  // The TV restarts: the same browser profile opens the board in a tab nobody has touched yet.
  await display.close();
  const again = await context.newPage();
  // A browser that refuses sound until the page is touched (Chromium's default policy). The test
  // browser counts its pages as activated from the start and lets this tab play, so the refusal
  // is stood in for here: plays are refused until a touch or a key reaches the page.
  await again.addInitScript(() => {
    let touched = false;
    const touch = () => (touched = true);
    window.addEventListener('pointerdown', touch, { capture: true });
    window.addEventListener('keydown', touch, { capture: true });
    const play = HTMLMediaElement.prototype.play;
    HTMLMediaElement.prototype.play = function (this: HTMLMediaElement) {
      if (!touched) return Promise.reject(new DOMException('play() needs a gesture', 'NotAllowedError'));
      return play.call(this);
    };
  });
  await again.goto('/display/?voice=clips');
  await expect(again.getByTestId('room').first()).toBeVisible();
  await expect(again.locator('main')).toHaveAttribute('data-sound', 'blocked', { timeout: 20_000 });
  await expect(again.getByTestId('enable-sound')).toHaveCount(0);
  await expect(again.getByTestId('sound-resume')).toContainText('chạm vào màn hình để tiếp tục');
  await again.getByTestId('clock').click();
  await expect(again.getByTestId('sound-on')).toBeVisible();
  await context.close();
});
