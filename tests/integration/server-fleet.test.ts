import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import type {
  AdminToServerEvents,
  AgentToServerEvents,
  DeviceHealth,
  FleetAlert,
  Result,
  ServerToAdminEvents,
  ServerToAgentEvents,
  ServerToStaffEvents,
  StaffToServerEvents,
} from '@kiosk/protocol';
import {
  api,
  databaseKinds,
  databaseUrl,
  login,
  startServer,
  stopDatabases,
  type RunningServer,
} from '../support/server-harness';
import { agentEnrolment, connectAgents, type AgentSocket } from '../support/server-process';

afterAll(() => stopDatabases());

const device = (cls: DeviceHealth['class'], state: DeviceHealth['state'], reason?: string): DeviceHealth => ({
  id: `${cls}-1`,
  class: cls,
  profileId: 'generic',
  state,
  ...(reason ? { reason } : {}),
  counters: {},
  changedAt: new Date().toISOString(),
});

describe.each(databaseKinds)('kiosk fleet alerts and revocation (%s)', (kind) => {
  let server: RunningServer;
  let admin: string;
  let agentId: string;
  let agent: Socket<ServerToAgentEvents, AgentToServerEvents>;
  /** The admin on /admin, and the same admin on /staff (where fleet alerts are not sent). */
  let adminSocket: Socket<ServerToAdminEvents, AdminToServerEvents>;
  let adminStaffSocket: Socket<ServerToStaffEvents, StaffToServerEvents>;
  let receptionSocket: Socket<ServerToStaffEvents, StaffToServerEvents>;
  const heardByAdmin: FleetAlert[] = [];
  const heardOnStaff: unknown[] = [];
  let nowMs = Date.now();
  const clock = { now: () => new Date(nowMs) };

  const connect = async <S extends Socket>(nsp: '/staff' | '/admin', token: string) => {
    const sock = io(`${server.url}${nsp}`, { auth: { token }, transports: ['websocket'], forceNew: true }) as S;
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', resolve);
      sock.once('connect_error', reject);
    });
    return sock;
  };

  beforeAll(async () => {
    server = await startServer(
      { ...(await databaseUrl(kind)), BOOTSTRAP_PAIRING_CODE: 'FLEETCODE123', ALERT_SWEEP_INTERVAL_MS: '100' },
      { clock },
    );
    admin = await login(server.url, 'admin', 'admin-demo');
    const enrolled = await agentEnrolment(server.url, 'FLEETCODE123', 'kiosk-sanh-a');
    agentId = enrolled.agentId;
    [agent] = (await connectAgents(server.url, enrolled.credential, 1)) as [AgentSocket];
    adminSocket = await connect<typeof adminSocket>('/admin', admin);
    adminStaffSocket = await connect<typeof adminStaffSocket>('/staff', admin);
    receptionSocket = await connect<typeof receptionSocket>(
      '/staff',
      await login(server.url, 'tiepdon', 'tiepdon-demo'),
    );
    adminSocket.on('alert:changed', (a) => heardByAdmin.push(a));
    // Whatever else /staff carries (tickets), no alert may ride on it.
    for (const s of [adminStaffSocket, receptionSocket])
      s.onAny((event: string, payload: unknown) => {
        if (event.startsWith('alert')) heardOnStaff.push(payload);
      });
  });
  afterAll(async () => {
    agent?.close();
    adminSocket?.close();
    adminStaffSocket?.close();
    receptionSocket?.close();
    await server?.stop();
  });

  const heartbeat = (devices: DeviceHealth[]) =>
    new Promise<Result<null>>((resolve) =>
      agent.emit('heartbeat:send', { softwareVersion: '1.0.0', uptimeSec: 10, devices }, resolve),
    );
  const openAlerts = async () =>
    (await api<FleetAlert[]>(server.url, admin, 'GET', '/api/admin/alerts')).body.value ?? [];

  it('raises and resolves device alerts from heartbeats, and tells admins only (on /admin)', async () => {
    await heartbeat([device('printer', 'degraded', 'paper-near-end'), device('card-reader', 'ready')]);
    expect((await openAlerts()).map((a) => [a.kind, a.subject, a.deviceId])).toEqual([
      ['printer-paper-near-end', agentId, 'printer-1'],
    ]);
    await heartbeat([device('printer', 'error', 'paper-out'), device('card-reader', 'disconnected')]);
    const open = await openAlerts();
    expect(open.map((a) => a.kind).sort()).toEqual(['printer-paper-out', 'reader-disconnected']);
    expect(open.find((a) => a.kind === 'printer-paper-out')?.severity).toBe('critical');
    await heartbeat([device('printer', 'ready'), device('card-reader', 'ready'), device('scanner', 'disconnected')]);
    expect((await openAlerts()).map((a) => a.kind)).toEqual(['scanner-disconnected']);
    await heartbeat([device('scanner', 'ready')]);
    expect(await openAlerts()).toEqual([]);
    await expect.poll(() => heardByAdmin.length).toBe(8);
    expect(heardByAdmin.filter((a) => a.resolvedAt === null).map((a) => a.kind)).toEqual([
      'printer-paper-near-end',
      'printer-paper-out',
      'reader-disconnected',
      'scanner-disconnected',
    ]);
    const all = (await api<FleetAlert[]>(server.url, admin, 'GET', '/api/admin/alerts?includeResolved=true')).body
      .value;
    expect(all?.every((a) => a.resolvedAt !== null && a.since <= a.resolvedAt)).toBe(true);
    expect(heardOnStaff).toEqual([]);
  });

  it('raises kiosk-offline after 60 s of silence, since the last heartbeat, and clears it on the next', async () => {
    const lastSeen = clock.now().toISOString();
    await heartbeat([]);
    nowMs += 61_000;
    await expect
      .poll(async () => (await openAlerts()).map((a) => a.kind), { timeout: 5000 })
      .toEqual(['kiosk-offline']);
    const offline = (await openAlerts())[0];
    expect(offline?.since.slice(0, 19)).toBe(lastSeen.slice(0, 19));
    await heartbeat([]);
    expect(await openAlerts()).toEqual([]);
  });

  it('exposes a hook for EMR delivery failures', async () => {
    await server.app.services.alerts.setEmrDeliveryFailing(true, 'http-503');
    await server.app.services.alerts.setEmrDeliveryFailing(true, 'http-503');
    expect((await openAlerts()).map((a) => [a.kind, a.subject, a.detail])).toEqual([
      ['emr-delivery-failing', 'server', 'http-503'],
    ]);
    await server.app.services.alerts.setEmrDeliveryFailing(false);
    expect(await openAlerts()).toEqual([]);
  });

  it('lists alerts over /admin (open ones, or all when asked); /staff has no such command', async () => {
    const ask = (query: { includeResolved?: boolean }) =>
      new Promise<Result<FleetAlert[]>>((resolve) => adminSocket.emit('alerts:list', query, resolve));
    const open = await ask({});
    expect(open.ok && open.value).toEqual([]);
    const all = await ask({ includeResolved: true });
    const ids = new Set(all.ok ? all.value.map((a) => a.id) : []);
    expect(heardByAdmin.filter((a) => !ids.has(a.id))).toEqual([]);
    const invalid = await ask({ includeResolved: 'yes' as unknown as boolean });
    expect(invalid.ok ? 'ok' : invalid.error.code).toBe('validation-failed');
    // An event /staff does not know gets no answer at all: the command moved to /admin.
    const untyped = receptionSocket as unknown as Socket;
    const answer = await untyped
      .timeout(500)
      .emitWithAck('alerts:list', {})
      .catch(() => 'no answer');
    expect(answer).toBe('no answer');
  });

  it('revoking a credential disconnects the kiosk and refuses it afterwards', async () => {
    const revoked = new Promise<{ agentId: string }>((resolve) => agent.once('credential:revoked', resolve));
    const disconnected = new Promise<string>((resolve) => agent.once('disconnect', resolve));
    const r = await api(server.url, admin, 'POST', `/api/admin/agents/${agentId}/revoke`);
    expect(r.status).toBe(200);
    expect((await revoked).agentId).toBe(agentId);
    expect(await disconnected).toBe('io server disconnect');
    agent.connect();
    const error = await new Promise<Error>((resolve) => agent.once('connect_error', resolve));
    expect(error.message).toBe('unauthorized');
    expect((await api(server.url, admin, 'POST', '/api/admin/agents/nope/revoke')).status).toBe(404);
  });
});
