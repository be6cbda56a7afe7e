import { expect, test } from '@playwright/test';
import type { Result } from '@kiosk/protocol';
import {
  cccdQr,
  expectOk,
  logins,
  openKiosk,
  openPairedDisplay,
  simPrinterFault,
  simScan,
  simulator,
  staffLogin,
  type Sim,
  audit,
} from './support';

const expectOkAck = async (ack: Promise<Result<null>>) => expectOk(await ack);

// axe-core on every page and every kiosk step: no serious or critical violation.
let sim: Sim;
test.beforeAll(async () => {
  sim = await simulator();
});
test.afterAll(() => {
  sim.close();
});

test('kiosk: every step, normal and high contrast', async ({ page }) => {
  await openKiosk(page);
  await audit(page, 'attract');
  await page.getByTestId('manual-start').click();
  await audit(page, 'manual');
  await page.getByRole('button', { name: 'Quay lại' }).click();
  await simScan(sim, cccdQr);
  await expect(page.getByTestId('confirm')).toBeVisible();
  await audit(page, 'confirm');
  await page.getByTestId('contrast').click();
  await audit(page, 'confirm, high contrast');
  await page.getByTestId('contrast').click();
  await page.getByTestId('confirm-yes').click();
  await audit(page, 'consent');
  await page.getByTestId('consent-agree').click();
  await expect(page.getByTestId('services')).toBeVisible();
  await audit(page, 'services');
  await page.getByTestId('service-noi-tong-quat').click();
  await audit(page, 'priority');
  await simPrinterFault(sim, 'paper-out');
  try {
    await page.getByTestId('submit').click();
    await expect(page.getByTestId('not-printed')).toBeVisible();
    await audit(page, 'on-screen ticket');
  } finally {
    await simPrinterFault(sim, 'none');
  }
  await page.getByTestId('done').click();
  await audit(page, 'thanks');
});

test('kiosk: privacy notice before the chip read, read progress and the confirmation with the face', async ({
  page,
}) => {
  await openKiosk(page);
  await expectOkAck(
    new Promise((resolve) => sim.emit('sim:set-card', { action: 'present', link: { perApduLatencyMs: 40 } }, resolve)),
  );
  await expect(page.getByTestId('consent')).toBeVisible();
  await audit(page, 'chip consent');
  await page.getByTestId('consent-agree').click();
  // The plainest reader: the page asks for the QR on the front of the card, which opens the chip.
  await expect(page.getByTestId('need-qr')).toBeVisible();
  await audit(page, 'need qr');
  await simScan(sim, cccdQr);
  await expect(page.getByTestId('reading')).toBeVisible();
  await audit(page, 'chip reading');
  await expect(page.getByTestId('face')).toBeVisible({ timeout: 30_000 });
  await audit(page, 'chip confirm');
  await expectOkAck(new Promise((resolve) => sim.emit('sim:set-card', { action: 'remove' }, resolve)));
});

test('counter, display and admin', async ({ page, browser }) => {
  // Fourteen audits of full pages: a bound on hangs on a loaded machine, not a speed target.
  test.setTimeout(300_000);
  await page.goto('/counter/');
  await audit(page, 'counter login');
  await staffLogin(page, '/counter/', logins.reception);
  await expect(page.getByTestId('call-next')).toBeVisible();
  await audit(page, 'counter');
  await page.getByRole('button', { name: 'Đăng ký bệnh nhân' }).click();
  await audit(page, 'counter registration');

  const display = await (await browser.newContext({ viewport: { width: 1920, height: 1080 } })).newPage();
  await display.goto('/display/');
  await expect(display.getByTestId('display-pairing')).toBeVisible();
  await audit(display, 'display pairing');
  await openPairedDisplay(display);
  await expect(display.getByTestId('enable-sound')).toBeVisible();
  await audit(display, 'display');
  await display.setViewportSize({ width: 1080, height: 1920 });
  await audit(display, 'display portrait');

  const admin = await (await browser.newContext()).newPage();
  await staffLogin(admin, '/admin/', logins.admin);
  await expect(admin.getByTestId('kiosk-row').first()).toBeVisible();
  await audit(admin, 'admin fleet');
  await admin.getByTestId('kiosk-details').first().click();
  await expect(admin.getByTestId('kiosk-detail')).toBeVisible();
  await audit(admin, 'admin kiosk detail');
  for (const tab of ['Màn hình gọi số', 'Thống kê', 'Báo cáo', 'Khoa và dịch vụ', 'Người dùng']) {
    await admin.getByRole('button', { name: tab, exact: true }).click();
    await admin.waitForLoadState('networkidle');
    await audit(admin, `admin ${tab}`);
  }
  // A role without the page sees why.
  const viewer = await (await browser.newContext()).newPage();
  await staffLogin(viewer, '/admin/', logins.viewer);
  await expect(viewer.getByTestId('no-access')).toBeVisible();
  await audit(viewer, 'admin without access');
});
