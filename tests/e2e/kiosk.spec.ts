import { expect, test, type Page } from '@playwright/test';
import jsQR from 'jsqr';
import type { Result } from '@kiosk/protocol';
import {
  bhytQr,
  cccdQr,
  completeCheckIn,
  expectOk,
  openKiosk,
  shooter,
  simPrinterFault,
  simScan,
  simulator,
  typeStamped,
  type Sim,
} from './support';

let sim: Sim;
test.beforeAll(async () => {
  sim = await simulator();
});
test.afterAll(() => {
  sim.close();
});

/** Reads the on-screen ticket QR back: the SVG is drawn on a canvas and decoded with jsQR. */
async function readTicketQr(page: Page): Promise<string | null> {
  const image = await page.getByTestId('ticket-qr').evaluate(async (svg) => {
    const size = 330;
    const xml = new XMLSerializer().serializeToString(svg);
    const img = new Image(size, size);
    img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(xml)}`;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = size;
    canvas.height = size;
    const ctx = canvas.getContext('2d');
    if (!ctx) return null;
    ctx.drawImage(img, 0, 0, size, size);
    return { size, data: [...ctx.getImageData(0, 0, size, size).data] };
  });
  if (!image) return null;
  return jsQR(Uint8ClampedArray.from(image.data), image.size, image.size)?.data ?? null;
}

test('QR check-in: every step on screen, in Vietnamese, to a printed ticket and a thank-you', async ({
  page,
}, info) => {
  const shot = shooter(page, info);
  await openKiosk(page);
  await shot('attract');

  await simScan(sim, cccdQr);
  await expect(page.getByTestId('patient-name')).toHaveText('Nguyễn Thị Lan');
  await expect(page.getByTestId('patient-dob')).toHaveText('12/03/1988');
  await expect(page.getByTestId('patient-id')).toHaveText('0791****2345');
  await expect(page.getByText('079188012345')).toHaveCount(0);
  await shot('confirm');

  const number = await completeCheckIn(page, { claims: ['pregnant'], shot });
  await expect(page.getByTestId('printed')).toBeVisible();
  await expect(page.getByTestId('service-type')).toHaveText(/Khám (bảo hiểm y tế|dịch vụ)/u);
  // The ticket screen shows the same QR as the paper (its code opens the ticket's status).
  await expect(page.getByTestId('ticket-qr')).toBeVisible();
  await shot(`ticket-${number}`);

  await page.getByTestId('done').click();
  await expect(page.getByTestId('thanks')).toBeVisible();
  await expect(page.getByTestId('patient-name')).toHaveCount(0);
  await shot('thanks');
  await expect(page.getByTestId('attract')).toBeVisible({ timeout: 10_000 });
});

test('a BHYT card QR identifies the patient with a masked card number', async ({ page }) => {
  await openKiosk(page);
  await simScan(sim, bhytQr);
  await expect(page.getByTestId('patient-name')).toHaveText('Nguyễn Thị Lan');
  await expect(page.getByText('GD47*******5678')).toBeVisible();
});

test('an unreadable code tells the patient what to do next', async ({ page }) => {
  await openKiosk(page);
  await simScan(sim, 'hello world');
  await expect(page.getByTestId('problem')).toContainText('quét lại');
  await expect(page.getByTestId('attract')).toBeVisible();
});

test('printer out of paper: the ticket is shown on screen with a QR that reads back', async ({ page }, info) => {
  const shot = shooter(page, info);
  await simPrinterFault(sim, 'paper-out');
  try {
    await openKiosk(page);
    await expect(page.getByTestId('printer-down')).toBeVisible();
    await shot('attract-printer-down');
    await simScan(sim, cccdQr);
    await expect(page.getByTestId('patient-name')).toBeVisible();
    const number = await completeCheckIn(page);
    await expect(page.getByTestId('not-printed')).toBeVisible();
    await expect(page.getByTestId('printed')).toHaveCount(0);
    await expect(page.getByTestId('ticket-qr')).toBeVisible();
    await shot(`on-screen-ticket-${number}`);
    // The QR is the ticket's status page on this server (npm start's PUBLIC_URL), which a phone opens.
    const qr = (await readTicketQr(page)) ?? '';
    expect(qr).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/t\/[A-HJ-NP-Z2-9]{12}$/u);
    const status = await page.request.get(qr);
    expect(status.status()).toBe(200);
  } finally {
    await simPrinterFault(sim, 'none');
  }
});

test('idle timeout asks "still there?", then wipes the screen, memory and storage', async ({ page }, info) => {
  const shot = shooter(page, info);
  // The prompt shows after 4 s idle and stays 4 s: long enough to be seen on a busy machine.
  await openKiosk(page, '&idleMs=8000&promptMs=4000');
  await page.evaluate(() => {
    sessionStorage.setItem('probe', 'Nguyễn Thị Lan');
    localStorage.setItem('probe', '079188012345');
  });
  await simScan(sim, cccdQr);
  await expect(page.getByTestId('patient-name')).toHaveText('Nguyễn Thị Lan');
  await page.getByTestId('text-size').click();
  await page.getByTestId('lang').click();
  await expect(page.getByTestId('still-there')).toBeVisible({ timeout: 15_000 });
  await shot('still-there');
  await expect(page.getByTestId('attract')).toBeVisible({ timeout: 15_000 });
  await shot('wiped');

  const html = await page.content();
  for (const trace of ['Nguyễn', 'Lan', '079188012345', '0791****2345', '1988']) expect(html).not.toContain(trace);
  const storage = await page.evaluate(() => ({ s: sessionStorage.length, l: localStorage.length }));
  expect(storage).toEqual({ s: 0, l: 0 });
  // Back to the defaults for the next patient: Vietnamese, normal text.
  await expect(page.locator('html')).toHaveAttribute('lang', 'vi');
  await expect(page.getByTestId('text-size')).toHaveAttribute('aria-pressed', 'false');
});

test('"still there?" keeps the session when the patient answers', async ({ page }) => {
  // The prompt shows after 4 s idle and stays 26 s: the answer is never raced by the wipe.
  await openKiosk(page, '&idleMs=30000&promptMs=26000');
  await simScan(sim, cccdQr);
  await expect(page.getByTestId('still-there')).toBeVisible({ timeout: 15_000 });
  await page.getByRole('button', { name: 'Tiếp tục' }).click();
  await expect(page.getByTestId('still-there')).toHaveCount(0);
  await expect(page.getByTestId('patient-name')).toHaveText('Nguyễn Thị Lan');
});

test('language switch: English on demand, Vietnamese again for the next patient', async ({ page }, info) => {
  const shot = shooter(page, info);
  await openKiosk(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Đăng ký khám bệnh');
  await page.getByTestId('lang').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Patient check-in');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await simScan(sim, cccdQr);
  await expect(page.getByRole('heading', { name: 'Please confirm your details' })).toBeVisible();
  await shot('confirm-en');
  await page.getByTestId('confirm-no').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Đăng ký khám bệnh');
});

test('manual entry: the on-screen keyboard types Vietnamese names with tones', async ({ page }, info) => {
  const shot = shooter(page, info);
  await openKiosk(page);
  await page.getByTestId('manual-start').click();
  const kb = page.getByTestId('keyboard');
  const keys = async (text: string) => {
    for (const ch of text) await kb.locator(`[data-key="${ch === ' ' ? 'space' : ch}"]`).click();
  };
  await keys('NGUYÊN');
  await kb.locator('[data-tone="tilde"]').click();
  await keys(' THI');
  await kb.locator('[data-tone="dot"]').click();
  await keys(' LAN');
  await expect(page.getByTestId('manual-name')).toHaveValue('Nguyễn Thị Lan');
  await page.getByTestId('manual-dob').click();
  await expect(kb).toHaveAttribute('data-mode', 'digits');
  await keys('12031988');
  await keys('07918801234');
  await page.getByTestId('manual-next').click();
  await expect(page.getByRole('alert')).toContainText('12 chữ số');
  await keys('5');
  await shot('manual-filled');
  await page.getByTestId('manual-next').click();
  await expect(page.getByTestId('patient-name')).toHaveText('Nguyễn Thị Lan');
  await expect(page.getByTestId('patient-id')).toHaveText('0791****2345');
  const number = await completeCheckIn(page);
  expect(number).toMatch(/^A\d{3}$/u);
});

test('kiosk behaviour: large touch targets, no selection, no context menu, larger text, high contrast', async ({
  page,
}, info) => {
  const shot = shooter(page, info);
  const smallTargets = () =>
    page.locator('button:visible, input:visible').evaluateAll((elements) =>
      elements
        // An element the page removed between finding and measuring has no box: not a target.
        .filter((b) => b.isConnected)
        .map((b) => ({ text: b.textContent?.trim() || b.getAttribute('name'), r: b.getBoundingClientRect() }))
        .filter(({ r }) => r.width < 48 || r.height < 48)
        .map(({ text }) => text),
    );
  await openKiosk(page);
  expect(await smallTargets()).toEqual([]);
  await page.getByTestId('manual-start').click();
  expect(await smallTargets()).toEqual([]);
  await page.getByTestId('manual-dob').click();
  expect(await smallTargets()).toEqual([]);
  await page.getByRole('button', { name: 'Quay lại' }).click();
  await expect(page.getByTestId('attract')).toBeVisible();
  await simScan(sim, cccdQr);
  // Measure the confirm step once it has replaced the start screen.
  await expect(page.getByTestId('confirm-yes')).toBeVisible();
  await expect(page.getByTestId('attract')).toHaveCount(0);
  expect(await smallTargets()).toEqual([]);
  await page.getByTestId('confirm-yes').click();
  expect(await smallTargets()).toEqual([]);
  await page.getByTestId('consent-agree').click();
  await expect(page.getByTestId('services')).toBeVisible();
  expect(await smallTargets()).toEqual([]);
  await page.getByTestId('service-noi-tong-quat').click();
  expect(await smallTargets()).toEqual([]);
  const userSelect = await page.locator('.kiosk').evaluate((el) => getComputedStyle(el).userSelect);
  expect(userSelect).toBe('none');
  const prevented = await page.evaluate(() => {
    const e = new MouseEvent('contextmenu', { bubbles: true, cancelable: true });
    document.body.dispatchEvent(e);
    return e.defaultPrevented;
  });
  expect(prevented).toBe(true);

  const before = await page.locator('.kiosk').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  await page.getByTestId('text-size').click();
  const after = await page.locator('.kiosk').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  expect(after).toBeGreaterThan(before * 1.2);
  await page.getByTestId('contrast').click();
  const bg = await page.locator('.kiosk').evaluate((el) => getComputedStyle(el).backgroundColor);
  expect(bg).toBe('rgb(0, 0, 0)');
  await shot('large-contrast');
});

test('chip check-in shows read progress, the face on screen only and the authenticity result', async ({
  page,
}, info) => {
  const shot = shooter(page, info);
  const card = sim;
  await openKiosk(page);
  await expect(page.getByText('Chạm thẻ Căn cước')).toHaveCount(2);
  // The privacy notice comes before the chip is read; declining returns to the start, nothing read.
  expectOk(await new Promise<Result<null>>((resolve) => card.emit('sim:set-card', { action: 'present' }, resolve)));
  await expect(page.getByTestId('consent')).toBeVisible();
  await shot('chip-consent');
  await expect(page.getByTestId('reading')).toHaveCount(0);
  await page.getByTestId('consent-decline').click();
  await expect(page.getByTestId('attract')).toBeVisible();
  await page.waitForTimeout(300);
  await expect(page.getByTestId('reading')).toHaveCount(0);
  await expect(page.getByTestId('confirm')).toHaveCount(0);
  expect(await page.content()).not.toContain('Nguyễn Thị Lan');
  expectOk(await new Promise<Result<null>>((resolve) => card.emit('sim:set-card', { action: 'remove' }, resolve)));

  expectOk(await new Promise<Result<null>>((resolve) => card.emit('sim:set-card', { action: 'present' }, resolve)));
  await expect(page.getByTestId('consent')).toBeVisible();
  await page.getByTestId('consent-agree').click();
  // The plainest reader has no MRZ optics: the QR on the front of the card opens the chip.
  await expect(page.getByTestId('need-qr')).toBeVisible();
  await simScan(sim, cccdQr);
  const progress = page.getByTestId('card-progress');
  await expect(progress).toBeVisible();
  await shot('reading');
  // The progress values the page shows, sampled in the page itself.
  await page.evaluate(() => {
    const w = window as unknown as { __progress: string[] };
    w.__progress = [];
    new MutationObserver(() => {
      const v = document.querySelector('[data-testid="card-progress"]')?.getAttribute('value');
      if (v && w.__progress.at(-1) !== v) w.__progress.push(v);
    }).observe(document.body, { subtree: true, attributes: true, childList: true });
  });
  await expect(page.getByTestId('confirm')).toBeVisible({ timeout: 30_000 });
  const seen = await page.evaluate(() => (window as unknown as { __progress: string[] }).__progress);
  expect(seen.length).toBeGreaterThan(1);
  await expect(page.getByTestId('patient-name')).toHaveText('Nguyễn Thị Lan');
  await expect(page.getByTestId('face')).toBeVisible();
  await expect(page.getByTestId('authenticity')).toHaveAttribute('data-result', 'valid');
  await shot('confirm-chip');
  // Consent was given before the read: it is not asked again.
  await completeCheckIn(page, { consented: true });
  await page.getByTestId('done').click();
  await expect(page.getByTestId('face')).toHaveCount(0);
  expect(await page.content()).not.toContain('data:image/jpeg');

  // A card whose data does not match its signature is refused with a way forward.
  expectOk(await new Promise<Result<null>>((resolve) => card.emit('sim:set-card', { action: 'remove' }, resolve)));
  expectOk(
    await new Promise<Result<null>>((resolve) =>
      card.emit('sim:set-card', { action: 'present', card: 'tampered' }, resolve),
    ),
  );
  await page.getByTestId('consent-agree').click();
  await expect(page.getByTestId('need-qr')).toBeVisible();
  await simScan(sim, cccdQr);
  // The agent reports a failed passive authentication as `card:failed` 'not-authentic' (or an
  // 'invalid' authenticity): either way the patient is sent to the counter, never to a ticket.
  const refused = page
    .getByTestId('problem')
    .or(page.getByTestId('authenticity').and(page.locator('[data-result="invalid"]')));
  await expect(refused).toContainText('Không xác thực được dữ liệu chip');
  await expect(page.getByTestId('confirm-yes')).toHaveCount(0);
  await shot('not-authentic');
});

test('insurance result in plain words before choosing a service', async ({ page }) => {
  await openKiosk(page);
  await simScan(sim, bhytQr);
  await page.getByTestId('confirm-yes').click();
  await page.getByTestId('consent-agree').click();
  // The agent relays the pre-check to the server's gateway adapter (here the gateway's contract simulator).
  await expect(page.getByTestId('insurance-verdict')).toHaveAttribute('data-verdict', 'eligible');
  await expect(page.getByTestId('insurance')).not.toContainText('GD4797912345678');
  await page.getByTestId('insurance-next').click();
  await expect(page.getByTestId('service-noi-tong-quat')).toBeVisible();
});

test('developer panel (?dev=1) drives the simulator: a scan and a printer fault from the page', async ({
  page,
}, info) => {
  await openKiosk(page, '&dev=1');
  const panel = page.getByTestId('dev-panel');
  await expect(panel).toBeVisible();
  await expect(panel.getByTestId('dev-status')).toHaveText('connected');
  await panel.getByRole('button', { name: 'Scan CCCD QR' }).click();
  await expect(page.getByTestId('patient-name')).toHaveText('Nguyễn Thị Lan');
  await panel.getByRole('button', { name: 'Paper out' }).click();
  await expect(page.getByTestId('dev-status')).toHaveText('printer: ok');
  await page.screenshot({ path: info.outputPath('dev-panel.png'), fullPage: true });
  await panel.getByRole('button', { name: 'Printer OK' }).click();
  await expect(page.getByTestId('dev-status')).toHaveText('printer: ok');
});

test('the developer panel is not loaded for patients', async ({ page }) => {
  await openKiosk(page);
  await expect(page.getByTestId('attract')).toBeVisible();
  await expect(page.getByTestId('dev-panel')).toHaveCount(0);
});

test('a keyboard-wedge scanner: a fast burst of keys ending in Enter identifies the patient', async ({ page }) => {
  await openKiosk(page);
  // A BHYT QR is plain ASCII (hex-encoded name and address): it survives a keyboard layout. The
  // scanner's keys come 3 ms apart by their own timestamps, however late the page handles them.
  await typeStamped(page, bhytQr, { gapMs: 3 });
  await expect(page.getByTestId('patient-name')).toHaveText('Nguyễn Thị Lan');
});

test('a person typing slowly is not taken for a scanner', async ({ page }) => {
  await openKiosk(page);
  await typeStamped(page, '1234567890', { gapMs: 120 });
  await expect(page.getByTestId('attract')).toBeVisible();
  await expect(page.getByTestId('patient-name')).toHaveCount(0);
});
