import { expect, test } from '@playwright/test';
import { audit, keepScreenshot, kioskUrl } from './support';

// The kiosk's start screen is prerendered into its HTML (kiosk-ui/scripts/prerender.mjs): a slow
// kiosk PC paints it before any script has run. Until the live page mounts it is inert and says
// the kiosk is starting; it claims no device ready; once live there is one start screen only.

test.use({ viewport: { width: 1080, height: 1920 } });

test('the start screen comes with the HTML, answers nothing until live, then gives way to the live page', async ({
  page,
}) => {
  // Hold the page's script until the prerendered screen has been looked at: JS arriving late.
  let release = () => undefined as void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let held = false;
  await page.route(/\/assets\/kiosk-[^/]+\.js$/u, async (route) => {
    held = true;
    await released;
    await route.continue();
  });
  await page.goto(kioskUrl, { waitUntil: 'commit' });

  const prerendered = page.locator('[data-prerendered]');
  await expect(prerendered).toBeVisible();
  await expect(prerendered).toHaveAttribute('inert', '');
  await expect(prerendered.getByRole('status')).toHaveText('Ki-ốt đang khởi động, vui lòng chờ trong giây lát.');
  await expect(prerendered.getByText('Chọn một cách bắt đầu bên dưới')).toBeVisible();
  // A neutral device state: no drawing of a card or a QR, no "tap your card", no "scan the QR".
  await expect(prerendered).not.toContainText('Quét mã QR');
  await expect(prerendered).not.toContainText('Chạm thẻ');
  await expect(page.getByTestId('attract')).toHaveCount(0);
  expect(held).toBe(true);
  await keepScreenshot(page, 'kiosk-prerendered-start-1080x1920');

  // A tap or a key reaches nothing in it: no focus, no step opened.
  await prerendered.getByRole('button', { name: 'Nhập thông tin bằng tay' }).click({ force: true });
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.activeElement === document.body)).toBe(true);
  await expect(prerendered.getByText('Chọn một cách bắt đầu bên dưới')).toBeVisible();

  release();
  await expect(page.getByTestId('attract')).toBeVisible();
  await expect(prerendered).toHaveCount(0);
  await expect(page.locator('.kiosk')).toHaveCount(1);
  await expect(page.locator('#attract-title')).toHaveCount(1);
  await expect(page.getByText('Ki-ốt đang khởi động, vui lòng chờ')).toHaveCount(0);
  await audit(page, 'live start screen after the prerendered one');
  // Live: the same button now opens its step.
  await page.getByTestId('manual-start').click();
  await expect(page.locator('.kiosk')).toHaveAttribute('data-step', 'manual');
});

test('the prerendered start screen passes axe as it is painted', async ({ page }) => {
  let release = () => undefined as void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\/assets\/kiosk-[^/]+\.js$/u, async (route) => {
    await released;
    await route.continue();
  });
  await page.goto(kioskUrl, { waitUntil: 'commit' });
  await expect(page.locator('[data-prerendered]')).toBeVisible();
  await audit(page, 'prerendered start screen');
  release();
  await expect(page.getByTestId('attract')).toBeVisible();
});
