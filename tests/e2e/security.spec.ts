import { expect, test, type Page } from '@playwright/test';
import type { ProcessingRegister } from '@kiosk/protocol';
import { kioskUrl, logins, shooter, staffLogin } from './support';

/** Collects what the browser refused under the page's Content-Security-Policy. */
function cspViolations(page: Page): string[] {
  const seen: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/iu.test(m.text())) seen.push(m.text());
  });
  return seen;
}

test('every page works under its CSP (no inline script, no framing) with the security headers', async ({
  page,
}, info) => {
  const shot = shooter(page, info);
  const violations = cspViolations(page);
  for (const path of [kioskUrl, '/counter/', '/display/']) {
    const res = await page.goto(path);
    const headers = res?.headers() ?? {};
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['content-security-policy']).toMatch(/script-src 'self'(;|$)/u);
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    await page.waitForLoadState('networkidle');
  }
  await staffLogin(page, '/admin/', logins.admin);
  await page.getByRole('button', { name: 'Bảo vệ dữ liệu cá nhân' }).click();
  await expect(page.getByTestId('privacy-register')).toBeVisible();
  await shot('privacy');
  expect(violations).toEqual([]);
});

test('the privacy tab reads in the staff member’s language: register, retention and data kinds', async ({ page }) => {
  await staffLogin(page, '/admin/', logins.admin);
  // The register as the page itself received it.
  const answered = page.waitForResponse((r) => r.url().endsWith('/api/admin/privacy/register') && r.ok());
  await page.getByRole('button', { name: 'Bảo vệ dữ liệu cá nhân' }).click();
  const register = ((await (await answered).json()) as { value: ProcessingRegister }).value;
  const texts = (lang: 'vi' | 'en') =>
    register.purposes.flatMap((p) => [
      p.name[lang],
      p.description[lang],
      p.legalBasis[lang],
      ...p.recipients.map((r) => r[lang]),
      ...(p.onWithdrawal ? [p.onWithdrawal[lang]] : []),
    ]);
  const table = page.getByTestId('privacy-register');
  await expect(table).toContainText('sự đồng ý tại ki-ốt');
  await expect(table).toContainText('Nhân thân');
  const shown = (await page.locator('main').innerText()).replace(/\s+/gu, ' ');
  // No English text of the register on the Vietnamese page (a text the same in both is a name).
  const vi = new Set(texts('vi'));
  expect(texts('en').filter((t) => !vi.has(t) && shown.includes(t))).toEqual([]);
  expect(shown).not.toMatch(/\b(identity|checkin-record|daily-kpi|access-audit)\b/u);

  await page.getByTestId('lang-switch').click();
  await expect(table).toContainText('consent given at the kiosk');
  await expect(table).toContainText('Identity');
  await page.getByTestId('lang-switch').click();
  await expect(table).toContainText('sự đồng ý tại ki-ốt');
});
