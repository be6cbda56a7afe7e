import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import type { CheckInRequest, Result, ServiceInfo, StaffAccount } from '@kiosk/protocol';
import {
  api,
  databaseKinds,
  databaseUrl,
  login,
  startServer,
  stopDatabases,
  type RunningServer,
} from '../support/server-harness';

afterAll(() => stopDatabases());

const identity = {
  source: 'cccd-qr' as const,
  idNumber: '079188012345',
  fullName: 'Nguyễn Thị Lan',
  dateOfBirth: '1988-03-12',
};

describe.each(databaseKinds)('facility administration, consent, retention, audit (%s)', (kind) => {
  let server: RunningServer;
  let admin: string;
  let reception: string;
  let viewer: string;
  let nowMs = Date.parse('2026-06-01T03:00:00Z');
  const clock = { now: () => new Date(nowMs) };

  beforeAll(async () => {
    server = await startServer({ ...(await databaseUrl(kind)), RETENTION_PURGE_INTERVAL_MINUTES: '0' }, { clock });
    admin = await login(server.url, 'admin', 'admin-demo');
    reception = await login(server.url, 'tiepdon', 'tiepdon-demo');
    viewer = await login(server.url, 'xem', 'xem-demo');
  });
  afterAll(() => server?.stop());

  const checkIn = async (serviceId: string, who = identity) => {
    const req: CheckInRequest = {
      checkInId: randomUUID(),
      identity: who,
      serviceId,
      priorityClaims: [],
      consent: true,
    };
    return server.app.services.checkIn.checkIn(req, null);
  };

  it('creates departments and services that kiosks then offer', async () => {
    const dept = await api(server.url, admin, 'PUT', '/api/admin/departments/xet-nghiem', {
      nameVi: 'Khoa Xét nghiệm',
      nameEn: 'Laboratory',
    });
    expect(dept.status).toBe(200);
    const created = await api(server.url, admin, 'POST', '/api/admin/services', {
      id: 'lay-mau',
      departmentId: 'xet-nghiem',
      prefix: 'XN',
      nameVi: 'Lấy mẫu xét nghiệm',
      nameEn: 'Sample collection',
      room: '010',
      floor: 0,
    });
    expect(created.status).toBe(200);
    expect((await api(server.url, admin, 'POST', '/api/admin/services', created.body.value)).status).toBe(409);
    const listed = await api<ServiceInfo[]>(server.url, viewer, 'GET', '/api/services');
    expect(listed.body.value?.find((x) => x.id === 'lay-mau')).toMatchObject({ prefix: 'XN', room: '010', floor: 0 });
    const r = await checkIn('lay-mau');
    expect(r.ok && r.value.ticket.number).toBe('XN001');

    const off = await api(server.url, admin, 'PATCH', '/api/admin/services/lay-mau', { active: false, room: '011' });
    expect(off.body.value).toMatchObject({ active: false, room: '011' });
    const refused = await checkIn('lay-mau');
    expect(refused.ok ? 'ok' : refused.error.code).toBe('unknown-service');
    expect((await api(server.url, admin, 'PATCH', '/api/admin/services/nope', { room: '1' })).status).toBe(404);
  });

  it('refuses check-ins outside opening hours', async () => {
    // 2026-06-01T03:00Z is Monday 10:00 in Ho Chi Minh City.
    const hours = await api(server.url, admin, 'PUT', '/api/admin/services/nhi-khoa/hours', {
      hours: [{ weekday: 1, opens: '07:00', closes: '09:30' }],
    });
    expect(hours.status).toBe(200);
    const closed = await checkIn('nhi-khoa');
    expect(closed.ok ? 'ok' : closed.error.code).toBe('service-closed');
    await api(server.url, admin, 'PUT', '/api/admin/services/nhi-khoa/hours', {
      hours: [{ weekday: 1, opens: '07:00', closes: '11:30' }],
    });
    expect((await checkIn('nhi-khoa')).ok).toBe(true);
    const bad = await api(server.url, admin, 'PUT', '/api/admin/services/nhi-khoa/hours', {
      hours: [{ weekday: 1, opens: '12:00', closes: '11:30' }],
    });
    expect(bad.status).toBe(400);
  });

  it('manages staff accounts: create, change role, disable; never the last admin', async () => {
    const created = await api<StaffAccount>(server.url, admin, 'POST', '/api/admin/users', {
      username: 'bacsi.an',
      password: 'mat-khau-dai-1',
      role: 'viewer',
    });
    expect(created.body.value).toMatchObject({ username: 'bacsi.an', role: 'viewer', disabled: false });
    const id = created.body.value?.id ?? '';
    const token = await login(server.url, 'bacsi.an', 'mat-khau-dai-1');
    expect(
      (await api(server.url, token, 'POST', '/api/queue/call-next', { serviceId: 'nhi-khoa', counter: '1' })).status,
    ).toBe(403);
    const sock = io(`${server.url}/staff`, { auth: { token }, transports: ['websocket'], reconnection: false });
    await new Promise<void>((resolve) => sock.once('connect', () => resolve()));
    const list = () => new Promise<Result<unknown>>((resolve) => sock.emit('queue:list', {}, resolve));
    expect((await list()).ok).toBe(true);
    const closed = new Promise<string>((resolve) => sock.once('disconnect', resolve));
    await api(server.url, admin, 'PATCH', `/api/admin/users/${id}`, { role: 'clinic' });
    // Open sockets follow the account: the next command finds the session gone and the socket closes.
    const after = await list();
    expect(after.ok ? 'ok' : after.error.code).toBe('unauthenticated');
    expect(await closed).toBe('io server disconnect');
    // A role change ends the old sessions.
    expect((await api(server.url, token, 'GET', '/api/auth/me')).status).toBe(401);
    const clinic = await login(server.url, 'bacsi.an', 'mat-khau-dai-1');
    expect((await api<{ role: string }>(server.url, clinic, 'GET', '/api/auth/me')).body.value?.role).toBe('clinic');
    await api(server.url, admin, 'PATCH', `/api/admin/users/${id}`, { disabled: true });
    expect((await api(server.url, clinic, 'GET', '/api/auth/me')).status).toBe(401);
    await expect(login(server.url, 'bacsi.an', 'mat-khau-dai-1')).rejects.toThrow();
    const users = await api<StaffAccount[]>(server.url, admin, 'GET', '/api/admin/users');
    const adminId = users.body.value?.find((u) => u.username === 'admin')?.id ?? '';
    const demote = await api(server.url, admin, 'PATCH', `/api/admin/users/${adminId}`, { role: 'viewer' });
    expect(demote.body.error?.code).toBe('conflict');
    expect(
      (await api(server.url, admin, 'POST', '/api/admin/users', { username: 'x', password: 'short', role: 'admin' }))
        .status,
    ).toBe(400);
  });

  it('records consent with each check-in and audits every record read', async () => {
    const r = await checkIn('noi-tong-quat');
    if (!r.ok) throw new Error(r.error.code);
    const viaTicket = await api<{ id: string; fullName: string; consents: { kind: string; visitId: string }[] }>(
      server.url,
      reception,
      'GET',
      `/api/queue/tickets/${r.value.ticketId}/patient`,
    );
    expect(viaTicket.body.value?.fullName).toBe('Nguyễn Thị Lan');
    const patientId = viaTicket.body.value?.id ?? '';
    expect(viaTicket.body.value?.consents.some((c) => c.kind === 'given' && c.visitId === r.value.visitId)).toBe(true);
    expect((await api(server.url, viewer, 'GET', `/api/patients/${patientId}`)).status).toBe(403);
    expect((await api(server.url, reception, 'GET', `/api/patients/${patientId}`)).status).toBe(200);
    expect((await api(server.url, reception, 'GET', '/api/patients/no-such')).status).toBe(404);
    const withdrawn = await api(server.url, reception, 'POST', `/api/patients/${patientId}/consent-withdrawal`, {});
    expect(withdrawn.status).toBe(200);
    const audit = await api<{ actor: string; action: string; target: string | null }[]>(
      server.url,
      admin,
      'GET',
      '/api/admin/audit?limit=20',
    );
    const reads = audit.body.value?.filter((a) => a.action.startsWith('patient-read')) ?? [];
    expect(reads.map((a) => [a.actor, a.action, a.target])).toEqual([
      ['tiepdon', 'patient-read:id', 'no-such'],
      ['tiepdon', 'patient-read:id', patientId],
      ['tiepdon', 'patient-read:ticket', patientId],
    ]);
    expect(JSON.stringify(audit.body.value)).not.toMatch(/Lan|079188012345/u);
  });

  it('registers at the counter and reports the day in statistics', async () => {
    const request = {
      checkInId: randomUUID(),
      identity: { source: 'manual', fullName: 'Hồ Thị Mai', dateOfBirth: '1950-07-07' },
      serviceId: 'san-phu-khoa',
      priorityClaims: [],
      consent: true,
    };
    const clinic = await login(server.url, 'phongkham', 'phongkham-demo');
    expect((await api(server.url, clinic, 'POST', '/api/counter/check-ins', request)).status).toBe(403);
    const r = await api<{ ticket: { number: string }; replayed: boolean }>(
      server.url,
      reception,
      'POST',
      '/api/counter/check-ins',
      request,
    );
    expect(r.body.value?.ticket.number).toBe('D001');
    await api(server.url, reception, 'POST', '/api/queue/call-next', { serviceId: 'san-phu-khoa', counter: '1' });
    const stats = await api<{
      day: string;
      checkInsByHour: { hour: number; checkIns: number }[];
      services: { serviceId: string; tickets: number; called: number; meanWaitMs: number | null }[];
      noShowRate: number | null;
    }>(server.url, admin, 'GET', '/api/admin/stats');
    expect(stats.body.value?.day).toBe('2026-06-01');
    expect(stats.body.value?.services.find((x) => x.serviceId === 'san-phu-khoa')).toEqual({
      serviceId: 'san-phu-khoa',
      tickets: 1,
      called: 1,
      noShows: 0,
      meanWaitMs: 0,
    });
    // 03:00Z is 10:00 in Ho Chi Minh City.
    expect(stats.body.value?.checkInsByHour.map((h) => h.hour)).toEqual([10]);
    expect(stats.body.value?.noShowRate).toBe(0);
    expect((await api(server.url, reception, 'GET', '/api/admin/stats')).status).toBe(403);
  });

  it('purges patients and visits past retention and keeps daily KPIs', async () => {
    const old = { ...identity, idNumber: '079188099999', fullName: 'Võ Văn Cũ' };
    nowMs = Date.parse('2026-01-05T03:00:00Z');
    const first = await checkIn('tai-mui-hong', old);
    if (!first.ok) throw new Error('check-in failed');
    await api(server.url, reception, 'POST', '/api/queue/call-next', { serviceId: 'tai-mui-hong', counter: '1' });
    nowMs = Date.parse('2026-06-01T03:00:00Z');
    expect((await api(server.url, admin, 'PUT', '/api/admin/settings/retention', { retentionDays: 90 })).status).toBe(
      200,
    );
    const purge = await api<{ visits: number; patients: number; tickets: number }>(
      server.url,
      admin,
      'POST',
      '/api/admin/retention/purge',
    );
    expect(purge.body.value).toMatchObject({ visits: 1, patients: 1, tickets: 1 });
    const gone = await api(server.url, reception, 'GET', `/api/queue/tickets/${first.value.ticketId}/patient`);
    expect(gone.status).toBe(404);
    const kpis = await api<{ serviceId: string; tickets: number; called: number; meanWaitMs: number }[]>(
      server.url,
      admin,
      'GET',
      '/api/admin/kpis/daily?from=2026-01-01&to=2026-01-31',
    );
    expect(kpis.body.value).toEqual([
      expect.objectContaining({ day: '2026-01-05', serviceId: 'tai-mui-hong', tickets: 1, called: 1, meanWaitMs: 0 }),
    ]);
    // Recent patients stay.
    const recent = await api<{ visits: number }>(server.url, admin, 'POST', '/api/admin/retention/purge');
    expect(recent.body.value?.visits).toBe(0);
  });
});
