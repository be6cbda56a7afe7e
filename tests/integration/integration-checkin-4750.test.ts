/**
 * The Decision 4750 check-in record through a real server: every field stored with each check-in,
 * exported for a range of facility days as XML and JSON, admin-only and audited; the records go
 * with their visits when the retention purge runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import type { AgentToServerEvents, Identity, ServerToAgentEvents } from '@kiosk/protocol';
import type { Record4750 } from '@kiosk/server';
import { api, login, startServer, type RunningServer } from '../support/server-harness';
import { enrolledAgent, submitCheckIn } from '../support/server-process';

let now = new Date('2026-11-21T17:30:00.000Z');
const clock = { now: () => now };

describe('Decision 4750 check-in record export', () => {
  let server: RunningServer;
  let agent: Socket<ServerToAgentEvents, AgentToServerEvents>;
  let admin: string;

  beforeAll(async () => {
    server = await startServer(
      {
        BOOTSTRAP_PAIRING_CODE: 'XML4750CODE1',
        FACILITY_CODE: '92012',
        XML4750_SERVICE_CODES: 'noi-tong-quat:01.0001.1899',
        RETENTION_PURGE_INTERVAL_MINUTES: '0',
      },
      { clock },
    );
    agent = await enrolledAgent(server.url, 'XML4750CODE1', 'kiosk-4750');
    admin = await login(server.url, 'admin', 'admin-demo');
  });
  afterAll(async () => {
    agent?.close();
    await server?.stop();
  });

  const checkIn = (identity: Identity, at: string) => {
    now = new Date(at);
    return submitCheckIn(agent, identity);
  };

  it('exports the facility day’s check-ins with every field, as XML and as JSON', async () => {
    // 00:30 on the 22nd in Vietnam (still the 21st in UTC), 10:00 on the 22nd, 00:30 on the 23rd.
    const a = await checkIn(
      {
        source: 'chip',
        idNumber: '079188012345',
        insuranceNumber: 'GD4797912345678',
        fullName: 'Nguyễn Thị Lan',
        dateOfBirth: '1988-03-12',
        sex: 'female',
        primaryCareFacility: '92012',
        insuranceValidFrom: '2026-01-01',
        insuranceValidTo: '2026-12-31',
      },
      '2026-11-21T17:30:00.000Z',
    );
    const b = await checkIn(
      { source: 'manual', fullName: 'Trần Văn Ba & Con', dateOfBirth: '1950', sex: 'male' },
      '2026-11-22T03:00:00.000Z',
    );
    const c = await checkIn(
      { source: 'cccd-qr', idNumber: '079090000777', fullName: 'Lê Thị Tư', dateOfBirth: '1990-05-06' },
      '2026-11-22T17:30:00.000Z',
    );
    expect([a.ok, b.ok, c.ok]).toEqual([true, true, true]);
    if (!a.ok || !b.ok) return;
    admin = await login(server.url, 'admin', 'admin-demo'); // sessions follow the pinned clock

    const json = await fetch(`${server.url}/api/admin/exports/checkin-4750?from=2026-11-22&to=2026-11-22&format=json`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(json.status).toBe(200);
    const { records } = (await json.json()) as { records: Record4750[] };
    expect(records.length).toBe(2);
    const patientA = await server.app.services.db.kysely
      .selectFrom('visits')
      .select('patient_id')
      .where('id', '=', a.value.visitId)
      .executeTakeFirstOrThrow();
    expect(records[0]).toEqual({
      ma_lk: `92012-20261122-${a.value.ticket.number}`,
      stt: 1,
      ma_bn: patientA.patient_id,
      ho_ten: 'Nguyễn Thị Lan',
      so_cccd: '079188012345',
      ngay_sinh: '198803120000',
      gioi_tinh: 2,
      ma_the_bhyt: 'GD4797912345678',
      ma_dkbd: '92012',
      gt_the_tu: '20260101',
      gt_the_den: '20261231',
      ma_doituong_kcb: '1.1',
      ngay_vao: '202611220030',
      ma_loai_kcb: '01',
      ma_cskcb: '92012',
      ma_dich_vu: '01.0001.1899',
      ten_dich_vu: 'Khám Nội tổng quát',
      ngay_yl: '202611220030',
    });
    expect(records[1]).toMatchObject({
      stt: 2,
      ho_ten: 'Trần Văn Ba & Con',
      so_cccd: null,
      ngay_sinh: '195000000000',
      gioi_tinh: 1,
      ma_the_bhyt: null,
      ma_doituong_kcb: '9',
      ngay_vao: '202611221000',
    });

    const xml = await fetch(`${server.url}/api/admin/exports/checkin-4750?from=2026-11-22&to=2026-11-22`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(xml.headers.get('content-type')).toContain('application/xml');
    const text = await xml.text();
    expect(text.match(/<CHECKIN>/gu)?.length).toBe(2);
    expect(text).toContain('<HO_TEN>Trần Văn Ba &amp; Con</HO_TEN>');
    expect(text).toContain('<NGAY_VAO>202611220030</NGAY_VAO>');
    expect(text).toContain('<MA_THE_BHYT />');

    const audit = await api<{ action: string; target: string }[]>(
      server.url,
      admin,
      'GET',
      '/api/admin/audit?action=export-4750:json',
    );
    expect(audit.body.value?.[0]).toMatchObject({ action: 'export-4750:json', target: '2026-11-22..2026-11-22 (2)' });
  });

  it('is for admins only, and refuses a bad range', async () => {
    const url = `${server.url}/api/admin/exports/checkin-4750?from=2026-11-22&to=2026-11-22`;
    expect((await fetch(url)).status).toBe(401);
    const reception = await login(server.url, 'tiepdon', 'tiepdon-demo');
    expect((await fetch(url, { headers: { authorization: `Bearer ${reception}` } })).status).toBe(403);
    const bad = await fetch(`${server.url}/api/admin/exports/checkin-4750?from=2026-11-23&to=2026-11-22`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(bad.status).toBe(400);
  });

  it('the retention purge takes the records and deliveries with their visits', async () => {
    now = new Date('2027-12-01T03:00:00.000Z');
    await server.app.services.retention.purge();
    const { kysely } = server.app.services.db;
    expect((await kysely.selectFrom('checkin_records').selectAll().execute()).length).toBe(0);
    expect((await kysely.selectFrom('emr_outbox').selectAll().execute()).length).toBe(0);
  });
});
