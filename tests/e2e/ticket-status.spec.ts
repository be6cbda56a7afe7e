import { expect, test } from '@playwright/test';
import type { Result } from '@kiosk/protocol';
import {
  cccdQr,
  completeCheckIn,
  keepScreenshot,
  logins,
  openKiosk,
  shooter,
  simScan,
  simulator,
  staffLogin,
  type Sim,
} from './support';

let sim: Sim;
test.beforeAll(async () => {
  sim = await simulator();
});
test.afterAll(() => {
  sim.close();
});

test("the printed ticket's code opens its status on a phone, which shows the call live", async ({ browser }, info) => {
  // Kiosk, phone and counter pages in one journey: more than the default minute on a busy machine.
  test.setTimeout(150_000);
  // Check in at the kiosk; the ticket is printed by the simulated printer.
  const kiosk = await browser.newPage();
  await openKiosk(kiosk);
  await simScan(sim, cccdQr);
  await expect(kiosk.getByTestId('patient-name')).toBeVisible();
  const number = await completeCheckIn(kiosk, { serviceId: 'san-phu-khoa' });
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
