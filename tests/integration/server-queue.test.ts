import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import type {
  CalledTicket,
  Identity,
  QueueEntry,
  Result,
  ServerToDisplayEvents,
  ServerToStaffEvents,
  ServiceWait,
  StaffToServerEvents,
  TransferResult,
  VisitHistory,
} from '@kiosk/protocol';
import {
  api,
  checkInWith,
  databaseKinds,
  databaseUrl,
  login,
  startServer,
  stopDatabases,
  type RunningServer,
  pairDisplay,
} from '../support/server-harness';

const adult = (n: number): Identity => ({
  source: 'cccd-qr',
  idNumber: `0791880${String(10000 + n).slice(-5)}`,
  fullName: 'Trần Văn Bình',
  dateOfBirth: '1980-01-01',
});
const elderly: Identity = { source: 'manual', fullName: 'Lê Thị Cúc', dateOfBirth: '1940-05-05' };
const child: Identity = {
  source: 'manual',
  fullName: 'Phạm Minh An',
  dateOfBirth: new Date().toISOString().slice(0, 4),
};

afterAll(() => stopDatabases());

describe.each(databaseKinds)('queue operations (%s)', (kind) => {
  let server: RunningServer;
  let reception: string;
  let viewer: string;

  beforeAll(async () => {
    server = await startServer({
      ...(await databaseUrl(kind)),
      NO_SHOW_AFTER_SKIPS: '2',
      PRIORITY_CLASSES: 'elderly-75',
      PRIORITY_RATIO: '1',
    });
    reception = await login(server.url, 'tiepdon', 'tiepdon-demo');
    viewer = await login(server.url, 'xem', 'xem-demo');
  });
  afterAll(() => server?.stop());

  const issue = (identity: Identity, serviceId: string) => checkInWith(server, identity, serviceId);
  const callNext = async (serviceId: string) =>
    (await api<CalledTicket | null>(server.url, reception, 'POST', '/api/queue/call-next', { serviceId, counter: '2' }))
      .body.value;
  const act = <T>(ticketId: string, verb: string, body: unknown = {}, token = reception) =>
    api<T>(server.url, token, 'POST', `/api/queue/tickets/${ticketId}/${verb}`, body);

  it('calls by configured priority classes with the interleave ratio', async () => {
    const n1 = await issue(adult(1), 'tai-mui-hong');
    const c = await issue(child, 'tai-mui-hong');
    const e = await issue(elderly, 'tai-mui-hong');
    const n2 = await issue(adult(2), 'tai-mui-hong');
    expect(c.ticket.priority).toBe('child-under-6');
    const order: string[] = [];
    for (let i = 0; i < 4; i++) order.push((await callNext('tai-mui-hong'))?.ticketId ?? 'none');
    // Only elderly-75 is a priority class here: the child is called in issue order with the normal line.
    expect(order).toEqual([e.ticketId, n1.ticketId, c.ticketId, n2.ticketId]);
    expect(await callNext('tai-mui-hong')).toBeNull();
  });

  it('a line of priority tickets only, then of normal ones only, is called whole in order; then nobody', async () => {
    const serviceId = 'san-phu-khoa';
    const e1 = await issue(elderly, serviceId);
    const e2 = await issue({ ...elderly, fullName: 'Lê Thị Đào' }, serviceId);
    expect([(await callNext(serviceId))?.ticketId, (await callNext(serviceId))?.ticketId]).toEqual([
      e1.ticketId,
      e2.ticketId,
    ]);
    expect(await callNext(serviceId)).toBeNull();
    const n1 = await issue(adult(21), serviceId);
    const n2 = await issue(adult(22), serviceId);
    expect([(await callNext(serviceId))?.ticketId, (await callNext(serviceId))?.ticketId]).toEqual([
      n1.ticketId,
      n2.ticketId,
    ]);
    expect(await callNext(serviceId)).toBeNull();
  });

  it('recall announces again on the display; skip twice makes a no-show', async () => {
    const t = await issue(adult(3), 'noi-tong-quat');
    const display: Socket<ServerToDisplayEvents> = io(`${server.url}/display`, {
      auth: { credential: await pairDisplay(server.url, await login(server.url, 'admin', 'admin-demo')) },
      transports: ['websocket'],
    });
    await new Promise<void>((resolve) => display.once('connect', () => resolve()));
    const heard: CalledTicket[] = [];
    display.on('call:announced', (c) => heard.push(c));
    const called = await callNext('noi-tong-quat');
    expect(called?.ticketId).toBe(t.ticketId);
    const recalled = await act<CalledTicket>(t.ticketId, 'recall', { counter: '5' });
    expect(recalled.status).toBe(200);
    expect(recalled.body.value).toMatchObject({ number: t.ticket.number, counter: '5', room: '101' });
    const skipped = await act<QueueEntry>(t.ticketId, 'skip');
    expect(skipped.body.value?.status).toBe('skipped');
    expect((await act(t.ticketId, 'skip')).status).toBe(409);
    expect((await act(t.ticketId, 'recall')).status).toBe(200);
    const noShow = await act<QueueEntry>(t.ticketId, 'skip');
    expect(noShow.body.value?.status).toBe('no-show');
    expect((await act(t.ticketId, 'recall')).status).toBe(409);
    await expect.poll(() => heard.length).toBe(3);
    expect(heard.every((c) => c.ticketId === t.ticketId)).toBe(true);
    expect(JSON.stringify(heard)).not.toMatch(/Bình|079188/u);
    display.close();

    const history = await api<VisitHistory>(server.url, viewer, 'GET', `/api/queue/tickets/${t.ticketId}/history`);
    const types = history.body.value?.tickets[0]?.events.map((e) => e.type);
    expect(types).toEqual(['issued', 'called', 'recalled', 'skipped', 'recalled', 'skipped', 'no-show']);
  });

  it('transfers a visit reception → clinic → lab, keeping its history', async () => {
    const t = await issue(elderly, 'noi-tong-quat');
    await callNext('noi-tong-quat');
    const first = await act<TransferResult>(t.ticketId, 'transfer', { targetServiceId: 'tai-mui-hong' });
    expect(first.status).toBe(200);
    const moved = first.body.value;
    if (!moved) throw new Error('transfer failed');
    expect(moved.from.status).toBe('transferred');
    expect(moved.to).toMatchObject({ serviceId: 'tai-mui-hong', status: 'waiting', priority: 'elderly-75' });
    expect(moved.to.number).toMatch(/^C\d{3}$/u);
    const call = await callNext('tai-mui-hong');
    expect(call?.ticketId).toBe(moved.to.ticketId);
    const second = await act<TransferResult>(moved.to.ticketId, 'transfer', {
      targetServiceId: 'san-phu-khoa',
      keepPriority: false,
    });
    const last = second.body.value?.to;
    if (!last) throw new Error('second transfer failed');
    expect(last.priority).toBe('normal');
    await callNext('san-phu-khoa');
    expect((await act<QueueEntry>(last.ticketId, 'complete')).body.value?.status).toBe('completed');
    const history = await api<VisitHistory>(server.url, viewer, 'GET', `/api/queue/tickets/${last.ticketId}/history`);
    const v = history.body.value;
    expect(v?.visitId).toBe(t.visitId);
    expect(v?.tickets.map((x) => [x.serviceId, x.status])).toEqual([
      ['noi-tong-quat', 'transferred'],
      ['tai-mui-hong', 'transferred'],
      ['san-phu-khoa', 'completed'],
    ]);
    expect(v?.tickets[0]?.events.at(-1)).toMatchObject({ type: 'transferred', detail: moved.to.ticketId });
  });

  it('refuses unknown tickets and services, and viewers', async () => {
    expect((await act('no-such-ticket', 'complete')).status).toBe(404);
    const t = await issue(adult(4), 'nhi-khoa');
    expect((await act(t.ticketId, 'transfer', { targetServiceId: 'nope' })).body.error?.code).toBe('unknown-service');
    expect((await act(t.ticketId, 'complete', {}, viewer)).status).toBe(403);
    expect((await act(t.ticketId, 'complete')).body.error?.code).toBe('invalid-transition');
  });

  it('estimates waits per service', async () => {
    const r = await api<ServiceWait[]>(server.url, viewer, 'GET', '/api/queue/estimates');
    const nhi = r.body.value?.find((w) => w.serviceId === 'nhi-khoa');
    expect(nhi).toMatchObject({ waiting: 1, basis: 'default', paceMs: 300_000, estimatedWaitMs: 300_000 });
    const tmh = r.body.value?.find((w) => w.serviceId === 'tai-mui-hong');
    expect(tmh?.basis).toBe('recent-calls');
  });

  it('staff sockets: callers act, viewers are refused, changes are broadcast', async () => {
    const connect = (token: string) => {
      const sock: Socket<ServerToStaffEvents, StaffToServerEvents> = io(`${server.url}/staff`, {
        auth: { token },
        transports: ['websocket'],
      });
      return new Promise<typeof sock>((resolve, reject) => {
        sock.once('connect', () => resolve(sock));
        sock.once('connect_error', reject);
      });
    };
    const rec = await connect(reception);
    const view = await connect(viewer);
    const t = await issue(adult(5), 'nhi-khoa');
    const changed = new Promise<QueueEntry>((resolve) =>
      view.on('ticket:changed', (e) => e.ticketId === t.ticketId && e.status === 'completed' && resolve(e)),
    );
    const emit = <T>(sock: typeof rec, event: keyof StaffToServerEvents, payload: unknown) =>
      new Promise<Result<T>>((resolve) =>
        (sock.emit as (e: string, p: unknown, ack: (r: Result<T>) => void) => void)(event, payload, resolve),
      );
    const forbidden = await emit(view, 'queue:call-next', { serviceId: 'nhi-khoa', counter: '1' });
    expect(forbidden.ok ? 'ok' : forbidden.error.code).toBe('forbidden');
    let ticket: CalledTicket | null = null;
    for (let i = 0; i < 3 && ticket?.ticketId !== t.ticketId; i++) {
      const r = await emit<CalledTicket | null>(rec, 'queue:call-next', { serviceId: 'nhi-khoa', counter: '1' });
      ticket = r.ok ? r.value : null;
    }
    expect(ticket?.ticketId).toBe(t.ticketId);
    const done = await emit<QueueEntry>(rec, 'queue:complete', { ticketId: t.ticketId });
    expect(done.ok).toBe(true);
    expect((await changed).status).toBe('completed');
    const est = await emit<ServiceWait[]>(view, 'queue:estimate', {});
    expect(est.ok).toBe(true);
    rec.close();
    view.close();
  });
});
