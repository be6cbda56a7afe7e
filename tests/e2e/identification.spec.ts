/**
 * One identification act with the plainest reader (the simulator's default: a PC/SC pad without
 * MRZ optics, so nothing opens the chip but the CCCD QR or a staff key): QR then card, card then
 * QR (the card stays on the reader, or is lifted to scan its QR and put back), a QR of another
 * person than the card, and a card with no QR, which asks for the QR with a picture.
 */
import { expect, test, type Page } from '@playwright/test';
import {
  cccdQr,
  completeCheckIn,
  logins,
  openKiosk,
  shooter,
  simScan,
  simulator,
  staffLogin,
  type Sim,
  simSetCard,
  type SimCardCommand,
} from './support';

/** Another person's CCCD QR: its key does not open the synthetic card. */
const otherQr = '001093047064||Ứng Hoàng Hiệp|05011993|Nam|Phường Hàng Bạc, Hà Nội|05012021';

let sim: Sim;
test.beforeAll(async () => {
  sim = await simulator();
});
test.afterAll(() => {
  sim.close();
});

const setCard = (command: SimCardCommand) => simSetCard(sim, command);

// No card left on the reader by a test before (the page resets the agent's session when it opens).
test.beforeEach(async () => {
  await setCard({ action: 'remove' });
});
test.afterEach(async () => {
  await setCard({ action: 'remove' });
});

/** The chip's verified identity on the confirm screen (not the QR's). */
async function expectChipIdentity(page: Page) {
  await expect(page.getByTestId('confirm')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('patient-name')).toHaveText('Nguyễn Thị Lan');
  await expect(page.getByTestId('face')).toBeVisible();
  await expect(page.getByTestId('authenticity')).toHaveAttribute('data-result', 'valid');
}

test('QR then card: the QR identity first, then the chip opened with its key, verified; reception sees the chip badge', async ({
  page,
  browser,
}, info) => {
  const shot = shooter(page, info, 'qr-card-');
  await openKiosk(page);
  await simScan(sim, cccdQr);
  await expect(page.getByTestId('confirm')).toBeVisible();
  await expect(page.getByTestId('authenticity')).toHaveCount(0);
  await shot('qr-identity');
  // The card placed after the QR: the session (the QR's key) is kept; the read needs consent.
  await setCard({ action: 'present' });
  await expect(page.getByTestId('consent')).toBeVisible();
  await page.getByTestId('consent-agree').click();
  await expectChipIdentity(page);
  await expect(page.getByTestId('need-qr')).toHaveCount(0);
  await shot('chip-identity');
  // The QR scanned again while the card lies on the reader: the same person, the chip stands.
  await simScan(sim, cccdQr);
  await expect(page.getByTestId('authenticity')).toHaveAttribute('data-result', 'valid');
  await expect(page.getByTestId('face')).toBeVisible();
  const number = await completeCheckIn(page, { consented: true, serviceId: 'noi-tong-quat' });
  await page.getByTestId('done').click();

  // Reception sees how the identity was attested: the chip, its signature verified by the agent.
  const counter = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await staffLogin(counter, '/counter/', logins.reception);
  await counter.getByTestId('service-select').selectOption('noi-tong-quat');
  const row = counter.getByTestId('queue-row').filter({ hasText: number });
  await expect(row.getByTestId('identity-badge')).toHaveAttribute('data-source', 'chip');
  await expect(row.getByTestId('identity-badge')).toHaveText('Chip ✓ (đã xác thực)');
  await counter.close();
});

test('card then QR: the page asks for the QR, then the chip is read with it and verified', async ({ page }, info) => {
  const shot = shooter(page, info, 'card-qr-');
  await openKiosk(page);
  await setCard({ action: 'present' });
  await expect(page.getByTestId('consent')).toBeVisible();
  await page.getByTestId('consent-agree').click();
  await expect(page.getByTestId('need-qr')).toBeVisible();
  await expect(page.getByTestId('problem')).toHaveCount(0);
  await shot('need-qr');
  // Scanned while the card stays on the reader: no unverified QR identity, the chip is read.
  await simScan(sim, cccdQr);
  await expectChipIdentity(page);
  await shot('chip-identity');
  await completeCheckIn(page, { consented: true });
  await page.getByTestId('done').click();
});

test('card then QR with the card lifted to scan it: put back, it is read without asking again', async ({ page }) => {
  await openKiosk(page);
  await setCard({ action: 'present' });
  await page.getByTestId('consent-agree').click();
  await expect(page.getByTestId('need-qr')).toBeVisible();
  await setCard({ action: 'remove' });
  await simScan(sim, cccdQr);
  await expect(page.getByTestId('need-qr-place-again')).toBeVisible();
  await expect(page.getByTestId('confirm')).toHaveCount(0);
  await setCard({ action: 'present' });
  await expectChipIdentity(page);
  await expect(page.getByTestId('consent')).toHaveCount(0);
  await page.getByTestId('confirm-no').click();
});

test('a QR of another person than the card: start over with a clear message', async ({ page }, info) => {
  const shot = shooter(page, info, 'mismatch-');
  await openKiosk(page);
  await simScan(sim, otherQr);
  await expect(page.getByTestId('patient-name')).toHaveText('Ứng Hoàng Hiệp');
  await setCard({ action: 'present' });
  await page.getByTestId('consent-agree').click();
  await expect(page.getByTestId('problem')).toContainText(
    'Mã QR và thẻ không phải của cùng một người. Vui lòng bắt đầu lại với thẻ của bạn.',
    { timeout: 30_000 },
  );
  await expect(page.getByTestId('attract')).toBeVisible();
  expect(await page.content()).not.toContain('Ứng Hoàng Hiệp');
  expect(await page.content()).not.toContain('Nguyễn Thị Lan');
  await shot('start-over');
  // Their own QR, the card still on the reader: announced again, read after consent.
  await simScan(sim, cccdQr);
  await expect(page.getByTestId('consent')).toBeVisible();
  await page.getByTestId('consent-agree').click();
  await expectChipIdentity(page);
  await page.getByTestId('confirm-no').click();
});

test('a card and no QR: the page asks for the QR with a picture (1080×1920)', async ({ page }, info) => {
  await page.setViewportSize({ width: 1080, height: 1920 });
  await openKiosk(page);
  await setCard({ action: 'present' });
  await page.getByTestId('consent-agree').click();
  await expect(page.getByTestId('need-qr')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Quét mã QR mặt trước thẻ' })).toBeVisible();
  await expect(page.getByRole('img', { name: /mã QR ở góc trên bên phải/u })).toBeVisible();
  await expect(page.getByTestId('reading')).toHaveCount(0);
  await expect(page.getByTestId('confirm')).toHaveCount(0);
  const file = info.outputPath('need-qr-1080x1920.png');
  await page.screenshot({ path: file, fullPage: true });
  await info.attach('need-qr-1080x1920', { path: file, contentType: 'image/png' });
  // Cancel: back to the start, nothing read.
  await page.getByTestId('need-qr-cancel').click();
  await expect(page.getByTestId('attract')).toBeVisible();
});
