import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { kioskConfigSchema, type Identity } from '@kiosk/protocol';
import {
  api,
  databaseKinds,
  databaseUrl,
  login,
  startServer,
  stopDatabases,
  type RunningServer,
} from '../support/server-harness';

const patient = (n: number): Identity => ({
  source: 'cccd-qr',
  idNumber: `0791880${String(20000 + n).slice(-5)}`,
  fullName: 'Trần Văn Bình',
  dateOfBirth: '1980-01-01',
});

describe('the kiosk page from the server', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ KIOSK_AGENT_PORT: '20051', HOSPITAL_ACCENT_COLOR: '#1565c0' });
  });
  afterAll(() => server?.stop());

  it('GET /api/kiosk/config is public and names the facility look and the agent port', async () => {
    const r = await fetch(`${server.url}/api/kiosk/config`);
    expect(r.status).toBe(200);
    const body = (await r.json()) as { ok: boolean; value: unknown };
    const config = kioskConfigSchema.parse(body.value);
    expect(config).toMatchObject({ agentPort: 20051, accentColor: '#1565c0' });
    expect(config.hospitalName.length).toBeGreaterThan(0);
  });

  it("a ticket names the clinic in both languages, the people ahead and the server's estimated wait", async () => {
    const issue = async (n: number) => {
      const r = await server.app.services.checkIn.checkIn(
        {
          checkInId: randomUUID(),
          identity: patient(n),
          serviceId: 'noi-tong-quat',
          priorityClaims: [],
          consent: true,
        },
        null,
      );
      if (!r.ok) throw new Error(r.error.code);
      return r.value.ticket;
    };
    const first = await issue(1);
    const second = await issue(2);
    expect(first.serviceName).toMatchObject({ vi: 'Khám Nội tổng quát', en: 'General internal medicine' });
    expect(first.departmentName?.en).toBe('Outpatient Department');
    expect(second.peopleAhead).toBe((first.peopleAhead ?? 0) + 1);
    // No calls yet: the configured default pace (5 min) per person ahead.
    expect(second.estimatedWaitMinutes).toBe((second.peopleAhead ?? 0) * 5);
    // An admin renames the clinic: the very next ticket carries the new name.
    const admin = await login(server.url, 'admin', 'admin-demo');
    const renamed = await api(server.url, admin, 'PATCH', '/api/admin/services/noi-tong-quat', {
      nameVi: 'Khám Nội (đổi tên)',
    });
    expect(renamed.status).toBe(200);
    expect((await issue(3)).serviceName?.vi).toBe('Khám Nội (đổi tên)');
  });
});

afterAll(() => stopDatabases());

describe.each(databaseKinds)('the people ahead printed on a new ticket (%s)', (kind) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(await databaseUrl(kind));
  });
  afterAll(() => server?.stop());

  it('each new ticket counts the people ahead as the line is called: priority tickets interleaved, a call between', async () => {
    const serviceId = 'tai-mui-hong';
    const issue = async (n: number, elderly: boolean) => {
      const r = await server.app.services.checkIn.checkIn(
        {
          checkInId: randomUUID(),
          identity: { ...patient(100 + n), dateOfBirth: elderly ? '1940-01-01' : '1985-01-01' },
          serviceId,
          priorityClaims: [],
          consent: true,
        },
        null,
      );
      if (!r.ok) throw new Error(r.error.code);
      return { ...r.value.ticket, ticketId: r.value.ticketId };
    };
    const pattern = [false, false, true, false, true, true, false, true, false, true, true, true, false];
    // One at a time, each ticket's place comes with its issue (the unit of work's read, or the
    // PostgreSQL statement's own snapshot), never from a read after.
    const readAfter = vi.spyOn(server.app.services.ticketStatus, 'placeOf');
    for (const [i, elderly] of pattern.entries()) {
      if (i === 7) await server.app.services.queue.callNext(serviceId, 'Quầy 1', 'staff-test');
      const ticket = await issue(i, elderly);
      // The line as the status page reads it, ordered by the queue policy.
      const line = await server.app.services.ticketStatus.lineOf(serviceId);
      expect(ticket.peopleAhead, `ticket ${i}`).toBe(line.ahead.get(ticket.ticketId));
    }
    expect(readAfter).not.toHaveBeenCalled();
    readAfter.mockRestore();
  });
  it('check-ins at the same moment (one unit of work or several): each ticket counts exactly those issued before it', async () => {
    const serviceId = 'noi-tong-quat';
    const tickets = await Promise.all(
      Array.from({ length: 30 }, async (_, n) => {
        const r = await server.app.services.checkIn.checkIn(
          {
            checkInId: randomUUID(),
            identity: patient(500 + n),
            serviceId,
            priorityClaims: [],
            consent: true,
          },
          null,
        );
        if (!r.ok) throw new Error(r.error.code);
        return r.value.ticket;
      }),
    );
    // Everyone here waits in the normal line: the people ahead are the tickets with lower numbers.
    const byNumber = [...tickets].sort((a, b) => a.number.localeCompare(b.number));
    expect(byNumber.map((t) => t.peopleAhead)).toEqual(byNumber.map((_, i) => i));
  });
  it('every waiting ticket keeps its place through calls, a skip, a completion and transfers; the kept counts match the tickets', async () => {
    const [a, b] = ['san-phu-khoa', 'nhi-khoa'];
    const { checkIn, queue, ticketStatus, db } = server.app.services;
    const issue = async (n: number, serviceId: string, elderly: boolean) => {
      const r = await checkIn.checkIn(
        {
          checkInId: randomUUID(),
          identity: { ...patient(300 + n), dateOfBirth: elderly ? '1941-05-05' : '1990-05-05' },
          serviceId,
          priorityClaims: [],
          consent: true,
        },
        null,
      );
      if (!r.ok) throw new Error(r.error.code);
      return r.value.ticketId;
    };
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(await issue(i, i % 3 === 0 ? b : a, i % 4 === 1));
    const first = await queue.callNext(a, 'Quầy 2', 'staff-test');
    const second = await queue.callNext(a, 'Quầy 2', 'staff-test');
    if (!first || !second) throw new Error('nothing called');
    expect((await queue.skip(first.ticketId, 'staff-test')).ok).toBe(true);
    expect((await queue.complete(second.ticketId, 'staff-test')).ok).toBe(true);
    // A waiting ticket moves from a to b keeping its priority; a later one moves back.
    const moved = ids[4] as string;
    expect((await queue.transfer(moved, b, true, 'staff-test')).ok).toBe(true);
    expect((await queue.transfer(ids[3] as string, a, false, 'staff-test')).ok).toBe(true);
    await queue.callNext(b, 'Quầy 3', 'staff-test');
    for (const serviceId of [a, b]) {
      const line = await ticketStatus.lineOf(serviceId);
      expect(line.ahead.size).toBeGreaterThan(2);
      for (const [ticketId, ahead] of line.ahead)
        expect((await ticketStatus.placeOf(serviceId, ticketId))?.ahead, `${serviceId} ${ticketId}`).toBe(ahead);
    }
    expect(await ticketStatus.placeOf(a, first.ticketId)).toBeUndefined();
    // The trigger-kept counters equal a count of the tickets themselves.
    const kept = await db.kysely
      .selectFrom('queue_waiting')
      .select(['service_id', 'day', 'priority', 'waiting'])
      .execute();
    const counted = await db.kysely
      .selectFrom('tickets')
      .select((eb) => ['service_id', 'day', 'priority', eb.fn.countAll<number | string>().as('n')])
      .where('status', '=', 'waiting')
      .groupBy(['service_id', 'day', 'priority'])
      .execute();
    const key = (r: { service_id: string; day: string; priority: string }) => `${r.service_id} ${r.day} ${r.priority}`;
    expect(
      Object.fromEntries(kept.filter((r) => Number(r.waiting) > 0).map((r) => [key(r), Number(r.waiting)])),
    ).toEqual(Object.fromEntries(counted.map((r) => [key(r), Number(r.n)])));
  });
});
