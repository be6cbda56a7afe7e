/**
 * Waiting-room displays (pairing, per-screen services, board settings, revocation), the kiosks'
 * bounded heartbeat history, and reports with their CSV and XLSX exports, on a real server over
 * SQLite and PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import type {
  BoardConfig,
  CalledTicket,
  DisplayView,
  Identity,
  KioskDetail,
  Report,
  ServerToDisplayEvents,
} from '@kiosk/protocol';
import {
  api,
  checkInWith,
  databaseKinds,
  databaseUrl,
  login,
  pairDisplay,
  startServer,
  stopDatabases,
  type RunningServer,
} from '../support/server-harness';

afterAll(() => stopDatabases());

/** A clock the test moves; starts on a Monday morning in Vietnam (02:00 UTC = 09:00 local). */
const clock = { at: new Date('2026-03-02T02:00:00Z'), now: () => new Date(clock.at) };
const setTime = (iso: string) => (clock.at = new Date(iso));

const insured = (n: number): Identity => ({
  source: 'bhyt-qr',
  insuranceNumber: `GD47979${String(10_000_000 + n).slice(-8)}`,
  fullName: 'Trần Văn Bình',
  dateOfBirth: '1980-01-01',
});
const walkIn = (n: number): Identity => ({
  source: 'cccd-qr',
  idNumber: `0791880${String(10000 + n).slice(-5)}`,
  fullName: 'Lê Thị Cúc',
  dateOfBirth: '1970-05-05',
});

describe.each(databaseKinds)('displays, heartbeat history and reports (%s)', (kind) => {
  let server: RunningServer;
  let admin: string;
  let reception: string;

  beforeAll(async () => {
    server = await startServer({ ...(await databaseUrl(kind)), NO_SHOW_AFTER_SKIPS: '1' }, { clock });
    admin = await login(server.url, 'admin', 'admin-demo');
    reception = await login(server.url, 'tiepdon', 'tiepdon-demo');
  });
  afterAll(() => server?.stop());

  const issue = (identity: Identity, serviceId: string) => checkInWith(server, identity, serviceId);
  const callNext = async (serviceId: string) =>
    (await api<CalledTicket | null>(server.url, reception, 'POST', '/api/queue/call-next', { serviceId, counter: '3' }))
      .body.value;

  /** Connects a display and collects what it is told. */
  const board = async (credential: string) => {
    const socket: Socket<ServerToDisplayEvents> = io(`${server.url}/display`, {
      auth: { credential },
      transports: ['websocket'],
      reconnection: false,
    });
    const configs: BoardConfig[] = [];
    const calls: CalledTicket[] = [];
    const snapshots: CalledTicket[][] = [];
    socket.on('board:configured', (c) => configs.push(c));
    socket.on('call:announced', (c) => calls.push(c));
    socket.on('board:refreshed', (c) => snapshots.push(c));
    const error = await new Promise<string | undefined>((resolve) => {
      socket.once('connect', () => resolve(undefined));
      socket.once('connect_error', (e) => resolve(e.message));
    });
    return { socket, configs, calls, snapshots, error };
  };

  it('a display pairs with a single-use code, shows only its services, and is revoked', async () => {
    const credential = await pairDisplay(server.url, admin, 'Sảnh Tai Mũi Họng');
    // A code works once.
    const code = await api<{ code: string }>(server.url, admin, 'POST', '/api/admin/display-pairing-codes');
    const first = await api(server.url, undefined, 'POST', '/api/displays/pair', {
      code: code.body.value?.code,
      name: 'A',
    });
    const again = await api(server.url, undefined, 'POST', '/api/displays/pair', {
      code: code.body.value?.code,
      name: 'B',
    });
    expect(first.status).toBe(200);
    expect([again.status, again.body.error?.code]).toEqual([403, 'invalid-pairing-code']);
    // A kiosk pairing code does not pair a display.
    const kioskCode = await api<{ code: string }>(server.url, admin, 'POST', '/api/admin/pairing-codes');
    const wrong = await api(server.url, undefined, 'POST', '/api/displays/pair', {
      code: kioskCode.body.value?.code,
      name: 'C',
    });
    expect(wrong.body.error?.code).toBe('invalid-pairing-code');

    const displays = await api<DisplayView[]>(server.url, admin, 'GET', '/api/admin/displays');
    const mine = displays.body.value?.find((d) => credential.startsWith(`${d.id}.`));
    expect(mine).toMatchObject({ name: 'Sảnh Tai Mũi Họng', serviceIds: [], revoked: false });
    const id = mine?.id ?? '';

    const screen = await board(credential);
    expect(screen.error).toBeUndefined();
    await expect.poll(() => screen.configs.length).toBe(1);
    expect(screen.configs[0]?.rooms.length).toBeGreaterThan(3);
    expect(screen.configs[0]?.hospitalName).toMatch(/Bệnh viện/u);

    // Chosen services: the screen is told at once and hears only their calls.
    const set = await api<DisplayView>(server.url, admin, 'PUT', `/api/admin/displays/${id}`, {
      name: 'Sảnh Tai Mũi Họng',
      serviceIds: ['tai-mui-hong'],
    });
    expect(set.body.value?.serviceIds).toEqual(['tai-mui-hong']);
    await expect.poll(() => screen.configs.at(-1)?.serviceIds).toEqual(['tai-mui-hong']);
    expect(screen.configs.at(-1)?.rooms.map((r) => r.serviceId)).toEqual(['tai-mui-hong']);
    expect(
      (await api(server.url, admin, 'PUT', `/api/admin/displays/${id}`, { name: 'x', serviceIds: ['nope'] })).body.error
        ?.code,
    ).toBe('unknown-service');

    const other = await issue(walkIn(1), 'noi-tong-quat');
    const ent = await issue(walkIn(2), 'tai-mui-hong');
    expect((await callNext('noi-tong-quat'))?.ticketId).toBe(other.ticketId);
    expect((await callNext('tai-mui-hong'))?.ticketId).toBe(ent.ticketId);
    await expect.poll(() => screen.calls.map((c) => c.ticketId)).toEqual([ent.ticketId]);

    // Board settings reach every screen.
    const settings = {
      hospitalName: 'Bệnh viện Thử nghiệm',
      logoSvg: '<svg xmlns="http://www.w3.org/2000/svg"/>',
      notices: [{ vi: 'Xin giữ trật tự', en: 'Please keep quiet' }],
    };
    expect((await api(server.url, admin, 'PUT', '/api/admin/settings/board', settings)).status).toBe(200);
    await expect.poll(() => screen.configs.at(-1)?.hospitalName).toBe('Bệnh viện Thử nghiệm');
    expect(screen.configs.at(-1)?.notices).toEqual(settings.notices);
    expect(
      (await api(server.url, admin, 'PUT', '/api/admin/settings/board', { ...settings, logoSvg: '<script>' })).status,
    ).toBe(400);

    // Revoked: disconnected now, refused afterwards.
    const disconnected = new Promise<string>((resolve) => screen.socket.once('disconnect', resolve));
    expect((await api(server.url, admin, 'POST', `/api/admin/displays/${id}/revoke`)).status).toBe(200);
    expect(await disconnected).toBe('io server disconnect');
    const after = await board(credential);
    expect(after.error).toBe('unauthorized');
    after.socket.close();
    expect((await board(`${id}.wrong-secret`)).error).toBe('unauthorized');
    // Not for other staff.
    expect((await api(server.url, reception, 'GET', '/api/admin/displays')).status).toBe(403);
  });

  it("a counter's registration and a transfer start with no printer, and print their own numbers", async () => {
    setTime('2026-03-02T03:00:00Z');
    reception = await login(server.url, 'tiepdon', 'tiepdon-demo');
    const registered = await api<{ ticketId: string; ticket: { number: string } }>(
      server.url,
      reception,
      'POST',
      '/api/counter/check-ins',
      {
        checkInId: randomUUID(),
        identity: { source: 'manual', fullName: 'Đỗ Văn Hải', dateOfBirth: '1960-06-06' },
        serviceId: 'san-phu-khoa',
        priorityClaims: [],
        consent: true,
      },
    );
    const ticketId = registered.body.value?.ticketId ?? '';
    const entry = async (id: string) => (await server.app.services.queue.list()).find((e) => e.ticketId === id);
    expect((await entry(ticketId))?.printStatus).toBe('none');
    // No kiosk issued it: a reprint is refused with a code the counter translates.
    const reprint = await api(server.url, reception, 'POST', `/api/queue/tickets/${ticketId}/reprint`, {});
    expect(reprint.body.error?.code).toBe('no-kiosk-printer');

    const moved = await api<{ to: { ticketId: string; number: string; printStatus: string } }>(
      server.url,
      reception,
      'POST',
      `/api/queue/tickets/${ticketId}/transfer`,
      { targetServiceId: 'tai-mui-hong', keepPriority: true },
    );
    const to = moved.body.value?.to;
    expect(to?.printStatus).toBe('none');
    const printable = await api<{ number: string; room: string }>(
      server.url,
      reception,
      'GET',
      `/api/queue/tickets/${to?.ticketId ?? ''}/printable`,
    );
    expect(printable.body.value).toMatchObject({ number: to?.number, room: '312' });
    // A printer's report ends it.
    await server.app.services.queue.recordPrint(to?.ticketId ?? '', 'confirmed', undefined, 'counter-agent');
    expect((await entry(to?.ticketId ?? ''))?.printStatus).toBe('printed');
    const viewer = await login(server.url, 'xem', 'xem-demo');
    expect((await api(server.url, viewer, 'GET', `/api/queue/tickets/${ticketId}/printable`)).status).toBe(403);
  });

  it('keeps a bounded heartbeat history: a sample a minute, sooner when a device changes', async () => {
    const code = await server.app.services.fleet.createPairingCode('test');
    const enrolled = await server.app.services.fleet.enroll(code.code, 'Ki-ốt sảnh A');
    if (enrolled === 'invalid-code') throw new Error('enrol failed');
    const { agentId } = enrolled;
    const printer = (state: 'ready' | 'error', reason?: string) => ({
      id: 'printer-1',
      class: 'printer' as const,
      profileId: 'sim-printer',
      state,
      ...(reason ? { reason } : {}),
      counters: {},
      changedAt: clock.now().toISOString(),
    });
    const beat = (state: 'ready' | 'error', reason?: string) =>
      server.app.services.fleet.heartbeat(agentId, {
        softwareVersion: '1.2.3',
        uptimeSec: 5,
        devices: [printer(state, reason)],
      });
    setTime('2026-03-02T02:00:00Z');
    await beat('ready');
    setTime('2026-03-02T02:00:10Z');
    await beat('ready'); // same news within a minute: not kept
    setTime('2026-03-02T02:00:20Z');
    await beat('error', 'paper-out'); // a change: kept at once
    setTime('2026-03-02T02:01:30Z');
    await beat('error', 'paper-out'); // a minute later: kept
    const detail = await api<KioskDetail>(server.url, admin, 'GET', `/api/admin/agents/${agentId}`);
    expect(detail.body.value?.heartbeats.map((h) => [h.at, h.ready, h.total, h.problems])).toEqual([
      ['2026-03-02T02:00:00.000Z', 1, 1, []],
      ['2026-03-02T02:00:20.000Z', 0, 1, ['printer:error:paper-out']],
      ['2026-03-02T02:01:30.000Z', 0, 1, ['printer:error:paper-out']],
    ]);
    expect(detail.body.value).toMatchObject({ name: 'Ki-ốt sảnh A', softwareVersion: '1.2.3', revoked: false });
    expect(detail.body.value?.devices[0]).toMatchObject({ state: 'error', reason: 'paper-out' });
    expect((await api(server.url, admin, 'GET', '/api/admin/agents/no-such-kiosk')).status).toBe(404);

    // The history keeps only the newest samples.
    const repo = server.app.repositories.agents;
    for (let i = 0; i < 6; i++)
      await repo.addSample(
        {
          agent_id: agentId,
          at: `2026-03-02T03:0${i}:00.000Z`,
          software_version: '1.2.3',
          ready: 1,
          total: 1,
          problems: '[]',
        },
        4,
      );
    const kept = await repo.samples(agentId);
    expect(kept.map((s) => s.at)).toEqual([2, 3, 4, 5].map((i) => `2026-03-02T03:0${i}:00.000Z`));
  });

  it('reports tickets, insurance vs fee-paying, no-shows and waits per day, week and month, as CSV and XLSX', async () => {
    const service = 'nhi-khoa';
    // Monday 2 March, 09:00 local: two insured, one fee-paying; one called 10 min later, one a no-show.
    setTime('2026-03-02T02:00:00Z');
    const a = await issue(insured(1), service);
    await issue(insured(2), service);
    await issue(walkIn(3), service);
    setTime('2026-03-02T02:10:00Z');
    expect((await callNext(service))?.ticketId).toBe(a.ticketId);
    setTime('2026-03-02T02:20:00Z');
    const skipped = await api<{ status: string }>(
      server.url,
      reception,
      'POST',
      `/api/queue/tickets/${a.ticketId}/skip`,
      {},
    );
    expect(skipped.body.value?.status).toBe('no-show');
    // Wednesday 4 March, 14:00 local: one fee-paying.
    setTime('2026-03-04T07:00:00Z');
    await issue(walkIn(4), service);
    // Wednesday 1 April: one more, another month.
    setTime('2026-04-01T07:00:00Z');
    await issue(walkIn(5), service);
    // Sessions last hours: log in again at the new time.
    admin = await login(server.url, 'admin', 'admin-demo');
    reception = await login(server.url, 'tiepdon', 'tiepdon-demo');

    const get = (period: string) =>
      api<Report>(server.url, admin, 'GET', `/api/admin/reports?from=2026-03-01&to=2026-04-30&period=${period}`);
    const rowsOf = (r: Report | undefined) => (r?.rows ?? []).filter((x) => x.serviceId === service);

    const byDay = rowsOf((await get('day')).body.value);
    expect(byDay.map((r) => [r.period, r.tickets, r.insurance, r.feePaying])).toEqual([
      ['2026-03-02', 3, 2, 1],
      ['2026-03-04', 1, 0, 1],
      ['2026-04-01', 1, 0, 1],
    ]);
    expect(byDay[0]).toMatchObject({ called: 1, meanWaitMs: 600_000 });
    expect(byDay[0]?.noShows).toBe(1);
    const noShows = 1;

    const byWeek = rowsOf((await get('week')).body.value);
    expect(byWeek.map((r) => [r.period, r.tickets])).toEqual([
      ['2026-03-02', 4],
      ['2026-03-30', 1],
    ]);
    const monthly = (await get('month')).body.value;
    expect(rowsOf(monthly).map((r) => [r.period, r.tickets, r.checkIns])).toEqual([
      ['2026-03-01', 4, 4],
      ['2026-04-01', 1, 1],
    ]);
    expect(monthly?.waitsByHour.filter((w) => w.serviceId === service)).toEqual([
      { serviceId: service, hour: 9, meanWaitMs: 600_000, calls: 1 },
    ]);
    expect((await api(server.url, admin, 'GET', '/api/admin/reports?from=2026-04-30&to=2026-03-01')).status).toBe(400);
    expect((await api(server.url, reception, 'GET', '/api/admin/reports?from=2026-03-01&to=2026-03-02')).status).toBe(
      403,
    );

    const exportOf = (format: string, lang = 'vi') =>
      fetch(
        `${server.url}/api/admin/reports/export?from=2026-03-01&to=2026-04-30&period=month&format=${format}&lang=${lang}`,
        {
          headers: { authorization: `Bearer ${admin}` },
        },
      );
    const csv = await exportOf('csv');
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/u);
    const text = await csv.text();
    const lines = text
      .replace(/^\uFEFF/u, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe(
      'Kỳ,Dịch vụ,Số phiếu,Lượt đăng ký mới,Bảo hiểm y tế,Dịch vụ (tự trả),Đã gọi,Vắng mặt,Chờ trung bình (phút)',
    );
    expect(lines).toContain(`2026-03-01,${service},4,4,2,2,1,${noShows},10`);

    const xlsx = await exportOf('xlsx', 'en');
    expect(xlsx.headers.get('content-disposition')).toMatch(/\.xlsx"$/u);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await xlsx.arrayBuffer());
    const sheet = book.getWorksheet('By period');
    expect(sheet?.getRow(1).values).toEqual([
      undefined,
      'Period',
      'Service',
      'Tickets',
      'New check-ins',
      'Insurance',
      'Fee-paying',
      'Called',
      'No-shows',
      'Mean wait (min)',
    ]);
    const rows: unknown[][] = [];
    sheet?.eachRow((row, n) => {
      if (n > 1) rows.push((row.values as unknown[]).slice(1));
    });
    expect(rows).toContainEqual(['2026-03-01', service, 4, 4, 2, 2, 1, noShows, 10]);
    expect(book.getWorksheet('Waits by hour')?.getRow(2).values).toEqual([undefined, service, 9, 10, 1]);
    // Anything but an admin is refused the file too.
    const refused = await fetch(`${server.url}/api/admin/reports/export?from=2026-03-01&to=2026-03-02&format=csv`, {
      headers: { authorization: `Bearer ${reception}` },
    });
    expect(refused.status).toBe(403);
  });
});
