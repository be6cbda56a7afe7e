/**
 * Authorization over the whole surface: every HTTP route Fastify registered and every socket
 * namespace and /staff and /admin command refuses an unauthenticated caller and a caller of the
 * wrong role. Exceptions: health, readiness, login, kiosk enrollment, display pairing and static
 * pages; /display admits a paired display's credential only.
 * The expected roles are written in support/route-access.ts, independently of the protocol's role table (which the
 * server enforces and the staff pages read), and the two are compared so neither can drift. The
 * commands checked are enumerated from the protocol's command tables, so a new command is checked
 * as soon as it is declared.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import * as serverPackage from '@kiosk/server';
import {
  accessGroups,
  adminCommandRoles,
  adminCommands,
  routeRoles,
  staffCommandRoles,
  staffCommands,
  staffRoles,
  type Result,
} from '@kiosk/protocol';
import { api, login, pairDisplay, startServer, type RunningServer } from '../support/server-harness';
import {
  ADMIN,
  AGENT_ROUTES,
  ALL,
  CALLERS,
  PUBLIC,
  asGet,
  concrete,
  expectedRoles,
  isStaticPage,
  protectedRoutesOf,
  type Role,
} from '../support/route-access';

describe('authorization of every route, namespace and command', () => {
  let server: RunningServer;
  const tokens = {} as Record<Role, string>;
  let credential = '';

  beforeAll(async () => {
    server = await startServer({ BOOTSTRAP_PAIRING_CODE: 'AUTHZCODE123' });
    tokens.admin = await login(server.url, 'admin', 'admin-demo');
    tokens.reception = await login(server.url, 'tiepdon', 'tiepdon-demo');
    tokens.clinic = await login(server.url, 'phongkham', 'phongkham-demo');
    tokens.viewer = await login(server.url, 'xem', 'xem-demo');
    const enrolled = await api<{ credential: string }>(server.url, undefined, 'POST', '/api/agents/enroll', {
      pairingCode: 'AUTHZCODE123',
      name: 'authz-kiosk',
    });
    credential = enrolled.body.value?.credential ?? '';
  });
  afterAll(() => server?.stop());

  const protectedRoutes = () => protectedRoutesOf(server.app.routes);

  it("the protocol's role table says what this suite expects, and the server enforces that table", () => {
    expect([...staffRoles]).toEqual(ALL);
    expect(Object.fromEntries(Object.entries(accessGroups).map(([k, v]) => [k, [...v]]))).toEqual({
      staff: ALL,
      callers: CALLERS,
      counter: ['admin', 'reception'],
      admin: ADMIN,
    });
    expect(Object.fromEntries(Object.entries(routeRoles).map(([k, v]) => [k, [...v]]))).toEqual({
      'queue-read': expectedRoles('GET', '/api/queue'),
      'queue-act': expectedRoles('POST', '/api/queue/call-next'),
      patients: expectedRoles('GET', '/api/patients/x-1'),
      counter: expectedRoles('POST', '/api/counter/check-ins'),
      admin: expectedRoles('GET', '/api/admin/users'),
      'fleet-manage': expectedRoles('POST', '/api/admin/agents/x-1/restart'),
      'identity-conflicts': expectedRoles('GET', '/api/identity-conflicts'),
      'identity-conflict-resolve': expectedRoles('POST', '/api/identity-conflicts/x-1/resolve'),
    });
    expect(serverPackage.staffCommandRoles).toBe(staffCommandRoles);
    expect(serverPackage.adminCommandRoles).toBe(adminCommandRoles);
  });

  it('the server declares the same roles as this suite expects', () => {
    const declared = server.app.api.filter((r) => Array.isArray(r.access));
    for (const r of declared)
      expect([`${r.method} ${r.url}`, r.access]).toEqual([`${r.method} ${r.url}`, expectedRoles(r.method, r.url)]);
    const publicDeclared = server.app.api.filter((r) => r.access === 'public').map((r) => `${r.method} ${r.url}`);
    for (const p of publicDeclared)
      expect(PUBLIC.has(p) || isStaticPage(p.split(' ')[0] ?? '', p.split(' ')[1] ?? '')).toBe(true);
  });

  it('every protected HTTP route refuses a caller without a session, or with a bad one', async () => {
    const routes = protectedRoutes();
    expect(routes.length).toBeGreaterThan(35);
    const failures: string[] = [];
    for (const r of routes) {
      for (const token of [undefined, 'not-a-session-token', credential]) {
        const res = await fetch(`${server.url}${concrete(r.url)}`, {
          method: r.method,
          headers: token ? { authorization: `Bearer ${token}` } : {},
        });
        if (res.status !== 401)
          failures.push(`${r.method} ${r.url} with ${token ? 'a bad token' : 'nothing'}: ${res.status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('every protected HTTP route refuses each role it does not admit', async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const r of protectedRoutes()) {
      const allowed = expectedRoles(asGet(r.method), r.url);
      for (const role of ALL.filter((x) => !allowed.includes(x))) {
        checked += 1;
        const res = await fetch(`${server.url}${concrete(r.url)}`, {
          method: r.method,
          headers: { authorization: `Bearer ${tokens[role]}` },
        });
        if (res.status !== 403) failures.push(`${r.method} ${r.url} as ${role}: ${res.status}`);
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(40);
  });

  it('kiosk routes admit only a kiosk credential', async () => {
    const agentDeclared = server.app.api.filter((r) => r.access === 'agent').map((r) => `${r.method} ${r.url}`);
    expect(agentDeclared.sort()).toEqual([...AGENT_ROUTES].sort());
    for (const route of AGENT_ROUTES) {
      const [method = 'GET', url = ''] = route.split(' ');
      for (const token of [undefined, 'not-a-credential', tokens.admin]) {
        const res = await fetch(`${server.url}${concrete(url)}`, {
          method,
          headers: token ? { authorization: `Bearer ${token}` } : {},
        });
        expect([route, res.status]).toEqual([route, 401]);
      }
      const kiosk = await fetch(`${server.url}${concrete(url)}`, {
        method,
        headers: { authorization: `Bearer ${credential}` },
      });
      expect([route, kiosk.status]).toEqual([route, 404]);
    }
  });

  it('public routes answer without a session', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    expect((await api(server.url, undefined, 'POST', '/api/auth/login', {})).status).toBe(400);
    expect((await api(server.url, undefined, 'POST', '/api/agents/enroll', {})).status).toBe(400);
    // Unsigned: refused by the signature check, not by a session check.
    const unsigned = await api(server.url, undefined, 'POST', '/api/payments/bank-notifications', {});
    expect([unsigned.status, unsigned.body.error?.code]).toEqual([401, 'bad-signature']);
  });

  /** Connects with handshake `auth`, or with the session cookie when `cookie` is given. */
  const connect = (nsp: string, auth: Record<string, string>, cookie?: string) =>
    new Promise<{ socket: Socket; error?: string }>((resolve) => {
      const socket = io(`${server.url}${nsp}`, {
        auth,
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        ...(cookie ? { extraHeaders: { cookie: `kiosk_sid=${cookie}` } } : {}),
      });
      socket.once('connect', () => resolve({ socket }));
      socket.once('connect_error', (e) => resolve({ socket, error: e.message }));
    });

  it('/agent admits only a kiosk credential, /staff a staff session, /admin an admin session, /display a display credential', async () => {
    type Outcome = 'connected' | 'unauthorized' | 'forbidden';
    const displayCredential = await pairDisplay(server.url, tokens.admin);
    const cases: [string, Record<string, string>, Outcome, string?][] = [
      ['/agent', {}, 'unauthorized'],
      ['/agent', { credential: 'x.y' }, 'unauthorized'],
      ['/agent', { credential: tokens.admin }, 'unauthorized'],
      ['/agent', { token: tokens.admin }, 'unauthorized'],
      ['/agent', { credential }, 'connected'],
      ['/staff', {}, 'unauthorized'],
      ['/staff', { token: 'nope' }, 'unauthorized'],
      ['/staff', { token: credential }, 'unauthorized'],
      ['/staff', { credential }, 'unauthorized'],
      ['/staff', { token: tokens.viewer }, 'connected'],
      ['/staff', {}, 'connected', tokens.viewer],
      ['/admin', {}, 'unauthorized'],
      ['/admin', { token: 'nope' }, 'unauthorized'],
      ['/admin', {}, 'unauthorized', 'nope'],
      ['/admin', { token: credential }, 'unauthorized'],
      ['/admin', { credential }, 'unauthorized'],
      ['/admin', { token: tokens.reception }, 'forbidden'],
      ['/admin', { token: tokens.clinic }, 'forbidden'],
      ['/admin', { token: tokens.viewer }, 'forbidden'],
      ['/admin', {}, 'forbidden', tokens.viewer],
      ['/admin', { token: tokens.admin }, 'connected'],
      ['/admin', {}, 'connected', tokens.admin],
      ['/display', {}, 'unauthorized'],
      ['/display', { credential }, 'unauthorized'],
      ['/display', { token: tokens.admin }, 'unauthorized'],
      ['/display', { credential: displayCredential }, 'connected'],
    ];
    const failures: string[] = [];
    for (const [nsp, auth, expected, cookie] of cases) {
      const { socket, error } = await connect(nsp, auth, cookie);
      const outcome = error ?? 'connected';
      const role = ALL.find((r) => tokens[r] === (auth['token'] ?? cookie));
      const how = `${Object.keys(auth).join() || 'nothing'}${cookie ? ' + cookie' : ''}${role ? ` (${role})` : ''}`;
      if (outcome !== expected) failures.push(`${nsp} with ${how}: ${outcome}, expected ${expected}`);
      socket.close();
    }
    expect(failures).toEqual([]);
  });

  it('every /staff command refuses each role it does not admit, and the table covers every handler', async () => {
    const sockets = {} as Record<Role, Socket>;
    for (const role of ALL) {
      const { socket, error } = await connect('/staff', { token: tokens[role] });
      expect(error).toBeUndefined();
      sockets[role] = socket;
    }
    // The handlers the server actually registered on a connected /staff socket.
    const serverSide = [...server.app.realtime.io.of('/staff').sockets.values()][0];
    // socket.io's own 'error' listener aside.
    const handlers = (serverSide?.eventNames() ?? [])
      .map(String)
      .filter((e) => e !== 'error')
      .sort();
    expect(handlers).toEqual(Object.keys(staffCommands).sort());
    const expected: Record<keyof typeof staffCommands, Role[]> = {
      'queue:list': ALL,
      'queue:estimate': ALL,
      'visit:get-history': ALL,
      'queue:call-next': CALLERS,
      'queue:recall': CALLERS,
      'queue:skip': CALLERS,
      'queue:complete': CALLERS,
      'queue:transfer': CALLERS,
    };
    expect(Object.fromEntries(Object.entries(staffCommandRoles).map(([k, v]) => [k, [...v]]))).toEqual(expected);
    const failures: string[] = [];
    for (const event of Object.keys(staffCommands) as (keyof typeof staffCommands)[]) {
      for (const role of ALL.filter((r) => !expected[event].includes(r))) {
        const r = await new Promise<Result<unknown>>((resolve) =>
          sockets[role].emit(
            event,
            { ticketId: 'x', serviceId: 'nhi-khoa', counter: '1', targetServiceId: 'x' },
            resolve,
          ),
        );
        if (r.ok || r.error.code !== 'forbidden') failures.push(`${event} as ${role}`);
      }
    }
    expect(failures).toEqual([]);
    for (const s of Object.values(sockets)) s.close();
  });

  it('every /admin command answers an admin, and the namespace has no other handler', async () => {
    const { socket, error } = await connect('/admin', { token: tokens.admin });
    expect(error).toBeUndefined();
    const serverSide = [...server.app.realtime.io.of('/admin').sockets.values()][0];
    const handlers = (serverSide?.eventNames() ?? [])
      .map(String)
      .filter((e) => e !== 'error')
      .sort();
    // Non-admins never get this far: the handshake refuses them (above).
    const expected: Record<keyof typeof adminCommands, Role[]> = { 'alerts:list': ADMIN };
    expect(handlers).toEqual(Object.keys(adminCommands).sort());
    expect(Object.fromEntries(Object.entries(adminCommandRoles).map(([k, v]) => [k, [...v]]))).toEqual(expected);
    for (const event of Object.keys(adminCommands)) {
      const r = await new Promise<Result<unknown>>((resolve) => socket.emit(event, {}, resolve));
      expect([event, r.ok]).toEqual([event, true]);
    }
    socket.close();
  });

  it('/admin re-reads the session on each command: a logout or a role change closes the socket', async () => {
    const listAlerts = (s: Socket) =>
      new Promise<Result<unknown>>((resolve) => s.emit('alerts:list', { includeResolved: true }, resolve));
    const ended = async (s: Socket) => {
      const closed = new Promise<string>((resolve) => s.once('disconnect', resolve));
      const r = await listAlerts(s);
      return [r.ok ? 'ok' : r.error.code, await closed];
    };

    const session = await login(server.url, 'admin', 'admin-demo');
    const loggedOut = (await connect('/admin', { token: session })).socket;
    expect((await listAlerts(loggedOut)).ok).toBe(true);
    expect((await api(server.url, session, 'POST', '/api/auth/logout')).status).toBe(200);
    expect(await ended(loggedOut)).toEqual(['unauthenticated', 'io server disconnect']);

    const created = await api<{ id: string }>(server.url, tokens.admin, 'POST', '/api/admin/users', {
      username: 'quantri.tam',
      password: 'mat-khau-dai-1',
      role: 'admin',
    });
    const second = await login(server.url, 'quantri.tam', 'mat-khau-dai-1');
    const demoted = (await connect('/admin', { token: second })).socket;
    expect((await listAlerts(demoted)).ok).toBe(true);
    await api(server.url, tokens.admin, 'PATCH', `/api/admin/users/${created.body.value?.id ?? ''}`, {
      role: 'viewer',
    });
    expect(await ended(demoted)).toEqual(['unauthenticated', 'io server disconnect']);
  });
});
