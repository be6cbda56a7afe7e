import { expect, test } from '@playwright/test';
import type { CalledTicket, Result } from '@kiosk/protocol';
import {
  cccdQr,
  completeCheckIn,
  keepScreenshot,
  logins,
  openKiosk,
  shooter,
  simScan,
  simulator,
  staffApi,
  staffLogin,
  type Sim,
  audit,
} from './support';

let sim: Sim;
test.beforeAll(async () => {
  sim = await simulator();
});
test.afterAll(() => {
  sim.close();
});

/** The code on the last printed ticket, once it shows `number`. */
async function printedCode(number: string): Promise<string> {
  let code = '';
  await expect(async () => {
    const printed = await new Promise<Result<{ jobs: { text: string[] }[] }>>((resolve) =>
      sim.emit('sim:list-printed', {}, resolve),
    );
    const text = printed.ok ? (printed.value.jobs.at(-1)?.text.join('\n') ?? '') : '';
    expect(text).toContain(number);
    code = /\b([A-HJ-NP-Z2-9]{12})\b/u.exec(text)?.[1] ?? '';
    expect(code).not.toBe('');
  }).toPass();
  return code;
}

test("the printed ticket's code opens its status on a phone, which shows the call live", async ({ browser }, info) => {
  // Kiosk, phone and counter pages in one journey: more than the default minute on a busy machine.
  test.setTimeout(150_000);
  // Check in at the kiosk; the ticket is printed by the simulated printer.
  const kiosk = await browser.newPage();
  await openKiosk(kiosk);
  await simScan(sim, cccdQr);
  await expect(kiosk.getByTestId('patient-name')).toBeVisible();
  const number = await completeCheckIn(kiosk, { serviceId: 'san-phu-khoa' });
  const code = await printedCode(number);
  await kiosk.close();

  // The patient's phone opens /t/<code>.
  const phone = await browser.newPage({
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    locale: 'vi-VN',
  });
  const shot = shooter(phone, info, 'phone-');
  const res = await phone.goto(`/t/${code}`);
  expect(res?.status()).toBe(200);
  await expect(phone.getByTestId('status-number')).toHaveText(number);
  await expect(phone.getByTestId('status-ahead')).toBeVisible();
  await expect(phone.getByTestId('status-connection')).toHaveAttribute('data-connected', 'true');
  await expect(phone.getByTestId('status-wait')).toHaveText(/phút|Sắp đến lượt/u);
  const content = await phone.content();
  expect(content).not.toMatch(/Nguyễn|Lan|079188012345|1988/u);
  await shot('waiting');

  // The counter calls until this ticket comes up; the phone shows the call without a reload.
  const counter = await browser.newPage();
  await staffLogin(counter, '/counter/', logins.clinic);
  await counter.getByTestId('service-select').selectOption('san-phu-khoa');
  await counter.getByTestId('counter-input').fill('P.12');
  await expect(counter.getByTestId('queue-row').filter({ hasText: number })).toBeVisible();
  const called = phone.getByTestId('status-called');
  for (let i = 0; i < 30 && !(await called.isVisible()); i++) {
    const ahead = Number((await phone.getByTestId('status-ahead').getAttribute('data-ahead')) ?? '0');
    await counter.getByTestId('call-next').click();
    // Each call moves the line: the phone's count drops, or its own call arrives.
    await expect(called.or(phone.locator(`[data-testid="status-ahead"]:not([data-ahead="${ahead}"])`))).toBeVisible();
  }
  await expect(called).toHaveText('Mời bạn đến P.12');
  await shot('called');
  await keepScreenshot(phone, 'ticket-status-called-390x844');

  // In English, and the visit ends: the code expires.
  await phone.getByRole('button', { name: 'English' }).click();
  await expect(called).toHaveText('Please go to P.12');
  await counter.getByTestId('complete').click();
  await expect(phone.getByTestId('status-problem')).toHaveAttribute('data-problem', 'expired');
  await shot('expired');
  expect((await phone.request.get(`/api/t/${code}`)).status()).toBe(404);
});

test("a ticket's QR scanned at the kiosk shows its live status, the call included", async ({ browser }, info) => {
  // A check-in, a status followed through a call, two screen sizes and axe: more than a minute when busy.
  test.setTimeout(180_000);
  // axe needs a page of a context of its own.
  const context = await browser.newContext({ viewport: { width: 1080, height: 1920 } });
  const kiosk = await context.newPage();
  const shot = shooter(kiosk, info, 'kiosk-');
  // The status step is not touched while it updates: a long idle time keeps it on screen meanwhile.
  await openKiosk(kiosk, '&idleMs=600000');
  await simScan(sim, cccdQr);
  await expect(kiosk.getByTestId('patient-name')).toBeVisible();
  const number = await completeCheckIn(kiosk, { serviceId: 'tai-mui-hong' });
  const code = await printedCode(number);
  await kiosk.getByTestId('done').click();
  await expect(kiosk.getByTestId('attract')).toBeVisible();

  // The patient comes back later and holds the ticket's QR under the kiosk's scanner.
  await simScan(sim, `TK:${code}`);
  const status = kiosk.getByTestId('ticket-status');
  await expect(status).toBeVisible();
  await expect(kiosk.getByTestId('status-number')).toHaveText(number);
  await expect(kiosk.getByTestId('status-ahead')).toHaveAttribute('data-ahead', /^\d+$/u);
  await expect(kiosk.getByTestId('status-wait')).toBeVisible();
  await expect(kiosk.getByTestId('status-place')).toContainText('Tai Mũi Họng');
  expect(await kiosk.content()).not.toMatch(/Nguyễn|Lan|079188012345|1988/u);
  await kiosk.evaluate(() => document.fonts.ready);
  await shot('status-waiting');
  await keepScreenshot(kiosk, 'kiosk-ticket-status-waiting-1080x1920');
  await audit(kiosk, 'ticket status, waiting, portrait');

  // The reception counter calls the line until this ticket comes up; the kiosk shows where to go.
  const reception = await staffApi(logins.reception);
  for (let i = 0; i < 30; i++) {
    const r = await reception.post('/api/queue/call-next', { data: { serviceId: 'tai-mui-hong', counter: 'P.12' } });
    const body = (await r.json()) as Result<CalledTicket | null>;
    const called = body.ok ? body.value : null;
    if (!called || called.number === number) break;
  }
  await reception.dispose();
  // The kiosk asks again every few seconds: the call arrives without a touch.
  await expect(kiosk.getByTestId('status-called')).toHaveText('Mời bạn đến P.12', { timeout: 30_000 });
  await expect(kiosk.getByTestId('status-ahead')).toHaveCount(0);
  await shot('status-called');
  await keepScreenshot(kiosk, 'kiosk-ticket-status-called-1080x1920');
  await audit(kiosk, 'ticket status, called, portrait');

  await kiosk.setViewportSize({ width: 1920, height: 1080 });
  await expect(kiosk.getByTestId('status-called')).toBeVisible();
  await shot('status-called-landscape');
  await keepScreenshot(kiosk, 'kiosk-ticket-status-called-1920x1080');
  await audit(kiosk, 'ticket status, called, landscape');

  // "Done" forgets it; a code no ticket has is a full problem whose button goes back to the start.
  await kiosk.getByTestId('done').click();
  await expect(kiosk.getByTestId('attract')).toBeVisible();
  await simScan(sim, 'TK:ZZZZZZZZZZZZ');
  await expect(kiosk.getByTestId('problem')).toHaveAttribute('data-problem', 'kiosk.ticket-status.unknown');
  await expect(kiosk.getByTestId('problem')).toContainText('quầy tiếp đón');
  await shot('status-unknown-landscape');
  await keepScreenshot(kiosk, 'kiosk-ticket-status-unknown-1920x1080');
  await audit(kiosk, 'ticket status, unknown code, landscape');
  await kiosk.getByTestId('problem-action').click();
  await expect(kiosk.getByTestId('attract')).toBeVisible();
  await context.close();
});
