import { expect, test, type Page } from '@playwright/test';
import { audit, keepScreenshot, logins, openKiosk, staffApi, staffLogin } from './support';

// Admin → Giao diện ki-ốt: the hospital's name, primary colour, logo and the kiosk's languages.
// A kiosk page already open takes them from its next patient on (read again at each wipe).

// Two pages, two axe runs: a generous bound for a shared, loaded machine (it only bounds a hang).
test.describe.configure({ timeout: 300_000 });

const blue = '#1d4ed8';
const logoSvg =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48"><circle cx="24" cy="24" r="20" fill="#1d4ed8"/></svg>';

/** The kiosk's primary button colour as [r, g, b]. */
async function primaryRgb(page: Page): Promise<number[]> {
  const bg = await page.getByTestId('appointment-start').evaluate((b) => getComputedStyle(b).backgroundColor);
  return (bg.match(/\d+/gu) ?? []).slice(0, 3).map(Number);
}

test.afterAll(async () => {
  // Leave the shared stack as the demo facility had it.
  const admin = await staffApi(logins.admin);
  await admin.put('/api/admin/settings/kiosk-look', {
    data: { hospitalName: { vi: '', en: '' }, primaryColor: '', logo: null },
  });
  const languages = await (await admin.get('/api/admin/settings/languages')).json();
  await admin.put('/api/admin/settings/languages', { data: { ...languages.value, languages: ['vi', 'en', 'km'] } });
  await admin.dispose();
});

test('an admin sets the colour, name, logo and languages; an open kiosk shows them from its next patient', async ({
  browser,
}) => {
  const kioskContext = await browser.newContext({ viewport: { width: 1080, height: 1920 } });
  const kiosk = await kioskContext.newPage();
  await openKiosk(kiosk);
  await expect(kiosk.getByTestId('languages').locator('[data-lang="km"]')).toBeVisible();
  const before = await primaryRgb(kiosk);

  const adminContext = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  const admin = await adminContext.newPage();
  await staffLogin(admin, '/admin/#kiosk-look', logins.admin);
  const section = admin.getByTestId('kiosk-look');
  await expect(section).toBeVisible();
  await admin.getByTestId('look-name-vi').fill('Bệnh viện Đa khoa Cần Thơ');
  await admin.getByTestId('look-name-en').fill('Can Tho General Hospital');

  // A colour white text does not read on: said at once, and refused by the server with its reason.
  await admin.getByTestId('look-color').fill('#ffd400');
  await expect(admin.getByTestId('look-contrast')).toContainText('cần từ 4,5:1');
  await admin.getByTestId('look-save').click();
  await expect(admin.getByTestId('look-message')).toHaveText(
    'Màu chính quá nhạt: chữ trắng trên màu này cần độ tương phản từ 4,5:1.',
  );

  await admin.getByTestId('look-color').fill(blue);
  await admin.getByTestId('look-logo-file').setInputFiles({
    name: 'logo.svg',
    mimeType: 'image/svg+xml',
    buffer: Buffer.from(logoSvg),
  });
  await expect(admin.getByTestId('look-logo')).toBeVisible();
  await admin.getByTestId('look-languages').locator('[data-lang="km"]').uncheck();
  await expect(admin.getByTestId('look-languages').locator('[data-lang="vi"]')).toBeDisabled();
  await admin.getByTestId('look-save').click();
  await expect(admin.getByTestId('look-message')).toHaveText('Đã lưu');
  await audit(admin, 'admin kiosk look');
  await keepScreenshot(admin, 'admin-kiosk-look-1920x1080');

  // An unsafe SVG is refused with its reason, and the saved look stands.
  await admin.getByTestId('look-logo-file').setInputFiles({
    name: 'bad.svg',
    mimeType: 'image/svg+xml',
    buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
  });
  await admin.getByTestId('look-save').click();
  await expect(admin.getByTestId('look-message')).toContainText('không an toàn');

  // The open kiosk: its next patient (a wipe: "start over") sees the new look.
  await kiosk.getByTestId('manual-start').click();
  await kiosk.getByTestId('start-over').click();
  await expect(kiosk.getByTestId('hospital-name')).toHaveText('Bệnh viện Đa khoa Cần Thơ');
  await expect(kiosk.getByTestId('languages').locator('[data-lang]')).toHaveCount(2);
  await expect(kiosk.getByTestId('languages').locator('[data-lang="km"]')).toHaveCount(0);
  await expect(kiosk.getByTestId('hospital-logo')).toHaveAttribute('src', /^data:image\/svg\+xml;base64,/u);
  await expect.poll(() => primaryRgb(kiosk)).not.toEqual(before);
  const [r = 0, g = 0, b = 0] = await primaryRgb(kiosk);
  expect(b).toBeGreaterThan(r);
  expect(b).toBeGreaterThan(g);
  // English names the hospital in English.
  await kiosk.getByTestId('languages').locator('[data-lang="en"]').click();
  await expect(kiosk.getByTestId('hospital-name')).toHaveText('Can Tho General Hospital');
  await kiosk.getByTestId('languages').locator('[data-lang="vi"]').click();
  await audit(kiosk, 'kiosk with the admin look');
  await keepScreenshot(kiosk, 'kiosk-admin-look-1080x1920');

  // A kiosk opened afresh has it from the start.
  const fresh = await kioskContext.newPage();
  await openKiosk(fresh);
  await expect(fresh.getByTestId('hospital-name')).toHaveText('Bệnh viện Đa khoa Cần Thơ');
  await expect(fresh.getByTestId('languages').locator('[data-lang]')).toHaveCount(2);

  await kioskContext.close();
  await adminContext.close();
});
