/**
 * Two server instances on one PostgreSQL database: 50 concurrent kiosk clients split between
 * them issue tickets of one service — every number unique and the series gap-free — and a call
 * made on instance A reaches a display connected to instance B (socket.io PostgreSQL adapter),
 * as do the queue changes a ticket's status page on B follows, told to B in gathered notices.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import type {
  AdminToServerEvents,
  AgentToServerEvents,
  CalledTicket,
  CheckInReceipt,
  FleetAlert,
  Result,
  ServerToAdminEvents,
  ServerToAgentEvents,
  ServerToDisplayEvents,
  ServerToStaffEvents,
  ServerToTicketStatusEvents,
  StaffToServerEvents,
  TicketPublicStatus,
  TicketStatusToServerEvents,
} from '@kiosk/protocol';
import { api, login, startServer, type RunningServer, pairDisplay } from '../support/server-harness';
import { postgresAvailable, startPostgres, type PostgresCluster } from '../support/postgres';
import { enrollAgent } from '../support/server-process';
import { until } from '../support/until';

const CLIENTS = 50;
const PER_CLIENT = 8;

describe.skipIf(!postgresAvailable())('two server instances on one PostgreSQL', () => {
  let pg: PostgresCluster;
  let a: RunningServer;
  let b: RunningServer;
  let url: string;
  const agents: Socket<ServerToAgentEvents, AgentToServerEvents>[] = [];

  beforeAll(async () => {
    pg = await startPostgres({ fsync: false });
    url = await pg.createDatabase('kiosk_scale');
    // A groups concurrent check-ins into one transaction, B commits each alone: both paths share the series.
    a = await startServer({ DATABASE_URL: url, BOOTSTRAP_PAIRING_CODE: 'SCALECODEA12', GROUP_COMMIT: 'on' });
    b = await startServer({ DATABASE_URL: url, BOOTSTRAP_PAIRING_CODE: 'SCALECODEB12', GROUP_COMMIT: 'off' });
    const credentials: string[] = [];
    for (const [server, code] of [
      [a, 'SCALECODEA12'],
      [b, 'SCALECODEB12'],
    ] as const) {
      credentials.push(await enrollAgent(server.url, code, `kiosk-${code}`));
    }
    for (let i = 0; i < CLIENTS; i++) {
      const server = i % 2 === 0 ? a : b;
      const sock: Socket<ServerToAgentEvents, AgentToServerEvents> = io(`${server.url}/agent`, {
        auth: { credential: credentials[i % 2] },
        transports: ['websocket'],
        forceNew: true,
      });
      agents.push(sock);
    }
    await Promise.all(
      agents.map(
        (s) =>
          new Promise<void>((resolve, reject) => {
            s.once('connect', resolve);
            s.once('connect_error', reject);
          }),
      ),
    );
  });
  afterAll(async () => {
    for (const s of agents) s.close();
    await a?.stop();
    await b?.stop();
    await pg?.stop();
  });

  it(`${CLIENTS} concurrent clients on two instances: no duplicate and no gap`, async () => {
    const submit = (sock: (typeof agents)[number], n: number) =>
      new Promise<Result<CheckInReceipt>>((resolve) =>
        sock.emit(
          'checkin:submit',
          {
            checkInId: randomUUID(),
            identity: {
              source: 'cccd-qr',
              idNumber: `0790000${String(n).padStart(5, '0')}`,
              fullName: 'Bệnh Nhân Thử',
              dateOfBirth: '1990-01-01',
            },
            serviceId: 'noi-tong-quat',
            priorityClaims: [],
            consent: true,
          },
          resolve,
        ),
      );
    const results = await Promise.all(
      agents.map(async (sock, i) => {
        const out: Result<CheckInReceipt>[] = [];
        for (let k = 0; k < PER_CLIENT; k++) out.push(await submit(sock, i * PER_CLIENT + k));
        return out;
      }),
    );
    const receipts = results.flat();
    const failures = receipts.filter((r) => !r.ok);
    expect(failures).toEqual([]);
    const numbers = receipts.flatMap((r) => (r.ok ? [r.value.ticket.number] : []));
    expect(numbers).toHaveLength(CLIENTS * PER_CLIENT);
    expect(new Set(numbers).size).toBe(numbers.length);
    const seqs = numbers.map((n) => Number(n.slice(1))).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: CLIENTS * PER_CLIENT }, (_, i) => i + 1));
  });

  it('a call on instance A reaches a display on instance B, and an alert reaches an admin on B', async () => {
    const displayNsp = (s: RunningServer) => s.app.realtime.io.of('/display').adapter;
    await expect.poll(() => displayNsp(a).serverCount(), { timeout: 15_000 }).toBe(2);
    await expect.poll(() => displayNsp(b).serverCount(), { timeout: 15_000 }).toBe(2);
    const display: Socket<ServerToDisplayEvents> = io(`${b.url}/display`, {
      auth: { credential: await pairDisplay(a.url, await login(a.url, 'admin', 'admin-demo')) },
      transports: ['websocket'],
    });
    await new Promise<void>((resolve) => display.once('connect', () => resolve()));
    const heard = new Promise<CalledTicket>((resolve) => display.on('call:announced', resolve));

    const adminB: Socket<ServerToAdminEvents, AdminToServerEvents> = io(`${b.url}/admin`, {
      auth: { token: await login(b.url, 'admin', 'admin-demo') },
      transports: ['websocket'],
    });
    await new Promise<void>((resolve) => adminB.once('connect', () => resolve()));
    const alert = new Promise<FleetAlert>((resolve) => adminB.on('alert:changed', resolve));
    await expect.poll(() => b.app.realtime.io.of('/admin').adapter.serverCount(), { timeout: 15_000 }).toBe(2);

    const token = await login(a.url, 'tiepdon', 'tiepdon-demo');
    const call = await api<CalledTicket>(a.url, token, 'POST', '/api/queue/call-next', {
      serviceId: 'noi-tong-quat',
      counter: '7',
    });
    // The earliest issued of the tickets above (issue time orders the queue, so a ticket numbered
    // later but issued a moment earlier by a concurrent check-in may come first).
    const number = call.body.value?.number;
    expect(number).toMatch(/^A\d{3}$/u);
    expect(await heard).toMatchObject({ number, counter: '7', room: '101' });

    await a.app.services.alerts.setEmrDeliveryFailing(true, 'timeout');
    expect(await alert).toMatchObject({ kind: 'emr-delivery-failing', subject: 'server' });
    display.close();
    adminB.close();
  });

  it('events reach another instance in the order they were emitted', async () => {
    const staffB: Socket<ServerToStaffEvents, StaffToServerEvents> = io(`${b.url}/staff`, {
      auth: { token: await login(b.url, 'xem', 'xem-demo') },
      transports: ['websocket'],
    });
    await new Promise<void>((resolve) => staffB.once('connect', () => resolve()));
    const seen: string[] = [];
    staffB.on('ticket:changed', (e) => seen.push(`${e.number}:${e.status}`));
    const token = await login(a.url, 'tiepdon', 'tiepdon-demo');
    const expected: string[] = [];
    for (let i = 0; i < 10; i++) {
      const call = await api<CalledTicket>(a.url, token, 'POST', '/api/queue/call-next', {
        serviceId: 'noi-tong-quat',
        counter: '8',
      });
      const ticket = call.body.value;
      if (!ticket) throw new Error('nobody waiting');
      // Not awaited one by one: the completions are emitted back to back.
      void api(a.url, token, 'POST', `/api/queue/tickets/${ticket.ticketId}/complete`);
      expected.push(`${ticket.number}:called`, `${ticket.number}:completed`);
    }
    await expect.poll(() => seen.length, { timeout: 10_000 }).toBe(expected.length);
    for (const n of new Set(expected.map((e) => e.split(':')[0])))
      expect(seen.filter((e) => e.startsWith(`${n}:`))).toEqual([`${n}:called`, `${n}:completed`]);
    staffB.close();
  });

  it('a status page on instance B follows check-ins and a call on A; B is told of them in a few gathered notices', async () => {
    const { default: pgClient } = await import('pg');
    const token = await login(a.url, 'tiepdon', 'tiepdon-demo');
    const nsp = (x: RunningServer) => x.app.realtime.io.of('/ticket-status').adapter;
    await expect.poll(() => nsp(b).serverCount(), { timeout: 15_000 }).toBe(2);
    // An empty line first, so the watched ticket is the first of the service's waiting tickets.
    for (;;) {
      const call = await api<CalledTicket | null>(a.url, token, 'POST', '/api/queue/call-next', {
        serviceId: 'tai-mui-hong',
        counter: '9',
      });
      if (!call.body.value) break;
    }
    const agent = agents[0];
    if (!agent) throw new Error('no agent');
    const checkIn = (n: number) =>
      new Promise<Result<CheckInReceipt>>((resolve) =>
        agent.emit(
          'checkin:submit',
          {
            checkInId: randomUUID(),
            identity: {
              source: 'cccd-qr',
              idNumber: `0791000${String(n).padStart(5, '0')}`,
              fullName: 'Bệnh Nhân Thử',
              dateOfBirth: '1990-01-01',
            },
            serviceId: 'tai-mui-hong',
            priorityClaims: [],
            consent: true,
          },
          resolve,
        ),
      );
    const mine = await checkIn(0);
    if (!mine.ok) throw new Error(mine.error.code);
    const page: Socket<ServerToTicketStatusEvents, TicketStatusToServerEvents> = io(`${b.url}/ticket-status`, {
      transports: ['websocket'],
      forceNew: true,
    });
    const updates: TicketPublicStatus[] = [];
    page.on('status:changed', (x) => updates.push(x));
    const first = await new Promise<Result<TicketPublicStatus>>((resolve) =>
      page.emit('status:watch', { code: mine.value.ticket.lookupCode }, resolve),
    );
    expect(first).toMatchObject({ ok: true, value: { state: 'waiting', ahead: 0 } });

    // Every notice on the namespace's channel, counted while 30 check-ins change the line on A.
    const listener = new pgClient.Client({ connectionString: url });
    await listener.connect();
    let notices = 0;
    listener.on('notification', () => (notices += 1));
    await listener.query('LISTEN "socket.io#/ticket-status"');
    const heardBefore = updates.length;
    const started = performance.now();
    const issued = await Promise.all(Array.from({ length: 30 }, (_, i) => checkIn(i + 1)));
    expect(issued.filter((r) => !r.ok)).toEqual([]);
    // B re-reads the line when told, and tells the page (whose place stays first).
    await until(() => updates.length > heardBefore);
    expect(updates.at(-1)).toMatchObject({ state: 'waiting', ahead: 0 });

    const call = await api<CalledTicket>(a.url, token, 'POST', '/api/queue/call-next', {
      serviceId: 'tai-mui-hong',
      counter: '9',
    });
    expect(call.body.value?.number).toBe(mine.value.ticket.number);
    await until(() => updates.at(-1)?.state === 'called');
    expect(updates.at(-1)).toMatchObject({ state: 'called', calledTo: '9' });
    const elapsedMs = performance.now() - started;
    await listener.end();
    // 31 changes of the line, told to B gathered: at most one notice per 50 ms window that saw a
    // change, and the adapter's heartbeats (one per instance every 5 s); one per change before.
    const windows = Math.ceil(elapsedMs / 50) + 1;
    const heartbeats = 2 * (Math.ceil(elapsedMs / 5000) + 1);
    expect(notices).toBeGreaterThan(0);
    expect(notices).toBeLessThanOrEqual(Math.min(31, windows) + heartbeats);
    page.close();
  });
});
