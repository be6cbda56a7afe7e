import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import type { Result } from '@kiosk/protocol';
import { bhytQr, cccdQr, expectOk, openKiosk, simScan, simulator, type Sim, audit } from './support';

// The kiosk page as it lands on a kiosk: a 1080×1920 portrait screen and a 1920×1080 desk. Every
// step of the journeys is kept as a screenshot and measured: primary actions ≥ 96 px high (in
// the lower half on portrait), content using the screen (> 80 % of a portrait screen's height),
// no text overflowing its box, body text ≥ 28 px on portrait, and axe-core with no serious or
// critical finding.

// Many axe runs per journey: generous bounds for a shared, loaded machine (they only bound a hang).
test.describe.configure({ timeout: 300_000 });

let sim: Sim;
test.beforeAll(async () => {
  sim = await simulator();
});
test.afterAll(() => {
  sim.close();
});

const screens = [
  { name: 'portrait', width: 1080, height: 1920 },
  { name: 'landscape', width: 1920, height: 1080 },
] as const;

interface Measure {
  fontPx: number;
  primary: { text: string; height: number; top: number; inPanel: boolean }[];
  contentShare: number;
  overflowing: string[];
  horizontalScroll: boolean;
}

/** Sizes, reach, use of the screen and overflow, measured in the page. */
function measure(page: Page): Promise<Measure> {
  return page.evaluate(() => {
    const visible = (el: Element) => {
      const r = el.getBoundingClientRect();
      const cs = getComputedStyle(el);
      return r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && cs.display !== 'none';
    };
    const kiosk = document.querySelector('.kiosk');
    if (!kiosk) throw new Error('no kiosk');
    const primary = Array.from(kiosk.querySelectorAll('.actions button, .navbar button, button.primary'))
      .filter(visible)
      .map((b) => {
        const r = b.getBoundingClientRect();
        return {
          text: b.textContent?.trim() ?? '',
          height: r.height,
          top: r.top + scrollY,
          inPanel: b.closest('.problem-panel') !== null,
        };
      });
    // The content's vertical extent: from the top of the first to the bottom of the last thing shown.
    const things = Array.from(kiosk.querySelectorAll('h1, h2, p, button, li, dd, svg, input, progress, img')).filter(
      visible,
    );
    const tops = things.map((e) => e.getBoundingClientRect().top + scrollY);
    const bottoms = things.map((e) => e.getBoundingClientRect().bottom + scrollY);
    const contentShare = (Math.max(...bottoms) - Math.min(...tops)) / innerHeight;
    const overflowing = Array.from(kiosk.querySelectorAll('h1, h2, p, button, dd, dt, label, li, input'))
      .filter(visible)
      // Text for screen readers only is clipped on purpose.
      .filter((e) => !e.closest('.sr'))
      .filter((e) => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1)
      .filter((e) => getComputedStyle(e).overflow !== 'visible' || e.scrollWidth > e.clientWidth + 1)
      .map((e) => `${e.tagName.toLowerCase()} "${(e.textContent ?? '').trim().slice(0, 40)}"`);
    return {
      fontPx: parseFloat(getComputedStyle(kiosk).fontSize),
      primary,
      contentShare,
      overflowing,
      horizontalScroll: document.documentElement.scrollWidth > innerWidth + 1,
    };
  });
}

/** One step: its screenshot kept, then every measure. */
function stepChecker(page: Page, info: TestInfo, screen: (typeof screens)[number]) {
  let n = 0;
  return async (name: string, options: { primary?: boolean } = {}) => {
    n++;
    // Let the step's entrance settle (fonts, the agent's device list) before looking at it.
    await page.evaluate(() => document.fonts.ready);
    const file = info.outputPath(`${screen.name}-${String(n).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
    await info.attach(`${screen.name}-${name}`, { path: file, contentType: 'image/png' });
    const m = await measure(page);
    expect.soft(m.overflowing, `${name}: text overflowing its box`).toEqual([]);
    expect.soft(m.horizontalScroll, `${name}: no sideways scrolling`).toBe(false);
    if (options.primary !== false) {
      expect.soft(m.primary.length, `${name}: has its actions`).toBeGreaterThan(0);
      for (const b of m.primary) expect.soft(b.height, `${name}: "${b.text}" ≥ 96 px`).toBeGreaterThanOrEqual(96);
    }
    if (screen.name === 'portrait') {
      expect.soft(m.fontPx, `${name}: body text ≥ 28 px`).toBeGreaterThanOrEqual(28);
      expect.soft(m.contentShare, `${name}: content uses the screen`).toBeGreaterThan(0.8);
      // A problem panel's own button stays with its message.
      const actions = m.primary.filter((b) => !b.inPanel);
      for (const b of actions)
        expect.soft(b.top, `${name}: "${b.text}" in the lower half`).toBeGreaterThanOrEqual(screen.height / 2 - 1);
    }
    await audit(page, `${screen.name} ${name}`);
  };
}

async function printedText(): Promise<string> {
  const printed = expectOk(
    await new Promise<Result<{ jobs: { text: string[]; bytes: number }[] }>>((resolve) =>
      sim.emit('sim:list-printed', {}, resolve),
    ),
  );
  return printed.jobs.at(-1)?.text.join('\n') ?? '';
}

/** Confirm → consent → (insurance) → clinic → priority → ticket, checking each step. */
async function toTicket(page: Page, check: (name: string, o?: { primary?: boolean }) => Promise<void>) {
  await check('confirm');
  await page.getByTestId('confirm-yes').click();
  await expect(page.getByTestId('consent')).toBeVisible();
  await check('consent');
  await page.getByTestId('consent-agree').click();
  const services = page.getByTestId('services');
  const insurance = page.getByTestId('insurance-next');
  await expect(services.or(insurance)).toBeVisible();
  if (await insurance.isVisible()) {
    await check('insurance');
    await insurance.click();
  }
  await expect(page.getByTestId('service-noi-tong-quat')).toBeVisible();
  await expect(page.getByTestId('waiting').first()).toContainText('Đang chờ');
  await check('services');
  await page.getByTestId('service-noi-tong-quat').click();
  await expect(page.getByTestId('priority')).toBeVisible();
  await check('priority');
  await page.getByTestId('submit').click();
  await expect(page.getByTestId('ticket-number')).toHaveText(/^[A-Z]{1,3}\d{3}$/u);
  await expect(page.getByTestId('people-ahead')).toBeVisible();
  await expect(page.getByTestId('wait-estimate')).toHaveAttribute('data-minutes', /^\d+$/u);
  await expect(page.getByTestId('ticket-place')).toContainText('Khám Nội tổng quát');
  await expect(page.getByTestId('ticket-place')).toContainText('Phòng');
  await expect(page.getByTestId('issued-at')).toHaveText(/^\d{2}:\d{2} \d{2}\/\d{2}\/\d{4}$/u);
  await expect(page.getByTestId('ticket-qr')).toBeVisible();
  await check('ticket');
}

for (const screen of screens) {
  test.describe(`${screen.name} ${screen.width}×${screen.height}`, () => {
    test.use({ viewport: { width: screen.width, height: screen.height } });

    test('CCCD QR to the ticket: every step measured, the printed ticket with people ahead and the wait', async ({
      page,
    }, info) => {
      const check = stepChecker(page, info, screen);
      await openKiosk(page);
      await expect(page.getByTestId('guide-qr')).toBeVisible();
      await check('attract');
      await simScan(sim, cccdQr);
      await expect(page.getByTestId('patient-name')).toHaveText('Nguyễn Thị Lan');
      await toTicket(page, check);
      // The simulated printer decodes the native text lines (the lines with diacritics — clinic,
      // people ahead, wait — print as raster; their layout is checked in ticket.layout.spec.ts).
      const paper = await printedText();
      expect(paper).toContain((await page.getByTestId('ticket-number').textContent()) ?? '?');
      expect(paper).toMatch(/\d{2}:\d{2} \d{2}\/\d{2}\/\d{4}/u);
      await page.getByTestId('done').click();
      await expect(page.getByTestId('thanks')).toBeVisible();
      await check('thanks', { primary: false });
    });

    test('BHYT card: the insurance step in plain words, then the ticket', async ({ page }, info) => {
      const check = stepChecker(page, info, screen);
      await openKiosk(page);
      await simScan(sim, bhytQr);
      await expect(page.getByTestId('patient-name')).toHaveText('Nguyễn Thị Lan');
      await toTicket(page, check);
      await expect(page.getByTestId('service-type')).toHaveAttribute('data-type', 'insurance');
    });

    test('manual entry on the on-screen keyboard, larger text scaling everything', async ({ page }, info) => {
      const check = stepChecker(page, info, screen);
      await openKiosk(page);
      await page.getByTestId('manual-start').click();
      await expect(page.getByTestId('keyboard')).toBeVisible();
      await check('manual');
      const size = () =>
        page.evaluate(() => {
          const h = (sel: string) => document.querySelector(sel)?.getBoundingClientRect().height ?? 0;
          return { key: h('[data-key="Q"]'), title: h('h1'), tool: h('[data-testid="text-size"]') };
        });
      const before = await size();
      await page.getByTestId('text-size').click();
      const after = await size();
      expect(after.key).toBeGreaterThanOrEqual(before.key * 1.45);
      expect(after.title).toBeGreaterThanOrEqual(before.title * 1.45);
      expect(after.tool).toBeGreaterThanOrEqual(before.tool * 1.3);
      await check('manual-large');
      await page.getByTestId('text-size').click();
      const kb = page.getByTestId('keyboard');
      const keys = async (text: string) => {
        for (const ch of text) await kb.locator(`[data-key="${ch === ' ' ? 'space' : ch}"]`).click();
      };
      await keys('NGUYÊN');
      await kb.locator('[data-tone="tilde"]').click();
      await keys(' THI');
      await kb.locator('[data-tone="dot"]').click();
      await keys(' LAN');
      await page.getByTestId('manual-dob').click();
      await keys('12031988');
      await keys('079188012345');
      await check('manual-filled');
      await page.getByTestId('manual-next').click();
      await expect(page.getByTestId('patient-name')).toHaveText('Nguyễn Thị Lan');
      await toTicket(page, check);
    });

    test('a bad scan: a full problem panel, gone once a valid card is scanned; English names the clinic', async ({
      page,
    }, info) => {
      const check = stepChecker(page, info, screen);
      await openKiosk(page);
      await simScan(sim, 'hello world');
      await expect(page.getByTestId('problem')).toContainText('quét lại');
      await expect(page.getByTestId('problem-action')).toBeVisible();
      await check('problem');
      await simScan(sim, cccdQr);
      await expect(page.getByTestId('confirm')).toBeVisible();
      await expect(page.getByTestId('problem')).toHaveCount(0);
      await page.getByTestId('contrast').click();
      await check('confirm-contrast');
      const aaa = await new AxeBuilder({ page }).withRules(['color-contrast-enhanced']).analyze();
      expect(aaa.violations.map((v) => v.nodes.map((x) => x.target.join(' ')))).toEqual([]);
      await page.getByTestId('contrast').click();
      await page.getByTestId('lang').click();
      await page.getByTestId('confirm-yes').click();
      await page.getByTestId('consent-agree').click();
      await page.getByTestId('service-noi-tong-quat').click();
      await page.getByTestId('submit').click();
      await expect(page.getByTestId('ticket-place')).toContainText('General internal medicine');
      await expect(page.getByTestId('ticket-place')).not.toContainText('Khoa Khám bệnh');
      await expect(page.getByTestId('people-ahead')).toContainText(/ahead|next/u);
      await check('ticket-en');
    });
  });
}

test('the URL npm start prints finds the agent on its non-default port without ?agent=', async ({ page }) => {
  await page.goto('/kiosk/');
  await expect(page.getByTestId('attract')).toBeVisible();
  await expect(page.getByText('Ki-ốt đang khởi động lại')).toHaveCount(0);
  await simScan(sim, cccdQr);
  await expect(page.getByTestId('patient-name')).toHaveText('Nguyễn Thị Lan');
});

test('the start screen shows only the devices that are ready: no "scan the QR" with the scanner unplugged', async ({
  page,
}, info) => {
  await page.setViewportSize({ width: 1080, height: 1920 });
  await openKiosk(page);
  await expect(page.getByTestId('guide-qr')).toBeVisible();
  expectOk(
    await new Promise<Result<null>>((resolve) =>
      sim.emit('sim:set-device', { class: 'scanner', action: 'unplug' }, resolve),
    ),
  );
  try {
    await expect(page.getByTestId('guide-qr')).toHaveCount(0);
    await expect(page.getByTestId('attract')).not.toContainText(/quét mã QR/iu);
    await page.screenshot({ path: info.outputPath('attract-scanner-unplugged.png'), fullPage: true });
  } finally {
    expectOk(
      await new Promise<Result<null>>((resolve) =>
        sim.emit('sim:set-device', { class: 'scanner', action: 'replug' }, resolve),
      ),
    );
  }
  await expect(page.getByTestId('guide-qr')).toBeVisible();
});
