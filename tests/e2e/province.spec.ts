/**
 * The province overview at its own host: the server started through its real entry point with a
 * facilities file (two hospitals, each on its own SQLite file), patients registered at each
 * hospital's counter through that hospital's host, then the province admin logs in, sees both
 * hospitals ready and opens each one's figures — each counts its own patients only. Vietnamese
 * first, English by the switch. axe: no serious or critical violation. Screenshot at 1920×1080.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { spawnServer, type ServerProcess } from '../support/server-process';
import { at } from '../support/host-request';
import { audit, keepScreenshot, screenshotDir } from './support';

test.use({ viewport: { width: 1920, height: 1080 } });

const PORT = Number(process.env.E2E_PORT ?? 18080) + 40;
const A = { code: 'bvdk-cantho', name: 'Bệnh viện Đa khoa Thành phố Cần Thơ', host: 'bvdk.cantho.test' };
const B = { code: 'bvnhi-cantho', name: 'Bệnh viện Nhi đồng Cần Thơ', host: 'bvnhi.cantho.test' };
const admin = { username: 'soyte.quantri', password: 'mat-khau-so-y-te-1' };

let server: ServerProcess;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-province-e2e-'));

test.beforeAll(async () => {
  fs.mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(dir, 'facilities.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      // The browser reaches the province by this address; the hospitals by their names (Host).
      province: {
        name: 'Sở Y tế Thành phố Cần Thơ',
        hosts: ['127.0.0.1'],
        databaseUrl: `sqlite:${path.join(dir, 'province.sqlite')}`,
        bootstrapAdmin: admin,
      },
      defaults: { DEMO: '1' },
      facilities: [A, B].map((f) => ({
        code: f.code,
        name: f.name,
        hosts: [f.host],
        settings: { DATABASE_URL: `sqlite:${path.join(dir, `${f.code}.sqlite`)}` },
      })),
    }),
  );
  server = await spawnServer({
    port: PORT,
    databaseFile: path.join(dir, 'unused.sqlite'),
    env: { FACILITIES_FILE: file },
  });
  // Patients registered at each hospital's counter: three at A, one at B.
  for (const [f, patients] of [
    [A, 3],
    [B, 1],
  ] as const) {
    const login = await at<{ token: string }>(PORT, f.host, 'POST', '/api/auth/login', undefined, {
      username: 'tiepdon',
      password: 'tiepdon-demo',
    });
    for (let n = 0; n < patients; n++) {
      const r = await at(PORT, f.host, 'POST', '/api/counter/check-ins', login.body.value?.token, {
        checkInId: randomUUID(),
        identity: {
          source: 'manual',
          idNumber: `07919900${1000 + n}`,
          fullName: 'Lê Thị Mai',
          dateOfBirth: '1990-01-0' + String(n + 1),
        },
        serviceId: 'noi-tong-quat',
        priorityClaims: [],
        consent: true,
      });
      expect(r.status).toBe(200);
    }
  }
});
test.afterAll(async () => {
  server?.child.kill('SIGTERM');
  await server?.exited();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the province admin sees both hospitals and each one’s own figures, in Vietnamese then English', async ({
  page,
}) => {
  await page.goto(`http://127.0.0.1:${PORT}/`);
  await expect(page).toHaveURL(/\/province\/$/u);
  await page.getByLabel('Tên đăng nhập').fill(admin.username);
  await page.getByLabel('Mật khẩu').fill('sai-mat-khau-1');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await expect(page.getByRole('alert')).toHaveText('Sai tên đăng nhập hoặc mật khẩu');
  await page.getByLabel('Mật khẩu').fill(admin.password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();

  const rows = page.getByTestId('facility');
  await expect(rows).toHaveCount(2);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Tổng quan các cơ sở khám chữa bệnh');
  for (const f of [A, B]) {
    const row = page.locator(`[data-testid="facility"][data-code="${f.code}"]`);
    await expect(row.getByRole('rowheader')).toHaveText(f.name);
    await expect(row.locator('[data-ready]')).toHaveText('Sẵn sàng');
  }
  await page.getByRole('button', { name: `Xem số liệu: ${B.name}` }).click();
  await expect(page.getByTestId('dashboard')).toHaveAttribute('data-code', B.code);
  await expect(page.getByTestId('today-tickets')).toHaveText('1');
  await page.getByRole('button', { name: `Xem số liệu: ${A.name}` }).click();
  await expect(page.getByTestId('dashboard')).toHaveAttribute('data-code', A.code);
  await expect(page.getByTestId('today-tickets')).toHaveText('3');
  await expect(page.getByTestId('week-check-ins')).toHaveText('3');
  await expect(page.getByTestId('dashboard').getByRole('rowheader').first()).toHaveText('Khám Nội tổng quát');
  await audit(page, 'province overview');
  await keepScreenshot(page, 'province-overview-1920x1080');

  await page.getByTestId('lang-switch').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Overview of the health facilities');
  await expect(page.getByRole('button', { name: `View figures: ${A.name}` })).toBeVisible();
  await audit(page, 'province overview (English)');
  await page.getByTestId('logout').click();
  await expect(page.getByRole('button', { name: 'Log in' })).toBeVisible();
  await expect(page.getByTestId('facility')).toHaveCount(0);
});
