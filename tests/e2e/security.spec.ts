import { expect, test, type Page } from '@playwright/test';
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
