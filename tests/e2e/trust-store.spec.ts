/**
 * The CSCA trust store on the admin page: an administrator imports a CSCA master list with the
 * file input (keyboard), sees it listed with its kind, certificates and countries, and the kiosk
 * reports it applied the new set; a tampered master list is refused with its translated reason;
 * removing the file asks for confirmation. axe: no serious or critical violation; 1920×1080
 * screenshots kept.
 */
import fs from 'node:fs';
import { expect, test } from '@playwright/test';
import { buildMasterList, createTestPki, generateKeyPair, issueCertificate } from '@kiosk/device-agent';
import { audit, keepScreenshot, logins, screenshotDir, staffLogin } from './support';

const fullHd = { width: 1920, height: 1080 };
const pki = createTestPki();
const signer = issueCertificate({
  subject: { country: 'VN', organization: 'Test Ministry of Public Security', commonName: 'Test Master List Signer' },
  key: generateKeyPair('ec-p256'),
  issuer: pki.csca,
});
const certificates = [pki.csca, createTestPki({ country: 'DE' }).csca];

test.beforeAll(() => {
  fs.mkdirSync(screenshotDir, { recursive: true });
});

test('admin imports a CSCA master list; it is listed and the kiosk applies it', async ({ page }) => {
  await page.setViewportSize(fullHd);
  await staffLogin(page, '/admin/#trust', logins.admin);
  await expect(page.getByRole('heading', { name: 'Kho chứng thư tin cậy (CSCA) để xác thực chip CCCD' })).toBeVisible();
  const input = page.getByLabel('Tệp danh sách, chứng thư hoặc CRL');

  // A tampered list: refused with its reason, in Vietnamese.
  await input.setInputFiles({
    name: 'tampered.ml',
    mimeType: 'application/octet-stream',
    buffer: Buffer.from(buildMasterList({ signer, certificates, corruptSignature: true })),
  });
  await input.focus();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('trust-message')).toHaveText(/Chữ ký của danh sách CSCA không hợp lệ/u);

  const name = `ICAO_ml_${Date.now()}.ml`;
  await input.setInputFiles({
    name,
    mimeType: 'application/octet-stream',
    buffer: Buffer.from(buildMasterList({ signer, certificates })),
  });
  await page.getByRole('button', { name: 'Nhập tệp' }).click();
  await expect(page.getByTestId('trust-message')).toHaveText('Đã nhập tệp.');
  const row = page.getByTestId('trust-file-row').filter({ hasText: name });
  await expect(row).toContainText('Danh sách CSCA');
  await expect(row).toContainText('DE, VN');
  await expect(row).toContainText('do CSCA trong danh sách cấp');
  // The kiosk took the pushed set (the page looks again every few seconds).
  await expect(page.getByTestId('trust-kiosk-state').first()).toHaveText('Mới nhất', { timeout: 30_000 });
  await expect(page.getByTestId('trust-kiosk-row').first()).toContainText(/\d+ CSCA, \d+ CRL/u);
  await audit(page, 'trust store (vi)');
  await keepScreenshot(page, 'admin-trust-store-vi-1920x1080');

  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByRole('heading', { name: 'Trusted certificates (CSCA) for ID chip checks' })).toBeVisible();
  await expect(row).toContainText('CSCA master list');
  await audit(page, 'trust store (en)');
  await keepScreenshot(page, 'admin-trust-store-en-1920x1080');

  // Removal asks first; dismissed, the file stays; accepted, it goes.
  page.once('dialog', (d) => void d.dismiss());
  await row.getByRole('button', { name: `Remove ${name}` }).click();
  await expect(row).toBeVisible();
  page.once('dialog', (d) => void d.accept());
  await row.getByRole('button', { name: `Remove ${name}` }).click();
  await expect(row).toHaveCount(0);
});
