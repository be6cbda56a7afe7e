/**
 * Each check-in's Decision 4750 record to the social-insurance data portal through the outbox,
 * against the portal's contract simulator: delivered once, retried through an outage, a refusal
 * visible to staff (delivery list, alert) and sent again on their word, idempotent when the
 * portal already had it, off by the facility's switch; on SQLite and (where installed) PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import type {
  AgentToServerEvents,
  CheckInReceipt,
  FleetAlert,
  Identity,
  PortalOutboxState,
  ServerToAgentEvents,
} from '@kiosk/protocol';
import type { DeliveryView } from '@kiosk/server';
import {
  api,
  databaseKinds,
  databaseUrl,
  login,
  startServer,
  stopDatabases,
  type RunningServer,
} from '../support/server-harness';
import { startPortalSimulator, type PortalSimulator } from '../support/portal-simulator';
import { until } from '../support/until';
import { enrolledAgent, checkedIn } from '../support/server-process';

afterAll(stopDatabases);

describe.each(databaseKinds)('Decision 4750 records to the portal (%s)', (kind) => {
  let portal: PortalSimulator;
  let server: RunningServer;
  let agent: Socket<ServerToAgentEvents, AgentToServerEvents>;
  let admin: string;
  let n = 0;

  beforeAll(async () => {
    portal = await startPortalSimulator();
    server = await startServer({
      ...(await databaseUrl(kind)),
      BOOTSTRAP_PAIRING_CODE: 'PORTAL4750A1',
      FACILITY_CODE: '92012',
      PORTAL_MODE: 'on',
      PORTAL_URL: portal.url,
      PORTAL_USERNAME: portal.username,
      PORTAL_PASSWORD: portal.password,
      PORTAL_TIMEOUT_MS: '150',
      PORTAL_ALERT_AFTER_FAILURES: '1',
      OUTBOX_POLL_MS: '20',
      OUTBOX_BACKOFF_BASE_MS: '20',
      OUTBOX_BACKOFF_MAX_MS: '100',
      RETENTION_PURGE_INTERVAL_MINUTES: '0',
    });
    agent = await enrolledAgent(server.url, 'PORTAL4750A1', 'kiosk-portal');
    admin = await login(server.url, 'admin', 'admin-demo');
  }, 120_000);
  afterAll(async () => {
    agent?.close();
    await server?.stop();
    await portal?.close();
  });

  const checkIn = async (): Promise<CheckInReceipt> => {
    n += 1;
    const identity: Identity = {
      source: 'chip',
      idNumber: `0791880${String(10_000 + n).padStart(5, '0')}`,
      insuranceNumber: `GD47979${String(10_000_000 + n).padStart(8, '0')}`,
      fullName: 'Nguyễn Thị Lan',
      dateOfBirth: '1988-03-12',
      sex: 'female',
      primaryCareFacility: '92012',
      insuranceValidFrom: '2026-01-01',
      insuranceValidTo: '2026-12-31',
    };
    return checkedIn(agent, identity);
  };
  const deliveries = async (status: string) => {
    const r = await api<{ deliveries: DeliveryView[] }>(
      server.url,
      admin,
      'GET',
      `/api/admin/portal/deliveries?status=${status}`,
    );
    return r.body.value?.deliveries ?? [];
  };
  const deliveryOf = async (visitId: string) =>
    (await deliveries('pending,delivering,delivered,failed')).find((d) => d.visitId === visitId);
  const state = async () =>
    (await api<PortalOutboxState>(server.url, admin, 'GET', '/api/admin/portal/outbox')).body.value;
  const submissionsOf = (visitNumber: string) =>
    portal.submissions.filter((s) => (s.body['checkin'] as Record<string, unknown>)['MA_LK'] === visitNumber);
  const openAlerts = async () =>
    (await api<FleetAlert[]>(server.url, admin, 'GET', '/api/admin/alerts')).body.value ?? [];

  it('delivers a check-in’s record once, with every field the portal checks, and shows it delivered', async () => {
    const before = portal.received.size;
    const receipt = await checkIn();
    await until(async () => expect((await deliveryOf(receipt.visitId))?.status).toBe('delivered'));
    expect(portal.received.size).toBe(before + 1);
    const [maLk, got] = [...portal.received.entries()].at(-1) ?? [];
    expect(maLk).toMatch(/^92012/u);
    expect(got?.checkin).toMatchObject({ MA_CSKCB: '92012', MA_LOAI_KCB: '01', GIOI_TINH: 2, STT: 1 });
    expect(submissionsOf(maLk ?? '')).toHaveLength(1);
    const s = await state();
    expect(s).toMatchObject({ configured: true, enabled: true, pending: 0, failed: 0 });
    expect(s?.deliveredToday).toBeGreaterThanOrEqual(1);
    // The EMR's own view (local mode here) does not count the portal's rows.
    const emr = await api<{ pending: number; failed: number }>(server.url, admin, 'GET', '/api/admin/emr/outbox');
    expect(emr.body.value).toMatchObject({ pending: 0, failed: 0 });
  });

  it('retries through an outage and delivers once the portal is back; the check-in is not held up', async () => {
    portal.down = true;
    const receipt = await checkIn();
    await until(async () => {
      const d = await deliveryOf(receipt.visitId);
      expect(d?.status).toBe('pending');
      expect(d?.lastErrorCode).toBe('portal-unavailable');
      expect(d?.attempts).toBeGreaterThanOrEqual(2);
    });
    expect((await state())?.pending).toBeGreaterThanOrEqual(1);
    portal.down = false;
    await until(async () => expect((await deliveryOf(receipt.visitId))?.status).toBe('delivered'));
    const accepted = portal.submissions.filter((x) => x.maKetQua === '200');
    const maLks = accepted.map((x) => (x.body['checkin'] as Record<string, unknown>)['MA_LK']);
    expect(new Set(maLks).size).toBe(maLks.length);
  });

  it('shows a refusal to staff with its reason and an alert, and sends it again on their word', async () => {
    portal.forceCode = '400';
    const receipt = await checkIn();
    await until(async () => expect((await deliveryOf(receipt.visitId))?.status).toBe('failed'));
    const failed = await deliveries('failed');
    expect(failed.find((d) => d.visitId === receipt.visitId)).toMatchObject({ lastErrorCode: 'portal-rejected' });
    expect((await state())?.failed).toBe(1);
    await until(async () =>
      expect((await openAlerts()).some((a) => a.kind === 'portal-delivery-failing' && !a.resolvedAt)).toBe(true),
    );

    portal.forceCode = undefined;
    const retried = await api<{ retried: number }>(
      server.url,
      admin,
      'POST',
      '/api/admin/portal/deliveries/retry-failed',
      {},
    );
    expect(retried.body.value?.retried).toBe(1);
    await until(async () => expect((await deliveryOf(receipt.visitId))?.status).toBe('delivered'));
    await until(async () =>
      expect((await openAlerts()).some((a) => a.kind === 'portal-delivery-failing' && !a.resolvedAt)).toBe(false),
    );
  });

  it('is idempotent when the portal had the record but its answer was lost: the re-send is matched (201)', async () => {
    // Answers come after our deadline: the portal keeps each record, we never hear it.
    portal.delayMs = 400;
    const before = portal.received.size;
    const receipt = await checkIn();
    await until(() => portal.received.size === before + 1, { what: 'the portal to store the record' });
    await until(async () => expect((await deliveryOf(receipt.visitId))?.lastErrorCode).toBe('portal-unavailable'));
    portal.delayMs = 0;
    await until(async () => expect((await deliveryOf(receipt.visitId))?.status).toBe('delivered'));
    const [maLk] = [...portal.received.keys()].slice(-1);
    expect(portal.received.size).toBe(before + 1);
    expect(submissionsOf(maLk ?? '').map((x) => x.maKetQua)).toContain('201');
  });

  it('sends nothing while the facility has switched the portal off, and again once on', async () => {
    const off = await api(server.url, admin, 'PUT', '/api/admin/portal/settings', { enabled: false });
    expect(off.body.ok).toBe(true);
    expect((await state())?.enabled).toBe(false);
    const quiet = await checkIn();
    expect(await deliveryOf(quiet.visitId)).toBeUndefined();
    await api(server.url, admin, 'PUT', '/api/admin/portal/settings', { enabled: true });
    const sent = await checkIn();
    await until(async () => expect((await deliveryOf(sent.visitId))?.status).toBe('delivered'));
  });

  it('refuses the portal routes to staff who are not admins', async () => {
    const reception = await login(server.url, 'tiepdon', 'tiepdon-demo');
    const r = await api(server.url, reception, 'GET', '/api/admin/portal/outbox');
    expect(r.status).toBe(403);
  });
});
