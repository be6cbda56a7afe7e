/**
 * A CCCD read on the counter's own reader (the plainest one: a PC/SC pad without MRZ optics) with
 * a key staff type, by keyboard only: the card placed, a wrong CCCD number → staff are told to
 * check the numbers; the right number and birth date → the chip's identity fills the registration
 * form with its "Chip ✓" badge, and the registration issues a ticket (recorded as typed by hand:
 * the server takes a chip only on an agent's word). A key left in the agent's session by an earlier
 * scan is forgotten when the counter opens its reader. A card lifted mid-read says so.
 * axe: no serious or critical violation. Screenshots at 1920×1080.
 */
import fs from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { ports } from '../playwright.config';
import {
  keepScreenshot,
  logins,
  screenshotDir,
  shooter,
  simulator,
  staffLogin,
  type Sim,
  audit,
  simSetCard,
  type SimCardCommand,
  cccdQr,
  simScan,
} from './support';

test.use({ viewport: { width: 1920, height: 1080 } });

let sim: Sim;
test.beforeAll(async () => {
  fs.mkdirSync(screenshotDir, { recursive: true });
  sim = await simulator();
});
test.afterAll(() => {
  sim.close();
});

const setCard = (command: SimCardCommand) => simSetCard(sim, command);

test.beforeEach(async () => {
  await setCard({ action: 'remove' });
});
test.afterEach(async () => {
  await setCard({ action: 'remove' });
});

/** The counter with its own agent, the registration opened by its shortcut. */
async function openCounter(page: Page) {
  await staffLogin(page, `/counter/?agent=http://127.0.0.1:${ports.agent}`, logins.reception);
  await expect(page.getByTestId('agent-state')).toHaveAttribute('data-state', 'linked');
  await page.getByTestId('service-select').selectOption('noi-tong-quat');
  await page.keyboard.press('Alt+R');
  const panel = page.getByTestId('chip-read');
  await expect(panel).toBeVisible();
  await expect(panel.getByTestId('chip-reader')).toContainText('Đặt thẻ CCCD lên đầu đọc');
  return panel;
}

test('a wrong key, then the right CCCD number and birth date: the chip fills the form, the ticket is issued', async ({
  page,
}, info) => {
  const shot = shooter(page, info, 'counter-chip-');
  // The same agent was left holding this patient's CCCD QR (a kiosk session on it, a previous
  // patient): the counter starts clean, so only the key staff type is tried.
  await simScan(sim, cccdQr);
  const panel = await openCounter(page);
  await setCard({ action: 'present' });
  await expect(panel.getByTestId('chip-card')).toBeVisible();
  // The card placed: the cursor waits in the CCCD number field.
  const idField = panel.getByLabel('Số CCCD (12 chữ số)');
  await expect(idField).toBeFocused();

  // A mistyped number (last digit): the chip refuses every key it gives.
  await page.keyboard.type('079188012346');
  await page.keyboard.press('Tab');
  await page.keyboard.type('12/03/1988');
  await page.keyboard.press('Tab'); // expiry: unknown, left empty
  await page.keyboard.press('Tab');
  await expect(panel.getByRole('checkbox')).toBeFocused();
  await page.keyboard.press('Space');
  await page.keyboard.press('Tab');
  await expect(panel.getByRole('button', { name: 'Đọc chip' })).toBeFocused();
  await shot('key-typed');
  await page.keyboard.press('Enter');
  await expect(panel.getByTestId('chip-problem')).toContainText('Khóa không mở được chip', { timeout: 30_000 });
  await expect(page.locator('input[name="full-name"]')).toHaveValue('');
  await audit(page, 'wrong key');
  await shot('wrong-key');

  // The cursor is back on the number, selected: the right one replaces it, Enter reads again.
  await expect(idField).toBeFocused();
  await page.keyboard.type('079188012345');
  await page.keyboard.press('Enter');
  await expect(panel.getByTestId('chip-identified')).toBeVisible({ timeout: 30_000 });
  const form = page.getByTestId('register-form');
  await expect(form.locator('input[name="full-name"]')).toHaveValue('Nguyễn Thị Lan');
  await expect(form.locator('input[name="dob"]')).toHaveValue('12/03/1988');
  await expect(form.locator('input[name="id-number"]')).toHaveValue('079188012345');
  await expect(form.locator('select[name="sex"]')).toHaveValue('female');
  await expect(form.locator('input[name="address"]')).toHaveValue('Phường Ninh Kiều, TP. Cần Thơ');
  await expect(panel.getByTestId('chip-badge')).toHaveText('Chip ✓ (đã xác thực)');
  await expect(panel.getByTestId('chip-face')).toBeVisible();
  await audit(page, 'chip identified');
  await shot('chip-identified');
  await keepScreenshot(page, 'counter-chip-identified-1920x1080');
  // A counter screen turned upright: the panel and the form stack, nothing overflows its box.
  await page.setViewportSize({ width: 1080, height: 1920 });
  await expect(panel.getByTestId('chip-badge')).toBeVisible();
  const overflowing = await page
    .locator(
      '[data-testid="register-form"] input, [data-testid="register-form"] select, [data-testid="chip-identified"]',
    )
    .evaluateAll((els) => els.filter((el) => el.scrollWidth > el.clientWidth + 1).length);
  expect(overflowing).toBe(0);
  await audit(page, 'chip identified, portrait');
  await keepScreenshot(page, 'counter-chip-identified-1080x1920');
  await page.setViewportSize({ width: 1920, height: 1080 });

  // The cursor waits on "register": Enter issues the ticket.
  await expect(form.getByRole('button', { name: 'Đăng ký và cấp số' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('registered')).toContainText(/[A-Z]\d{3}/u);
  const number = (await page.getByTestId('registered').locator('strong').textContent()) ?? '';
  // The chip data is gone from the panel; the visit is recorded as typed at the counter.
  await expect(panel.getByTestId('chip-identified')).toHaveCount(0);
  await expect(panel.getByTestId('chip-face')).toHaveCount(0);
  const row = page.getByTestId('queue-row').filter({ hasText: number });
  await expect(row.getByTestId('identity-badge')).toHaveAttribute('data-source', 'manual');
  await shot('registered');
});

test('a card lifted mid-read: staff are told to place it back', async ({ page }, info) => {
  const panel = await openCounter(page);
  await setCard({ action: 'present', faults: { removeCardAfterApdus: 12 } });
  await expect(panel.getByTestId('chip-card')).toBeVisible();
  await expect(panel.getByLabel('Số CCCD (12 chữ số)')).toBeFocused();
  await page.keyboard.type('079188012345');
  await page.keyboard.press('Tab');
  await page.keyboard.type('12/03/1988');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Space');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect(panel.getByTestId('chip-problem')).toContainText('Thẻ đã bị nhấc khỏi đầu đọc', { timeout: 30_000 });
  await expect(page.locator('input[name="full-name"]')).toHaveValue('');
  await audit(page, 'card removed');
  const file = info.outputPath('counter-chip-card-removed.png');
  await page.screenshot({ path: file, fullPage: true });
  await info.attach('counter-chip-card-removed', { path: file, contentType: 'image/png' });
});
