import { expect, test } from '@playwright/test';
import { logins, shooter, staffLogin } from './support';

// The remote-management panel on a kiosk's detail: a configuration revision acknowledged by the
// running agent (what it applied, what it refused and why) and diagnostics on demand. A restart
// and a rollout need the agent's launcher: tests/integration/fleet-management.test.ts.
test('admin: remote management of a kiosk — configuration acknowledged, diagnostics', async ({ page }, info) => {
  // Three round trips to the agent through the server on a shared machine.
  test.setTimeout(180_000);
  const shot = shooter(page, info);
  await staffLogin(page, '/admin/', logins.admin);
  const kiosk = page.getByTestId('kiosk-row').first();
  await expect(kiosk).toHaveAttribute('data-online', 'true');
  await kiosk.getByTestId('kiosk-details').click();
  const remote = page.getByTestId('kiosk-remote');
  // The detail reads the kiosk's day of heartbeats first: slow on a loaded machine late in a run.
  await expect(remote).toBeVisible({ timeout: 60_000 });

  await remote.getByTestId('remote-tab-config').click();
  await remote.getByTestId('remote-languages').fill('vi,fr');
  await remote.getByTestId('remote-push-config').click();
  await expect(remote.getByTestId('remote-config-state')).toContainText('ki-ốt đã áp dụng');
  await expect(remote.getByTestId('remote-refused')).toContainText('Ki-ốt chưa có ngôn ngữ này.');
  await shot('remote-config');

  await remote.getByTestId('remote-tab-diagnostics').click();
  await remote.getByTestId('remote-collect').click();
  await expect(remote.getByTestId('remote-diagnostics')).toBeVisible({ timeout: 30_000 });
  await expect(remote).toContainText('kiosk-agent doctor');
  await shot('remote-diagnostics');

  await remote.getByTestId('remote-tab-rollout').click();
  await expect(remote.getByTestId('remote-rollout-state')).toContainText('0.1.0');
});

test('a kiosk whose history holds two heartbeats of the same instant still shows its detail', async ({ page }) => {
  // Two samples stamped alike (a health change and the periodic heartbeat in one millisecond) once
  // broke the detail's keyed lists: the panel stayed empty. The server's real answer, with its
  // latest sample twice over and a device problem on both, is what the page gets here.
  await page.route('**/api/admin/agents/*', async (route) => {
    if (route.request().method() !== 'GET') return route.continue();
    const response = await route.fetch();
    const body = (await response.json()) as {
      ok: boolean;
      value?: { heartbeats: { at: string; problems: string[] }[] };
    };
    const last = body.value?.heartbeats.at(-1);
    if (body.value && last) {
      const twice = { ...last, problems: ['printer:error:paper-out'] };
      body.value.heartbeats.push(twice, { ...twice });
    }
    await route.fulfill({ response, json: body });
  });
  await staffLogin(page, '/admin/', logins.admin);
  const kiosk = page.getByTestId('kiosk-row').first();
  await expect(kiosk).toBeVisible();
  await kiosk.getByTestId('kiosk-details').click();
  await expect(page.getByTestId('kiosk-remote')).toBeVisible({ timeout: 60_000 });
  // Both samples listed (with whatever problems earlier tests left: the list shows the last five).
  await expect(page.getByTestId('kiosk-detail').locator('.problems li').nth(1)).toBeVisible();
});
