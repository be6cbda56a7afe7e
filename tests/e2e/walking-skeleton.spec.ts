import { expect, test } from '@playwright/test';
import type { Result } from '@kiosk/protocol';
import { cccdQr, completeCheckIn, expectOk, kioskUrl, simulator } from './support';

test('a CCCD QR check-in goes through every layer to a printed ticket and the counter queue', async ({
  page,
  browser,
}, info) => {
  const shot = async (name: string) => {
    const file = info.outputPath(`${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    await info.attach(name, { path: file, contentType: 'image/png' });
  };
  const sim = await simulator();

  await page.goto(kioskUrl);
  await expect(page.getByTestId('attract')).toBeVisible();
  await expect(page.getByText('Ki-ốt đang khởi động lại')).toHaveCount(0);
  await shot('1-attract');

  // The simulated scanner reads the QR: the agent parses and classifies it and tells the page.
  expectOk(await new Promise<Result<null>>((resolve) => sim.emit('sim:scan', { payload: cccdQr }, resolve)));
  await expect(page.getByTestId('patient-name')).toHaveText('Nguyễn Thị Lan');
  await expect(page.getByText('0791****2345')).toBeVisible();
  await shot('2-confirm');

  const ticket = await completeCheckIn(page);
  await expect(page.getByTestId('printed')).toBeVisible();
  await shot('3-ticket');

  // The real ESC/POS encoder's bytes reached the simulated printer, which decoded the ticket.
  const printed = expectOk(
    await new Promise<Result<{ jobs: { text: string[]; bytes: number }[] }>>((resolve) =>
      sim.emit('sim:list-printed', {}, resolve),
    ),
  );
  const job = printed.jobs.at(-1);
  expect(job?.text.join('\n')).toContain(ticket);
  sim.close();

  // The counter sees the ticket waiting.
  const counter = await browser.newPage();
  await counter.goto('/counter/');
  await counter.getByLabel('Tên đăng nhập').fill('tiepdon');
  await counter.getByLabel('Mật khẩu').fill('tiepdon-demo');
  await counter.getByRole('button', { name: 'Đăng nhập' }).click();
  await expect(counter.getByTestId('queue-row').filter({ hasText: ticket })).toHaveAttribute('data-status', 'waiting');
  await counter.screenshot({ path: info.outputPath('4-counter.png'), fullPage: true });
});
