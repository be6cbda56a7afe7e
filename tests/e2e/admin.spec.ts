import { expect, test } from '@playwright/test';
import {
  cccdQr,
  completeCheckIn,
  logins,
  openKiosk,
  shooter,
  simPrinterFault,
  simScan,
  simulator,
  staffLogin,
  type Sim,
} from './support';

let sim: Sim;
test.beforeAll(async () => {
  sim = await simulator();
});
test.afterAll(async () => {
  await simPrinterFault(sim, 'none');
  sim.close();
});

test('admin: the kiosk fleet with device states, and an enrollment code', async ({ page }, info) => {
  const shot = shooter(page, info);
  await staffLogin(page, '/admin/', logins.admin);
  const kiosk = page.getByTestId('kiosk-row').first();
  await expect(kiosk).toHaveAttribute('data-online', 'true');
  await expect(kiosk.getByTestId('device').first()).toBeVisible();
  await page.getByTestId('create-pairing').click();
  await expect(page.getByTestId('pairing-code')).toHaveText(/^[A-Z2-9]{8,}$/u);
  await shot('fleet');
});

test('admin: a printer out of paper shows as an alert within 5 s, and clears itself', async ({ page }, info) => {
  const shot = shooter(page, info);
  await staffLogin(page, '/admin/', logins.admin);
  await expect(page.getByTestId('kiosk-row').first()).toBeVisible();
  const alert = page.getByTestId('alert').and(page.locator('[data-kind="printer-paper-out"]'));
  await expect(alert).toHaveCount(0);

  const t0 = Date.now();
  await simPrinterFault(sim, 'paper-out');
  await expect(alert).toBeVisible({ timeout: 5_000 });
  info.annotations.push({ type: 'paper-out-to-alert-ms', description: String(Date.now() - t0) });
  await expect(alert).toContainText('Máy in hết giấy');
  await expect(alert).toContainText('từ');
  await shot('paper-out-alert');

  await simPrinterFault(sim, 'none');
  await expect(alert).toHaveCount(0, { timeout: 15_000 });
});

test('admin: statistics charts, departments and services, users', async ({ page }, info) => {
  const shot = shooter(page, info);
  await staffLogin(page, '/admin/', logins.admin);
  await page.getByRole('button', { name: 'Thống kê' }).click();
  await expect(page.getByTestId('stats').locator('svg').first()).toBeVisible();
  await shot('stats');

  await page.getByRole('button', { name: 'Khoa và dịch vụ' }).click();
  await expect(page.getByTestId('service-row').first()).toBeVisible();
  const id = `khoa-${Date.now().toString(36)}`;
  const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Lưu' }) });
  await form.getByLabel('Mã').fill(id);
  await form.getByLabel('Tên tiếng Việt').fill('Khoa Thử nghiệm');
  await form.getByLabel('Tên tiếng Anh').fill('Test department');
  await form.getByRole('button', { name: 'Lưu' }).click();
  await expect(page.getByText(id)).toBeVisible();
  await shot('facility');

  await page.getByRole('button', { name: 'Người dùng' }).click();
  await expect(page.getByTestId('user-row').filter({ hasText: 'tiepdon' })).toBeVisible();
  await shot('users');
});

test('admin: check-ins per hour, waits per service and no-show rate as charts', async ({ page, browser }, info) => {
  const shot = shooter(page, info);
  const kiosk = await browser.newPage();
  await openKiosk(kiosk);
  await simScan(sim, cccdQr);
  await expect(kiosk.getByTestId('patient-name')).toBeVisible();
  await completeCheckIn(kiosk);
  await kiosk.close();
  await staffLogin(page, '/admin/', logins.admin);
  await page.getByRole('button', { name: 'Thống kê' }).click();
  await expect(page.getByRole('img', { name: 'Lượt đăng ký theo giờ (hôm nay)' })).toBeVisible();
  await expect(page.getByRole('img', { name: 'Thời gian chờ theo dịch vụ (phút)' })).toBeVisible();
  await expect(page.getByRole('img', { name: /^Tỉ lệ vắng mặt: / })).toBeVisible();
  // The check-in above is in this hour's bar, drawn as SVG (not an unknown HTML element of that name).
  const bars = page.getByRole('img', { name: 'Lượt đăng ký theo giờ (hôm nay)' }).locator('rect[height]');
  expect(await bars.evaluateAll((rs) => rs.some((r) => r instanceof SVGRectElement && r.getBBox().height > 0))).toBe(
    true,
  );
  await shot('stats');
});

test('admin: the EMR outbox state', async ({ page }) => {
  await staffLogin(page, '/admin/', logins.admin);
  const emr = page.getByTestId('emr');
  await expect(emr).toBeVisible();
  // npm start runs the local EMR mode: nothing waits long and nothing fails.
  await expect(emr.locator('dd').nth(1)).toHaveText('0');
  await expect(emr.locator('dd').nth(0)).toHaveText(/^\d+$/u);
});

test('admin: the e-invoice section says it is off while no provider is configured', async ({ page }) => {
  await staffLogin(page, '/admin/', logins.admin);
  // npm start configures no e-invoice provider (EINVOICE_URL unset).
  await expect(page.getByTestId('einvoice-off')).toHaveText(/Chưa bật|Off/u);
});

test("admin: a kiosk's detail gives device states and last errors in words, never as codes", async ({
  page,
  browser,
}, info) => {
  const shot = shooter(page, info);
  // A ticket printed out of paper leaves the printer's last error: "print failed: paper-out".
  await simPrinterFault(sim, 'paper-out');
  try {
    const kiosk = await browser.newPage();
    await openKiosk(kiosk);
    await simScan(sim, cccdQr);
    await expect(kiosk.getByTestId('patient-name')).toBeVisible();
    await completeCheckIn(kiosk);
    await expect(kiosk.getByTestId('not-printed')).toBeVisible();
    await kiosk.close();
  } finally {
    await simPrinterFault(sim, 'none');
  }
  await staffLogin(page, '/admin/', logins.admin);
  await page.getByTestId('kiosk-details').first().click();
  const detail = page.getByTestId('kiosk-detail');
  await expect(detail.getByTestId('detail-last-error').filter({ hasText: 'In thất bại: hết giấy' })).toHaveCount(1);
  await expect(detail.getByTestId('detail-device').first()).toContainText(/sẵn sàng|cần chú ý|lỗi|mất kết nối/u);
  // No device code left in the words (ids and profiles are data, marked translate="no").
  const words = await detail.evaluate((root) => {
    const out: string[] = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode())
      if (!n.parentElement?.closest('[translate="no"]')) out.push(n.textContent ?? '');
    return out.join(' ');
  });
  expect(words).not.toMatch(/paper-out|print failed|paper-near-end|cover-open|\b(ready|error|disconnected)\b/u);
  await shot('kiosk-detail-errors');
});
