/**
 * Identity conflicts as staff meet them on the counter: a check-in whose ID number matches a
 * patient stored with another name and birth date is listed with both versions and how the
 * check-in's identity was attested; reception takes the check-in's details after a confirmation
 * (keyboard), the conflict leaves the list and the stored patient changes. A clinic role sees the
 * list without actions; a viewer does not see it (the server refuses it the list). Each queue row
 * shows how its identity was attested. axe: no serious or critical violation.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { expect, test, type APIRequestContext } from '@playwright/test';
import type { CheckInReceipt, Identity } from '@kiosk/protocol';
import { keepScreenshot, logins, screenshotDir, staffApi, staffLogin, audit } from './support';

const fullHd = { width: 1920, height: 1080 };
const serviceId = 'noi-tong-quat';

test.beforeAll(() => {
  fs.mkdirSync(screenshotDir, { recursive: true });
});

/** A counter registration, as reception makes it by hand. */
async function register(staff: APIRequestContext, identity: Omit<Identity, 'source'>): Promise<CheckInReceipt> {
  const r = await staff.post('/api/counter/check-ins', {
    data: {
      checkInId: crypto.randomUUID(),
      identity: { source: 'manual', ...identity },
      serviceId,
      priorityClaims: [],
      consent: true,
    },
  });
  expect(r.ok()).toBe(true);
  return ((await r.json()) as { value: CheckInReceipt }).value;
}

interface StoredPatient {
  id: string;
  fullName: string;
  dateOfBirth: string;
}
async function patientOf(staff: APIRequestContext, receipt: CheckInReceipt): Promise<StoredPatient> {
  const r = await staff.get(`/api/queue/tickets/${receipt.ticketId}/patient`);
  return ((await r.json()) as { value: StoredPatient }).value;
}

/** A patient stored under a fresh ID number, then a check-in of the same number with another name and birth date. */
async function conflictFor(
  staff: APIRequestContext,
  stored: { fullName: string; dateOfBirth: string },
  incoming: { fullName: string; dateOfBirth: string },
): Promise<{ first: CheckInReceipt; patient: StoredPatient }> {
  const idNumber = `079188${String(crypto.randomInt(0, 1_000_000)).padStart(6, '0')}`;
  const first = await register(staff, { idNumber, ...stored });
  await register(staff, { idNumber, ...incoming });
  return { first, patient: await patientOf(staff, first) };
}

test('reception sees a conflict with both versions, takes the check-in’s details, and the record changes', async ({
  browser,
}) => {
  const staff = await staffApi(logins.reception);
  const taken = await conflictFor(
    staff,
    { fullName: 'Phạm Thị Hoa', dateOfBirth: '1990-04-04' },
    { fullName: 'Lê Văn Nam', dateOfBirth: '1985-09-09' },
  );
  // A second one stays open for the roles that only read.
  const left = await conflictFor(
    staff,
    { fullName: 'Vũ Thị Mai', dateOfBirth: '1972-02-02' },
    { fullName: 'Vũ Thị Mai', dateOfBirth: '1973-03-03' },
  );

  const page = await (await browser.newContext({ viewport: fullHd })).newPage();
  await staffLogin(page, '/counter/', logins.reception);
  await page.getByTestId('service-select').selectOption(serviceId);
  // Every queue row says how its identity was attested: these were typed at the counter.
  await expect(page.locator('[data-testid="identity-badge"][data-source="manual"]').first()).toHaveText('Nhập tay');

  const open = page.getByTestId('open-conflicts');
  await expect(open.getByTestId('conflict-count')).not.toHaveText('0');
  // Keyboard: Alt+I opens the panel.
  await page.keyboard.press('Alt+i');
  await expect(open).toHaveAttribute('aria-expanded', 'true');
  const row = page.locator(`[data-testid="conflict-row"][data-patient-id="${taken.patient.id}"]`);
  await expect(row.getByTestId('conflict-fields')).toHaveText('Họ tên, Ngày sinh');
  await expect(row.getByTestId('conflict-stored')).toContainText('Phạm Thị Hoa');
  await expect(row.getByTestId('conflict-stored')).toContainText('04/04/1990');
  await expect(row.getByTestId('conflict-incoming')).toContainText('Lê Văn Nam');
  await expect(row.getByTestId('conflict-incoming')).toContainText('09/09/1985');
  await expect(row.getByTestId('conflict-attestation')).toHaveText('Nhập tay');
  const other = page.locator(`[data-testid="conflict-row"][data-patient-id="${left.patient.id}"]`);
  await expect(other.getByTestId('conflict-fields')).toHaveText('Ngày sinh');
  await audit(page, 'counter conflicts');
  await keepScreenshot(page, 'counter-identity-conflicts-1920x1080');

  // "Take the check-in's details", confirmed from the keyboard (the confirmation takes the focus).
  await row.getByTestId('conflict-take').focus();
  await page.keyboard.press('Enter');
  await expect(row.getByTestId('conflict-confirm')).toBeFocused();
  await expect(row).toContainText('Lê Văn Nam');
  await audit(page, 'counter conflict confirmation');
  await keepScreenshot(page, 'counter-identity-conflict-confirm-1920x1080');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('conflicts-message')).toHaveText('Đã cập nhật hồ sơ theo thông tin mới.');
  await expect(row).toHaveCount(0);
  await expect(other).toHaveCount(1);

  expect(await patientOf(staff, taken.first)).toMatchObject({
    id: taken.patient.id,
    fullName: 'Lê Văn Nam',
    dateOfBirth: '1985-09-09',
  });
  const still = (await (await staff.get('/api/identity-conflicts')).json()) as { value: { patientId: string }[] };
  expect(still.value.some((c) => c.patientId === taken.patient.id)).toBe(false);

  // Cancel leaves the conflict as it was; the panel is wholly in English when asked.
  await other.getByTestId('conflict-keep').click();
  await page.keyboard.press('Escape');
  await expect(other.getByTestId('conflict-keep')).toBeFocused();
  await page.getByTestId('lang-switch').click();
  await expect(page.getByTestId('conflicts-panel').getByRole('heading')).toContainText('Identity conflicts');
  await expect(other.getByTestId('conflict-take')).toHaveText("Take the check-in's details");
  await keepScreenshot(page, 'counter-identity-conflicts-en-1920x1080');
  await page.context().close();
  await staff.dispose();
});

test('a clinic role reads conflicts without actions; a viewer does not see them', async ({ browser }) => {
  const staff = await staffApi(logins.reception);
  await conflictFor(
    staff,
    { fullName: 'Hoàng Văn Sơn', dateOfBirth: '1966-06-16' },
    { fullName: 'Hoàng Văn Sang', dateOfBirth: '1966-06-16' },
  );
  await staff.dispose();

  const clinic = await (await browser.newContext({ viewport: fullHd })).newPage();
  await staffLogin(clinic, '/counter/', logins.clinic);
  await clinic.getByTestId('open-conflicts').click();
  await expect(clinic.getByTestId('conflict-row').first()).toBeVisible();
  await expect(clinic.getByTestId('conflicts-read-only')).toBeVisible();
  await expect(clinic.locator('[data-action="identity-conflict:resolve"]')).toHaveCount(0);
  await audit(clinic, 'counter conflicts, clinic');
  await keepScreenshot(clinic, 'counter-identity-conflicts-clinic-1920x1080');
  await clinic.context().close();

  const viewer = await (await browser.newContext({ viewport: fullHd })).newPage();
  await staffLogin(viewer, '/counter/', logins.viewer);
  await expect(viewer.getByTestId('read-only')).toBeVisible();
  await expect(viewer.getByTestId('open-conflicts')).toHaveCount(0);
  await viewer.keyboard.press('Alt+i');
  await expect(viewer.getByTestId('conflicts-panel')).toHaveCount(0);
  await expect(viewer.locator('[data-action="identity-conflict:resolve"]')).toHaveCount(0);
  await viewer.context().close();
});
