import { expect, test } from '@playwright/test';
import type { KioskLanguageSettings } from '@kiosk/protocol';
import {
  cccdQr,
  completeCheckIn,
  logins,
  openKiosk,
  shooter,
  simScan,
  simulator,
  staffApi,
  type Sim,
  audit,
  instrumentSound,
  sounds,
} from './support';

// The kiosk in each of the demo hospital's languages on a 1080×1920 portrait screen: a check-in by
// CCCD QR to the ticket, the on-screen keyboard of the language, axe-core on every step, and the
// speaker button speaking each step's prompt. Screenshots of every step are kept as artifacts.
test.use({ viewport: { width: 1080, height: 1920 } });

let sim: Sim;
test.beforeAll(async () => {
  sim = await simulator();
});
test.afterAll(() => {
  sim.close();
});

const languages = [
  {
    lang: 'vi',
    title: 'Đăng ký khám bệnh',
    keyboard: 'vietnamese',
    service: 'Khám Nội tổng quát',
    // The prompt is spoken in the patient's language; Khmer has no recorded voice: Vietnamese.
    voiceLang: 'vi',
  },
  {
    lang: 'en',
    title: 'Patient check-in',
    keyboard: 'qwerty',
    service: 'General internal medicine',
    voiceLang: 'en',
  },
  {
    lang: 'km',
    title: 'ចុះឈ្មោះពិនិត្យជំងឺ',
    keyboard: 'khmer',
    service: 'ពិនិត្យជំងឺទូទៅ',
    voiceLang: 'vi',
  },
] as const;

for (const l of languages) {
  test(`${l.lang}: a CCCD check-in to the ticket, its keyboard, axe and spoken prompts`, async ({ page }, info) => {
    // axe on every step of a loaded 2-core machine takes its time.
    test.setTimeout(300_000);
    const shot = shooter(page, info, `${l.lang}-`);
    await instrumentSound(page);
    await openKiosk(page);
    const switcher = page.getByTestId('languages');
    await expect(switcher.locator('button')).toHaveCount(3);
    // Each language named in its own script (Debian's Chromium has no CLDR name for Khmer in Khmer).
    await expect(switcher.locator('[data-lang="km"]')).toHaveText('ខ្មែរ');
    if (l.lang !== 'vi') await switcher.locator(`[data-lang="${l.lang}"]`).click();
    await expect(page.locator('html')).toHaveAttribute('lang', l.lang);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(l.title);
    await expect(switcher.locator(`[data-lang="${l.lang}"]`)).toHaveAttribute('aria-pressed', 'true');
    await shot('attract');
    await audit(page, `${l.lang} attract`);

    // The language's own keyboard first; the Vietnamese one (the name on a CCCD) a tap away.
    await page.getByTestId('manual-start').click();
    const kb = page.getByTestId('keyboard');
    await expect(kb).toHaveAttribute('data-layout', l.keyboard);
    await shot('manual');
    await audit(page, `${l.lang} manual entry`);
    if (l.lang !== 'vi') {
      await kb.locator('[data-key="layout"]').click();
      await expect(kb).toHaveAttribute('data-layout', 'vietnamese');
      await expect(kb.locator('[data-tone="acute"]')).toBeVisible();
    }
    if (l.lang === 'km') {
      await kb.locator('[data-key="layout"]').click();
      for (const k of ['ស', '្', 'រ', 'ី']) await kb.locator(`[data-key="${k}"]`).click();
      await expect(page.getByTestId('manual-name')).toHaveValue('ស្រី');
      await shot('manual-typed');
    }
    // Back from manual entry ends the session: the start screen is Vietnamese again.
    await page.getByTestId('nav-back').click();
    await expect(page.getByTestId('attract')).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', 'vi');
    if (l.lang !== 'vi') await switcher.locator(`[data-lang="${l.lang}"]`).click();
    await expect(page.locator('html')).toHaveAttribute('lang', l.lang);

    // The speaker button speaks the step's prompt, then every step's as it opens.
    await simScan(sim, cccdQr);
    await expect(page.getByTestId('confirm')).toBeVisible();
    const speak = page.getByTestId('speak');
    await expect(speak).toHaveAttribute('aria-pressed', 'false');
    await speak.click();
    await expect(speak).toHaveAttribute('aria-pressed', 'true');
    await expect(speak).toHaveAttribute('data-spoken', `confirm:${l.voiceLang}`);
    const heard = await sounds(page);
    const said = l.voiceLang === 'en' ? 'Please check your details' : 'Vui lòng kiểm tra thông tin của bạn';
    const spokenText = heard.spoken.some((t) => t.startsWith(said));
    expect(heard.played.includes(`prompts/${l.voiceLang}/confirm.wav`) || spokenText, JSON.stringify(heard)).toBe(true);
    await shot('confirm');
    await audit(page, `${l.lang} confirm`);

    const number = await completeCheckIn(page, {
      shot: async (name) => {
        if (name === 'services') {
          await expect(page.getByTestId('service-noi-tong-quat')).toContainText(l.service);
          await expect(speak).toHaveAttribute('data-spoken', new RegExp(`^service:`, 'u'));
        }
        await shot(name);
        await audit(page, `${l.lang} ${name}`);
      },
    });
    expect(number).toMatch(/^A\d{3}$/u);
    await expect(speak).toHaveAttribute('data-spoken', new RegExp(`^ticket:`, 'u'));
    await shot('ticket');
    await audit(page, `${l.lang} ticket`);

    // The next patient starts in Vietnamese, in silence.
    await page.getByTestId('done').click();
    await expect(page.getByTestId('attract')).toBeVisible({ timeout: 15_000 });
    await expect(page.locator('html')).toHaveAttribute('lang', 'vi');
    await expect(speak).toHaveAttribute('aria-pressed', 'false');
  });
}

test('spoken guidance on by default where the facility turns it on', async ({ page }, info) => {
  const shot = shooter(page, info, 'guidance-');
  const admin = await staffApi(logins.admin);
  const before = (await (await admin.get('/api/admin/settings/languages')).json()) as {
    value: KioskLanguageSettings;
  };
  try {
    const on = await admin.put('/api/admin/settings/languages', { data: { ...before.value, spokenGuidance: true } });
    expect(on.ok()).toBe(true);
    await instrumentSound(page);
    await openKiosk(page);
    const speak = page.getByTestId('speak');
    await expect(speak).toHaveAttribute('aria-pressed', 'true');
    await simScan(sim, cccdQr);
    await expect(page.getByTestId('confirm')).toBeVisible();
    // Spoken without a tap (a kiosk's browser runs with autoplay allowed: docs/deployment.md).
    await expect(speak).toHaveAttribute('data-spoken', 'confirm:vi');
    await expect.poll(async () => (await sounds(page)).played).toContain('prompts/vi/confirm.wav');
    await shot('confirm');
    // The patient may turn it off; the next patient gets the facility's choice again.
    await speak.click();
    await expect(speak).toHaveAttribute('aria-pressed', 'false');
    await page.getByTestId('confirm-no').click();
    await expect(page.getByTestId('attract')).toBeVisible();
    await expect(speak).toHaveAttribute('aria-pressed', 'true');
  } finally {
    await admin.put('/api/admin/settings/languages', { data: before.value });
    await admin.dispose();
  }
});
