/**
 * Many facilities on one deployment, and the proof that none reaches another: two hospitals and
 * the province overview run in one process behind one front that routes by `Host`. Every declared
 * HTTP route (the authorization suite's list and rules) is tried with each role's session of
 * facility A at facility B's host and at the province's host (refused: another database issued
 * it) and at A's own host (as the authorization suite expects); every socket namespace the
 * protocol lists is opened at B's host with A's credentials; A's kiosk credential, pairing codes,
 * tickets and lookup codes mean nothing at B; each keeps its own configuration, catalogue, EMR
 * endpoint and counts; the province admin sees both dashboards and nobody else does. On SQLite,
 * and on PostgreSQL (one database each) where it is installed.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { createProvince, type FacilitiesFile, type Province } from '@kiosk/server';
import {
  socketNamespaces,
  type AdminStats,
  type FacilityDashboard,
  type FacilityHealth,
  type ProvinceAuditEntry,
  type Result,
} from '@kiosk/protocol';
import { databaseKinds, databaseUrl, stopDatabases } from '../support/server-harness';
import { ALL, asGet, concrete, expectedRoles, protectedRoutesOf, type Role } from '../support/route-access';
import { startFhirEngine, type FhirEngine } from '../support/fhir-engine';
import { until } from '../support/until';
import { at } from '../support/host-request';
import { haproxyAvailable, startHaproxy } from '../support/haproxy';

const A = { code: 'bvdk-cantho', name: 'Bệnh viện Đa khoa Thành phố Cần Thơ', host: 'bvdk.cantho.test' };
const B = { code: 'bvnhi-cantho', name: 'Bệnh viện Nhi đồng Cần Thơ', host: 'bvnhi.cantho.test' };
const PROVINCE = { host: 'soyte.cantho.test', username: 'soyte.quantri', password: 'mat-khau-so-y-te-1' };
const PAIRING = { [A.code]: 'AAAAPAIR1234', [B.code]: 'BBBBPAIR1234' };

const identity = (n: number) => ({
  source: 'manual' as const,
  idNumber: `0792010${String(10000 + n).slice(-5)}`,
  fullName: 'Trần Văn Phúc',
  dateOfBirth: '1979-06-15',
});

type Json = Record<string, unknown>;

for (const kind of databaseKinds) {
  describe(`one deployment, two facilities and the province (${kind})`, () => {
    /** The front's port, chosen by the system (another run may hold any fixed one). */
    let port = 0;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-province-'));
    let province: Province;
    const engines: Record<string, FhirEngine> = {};
    /** Each role's session at facility A, and at B. */
    const tokensA = {} as Record<Role, string>;
    const tokensB = {} as Record<Role, string>;
    let credentialA = '';
    let provinceToken = '';
    const get = <T>(host: string, route: string, token?: string) => at<T>(port, host, 'GET', route, token);
    const facilityA = () => province.facilities.find((f) => f.code === A.code)!;
    const facilityB = () => province.facilities.find((f) => f.code === B.code)!;
    const login = async (host: string, username: string, password: string) => {
      const r = await at<{ token: string }>(port, host, 'POST', '/api/auth/login', undefined, { username, password });
      if (!r.body.value) throw new Error(`login at ${host} refused: ${r.status}`);
      return r.body.value.token;
    };
    const connect = (host: string, nsp: string, auth: Record<string, string>) =>
      new Promise<{ socket: Socket; error?: string }>((resolve) => {
        const socket = io(`http://127.0.0.1:${port}${nsp}`, {
          auth,
          transports: ['websocket'],
          reconnection: false,
          forceNew: true,
          extraHeaders: { host: `${host}:${port}` },
        });
        socket.once('connect', () => resolve({ socket }));
        socket.once('connect_error', (e) => resolve({ socket, error: e.message }));
      });

    beforeAll(async () => {
      const urls = async (name: string) =>
        kind === 'sqlite'
          ? `sqlite:${path.join(dir, `${name}.sqlite`)}`
          : ((await databaseUrl('postgres'))['DATABASE_URL'] ?? '');
      for (const f of [A, B]) engines[f.code] = await startFhirEngine();
      const emrOf = (code: string) => {
        const engine = engines[code]!;
        return {
          EMR_MODE: 'fhir',
          FHIR_BASE_URL: engine.baseUrl,
          FHIR_TOKEN_URL: engine.tokenUrl,
          FHIR_CLIENT_ID: engine.clientId,
          FHIR_CLIENT_SECRET: engine.clientSecret,
          OUTBOX_POLL_MS: '50',
        };
      };
      const file: FacilitiesFile = {
        province: {
          name: 'Sở Y tế Thành phố Cần Thơ',
          hosts: [PROVINCE.host],
          databaseUrl: await urls('province'),
          bootstrapAdmin: { username: PROVINCE.username, password: PROVINCE.password },
        },
        defaults: { DEMO: '1', LOG_LEVEL: 'silent' },
        facilities: [
          {
            code: A.code,
            name: A.name,
            hosts: [A.host],
            settings: {
              DATABASE_URL: await urls('a'),
              FACILITY_CODE: '92001',
              BOOTSTRAP_PAIRING_CODE: PAIRING[A.code]!,
              ...emrOf(A.code),
            },
          },
          {
            code: B.code,
            name: B.name,
            hosts: [B.host, 'nhi.cantho.test'],
            settings: {
              DATABASE_URL: await urls('b'),
              FACILITY_CODE: '92002',
              BOOTSTRAP_PAIRING_CODE: PAIRING[B.code]!,
              ...emrOf(B.code),
            },
          },
        ],
      };
      province = await createProvince(file);
      port = await province.listen(0, '127.0.0.1');
      const demo: Record<Role, [string, string]> = {
        admin: ['admin', 'admin-demo'],
        reception: ['tiepdon', 'tiepdon-demo'],
        clinic: ['phongkham', 'phongkham-demo'],
        viewer: ['xem', 'xem-demo'],
      };
      for (const role of ALL) {
        tokensA[role] = await login(A.host, ...demo[role]);
        tokensB[role] = await login(B.host, ...demo[role]);
      }
      const enrolled = await at<{ credential: string }>(port, A.host, 'POST', '/api/agents/enroll', undefined, {
        pairingCode: PAIRING[A.code],
        name: 'Kiosk sảnh A',
      });
      credentialA = enrolled.body.value?.credential ?? '';
      const p = await at<{ token: string }>(port, PROVINCE.host, 'POST', '/api/province/login', undefined, {
        username: PROVINCE.username,
        password: PROVINCE.password,
      });
      provinceToken = p.body.value?.token ?? '';
    });
    afterAll(async () => {
      await province?.close();
      for (const e of Object.values(engines)) await e.close();
      if (kind === 'postgres') await stopDatabases();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('each host is served by its own facility, with its own configuration; an unknown host reaches nothing', async () => {
      expect(credentialA).not.toBe('');
      expect(provinceToken).not.toBe('');
      const configOf = async (host: string) =>
        (await get<{ hospitalName: string }>(host, '/api/kiosk/config')).body.value?.hospitalName;
      expect(await configOf(A.host)).toBe(A.name);
      expect(await configOf(B.host)).toBe(B.name);
      // A second host name of B, in any case, with or without the port.
      expect(await configOf('NHI.cantho.test')).toBe(B.name);
      expect(facilityA().app.integrations).not.toBe(facilityB().app.integrations);
      for (const host of ['benh-vien-khac.test', '127.0.0.1', 'localhost']) {
        const r = await get(host, '/api/kiosk/config');
        expect([host, r.status, r.body.error?.code]).toEqual([host, 421, 'unknown-host']);
        const refused = await get(host, '/api/admin/users', tokensA.admin);
        expect([host, refused.status]).toEqual([host, 421]);
      }
      // A load balancer's check names no facility: it is told whether the whole deployment is ready.
      const readiness = await get<never>('benh-vien-khac.test', '/readyz');
      expect([readiness.status, readiness.body]).toEqual([200, { status: 'ready', facilities: 2 }]);
      expect((await get('benh-vien-khac.test', '/healthz')).status).toBe(200);
      const socket = await connect('benh-vien-khac.test', '/staff', { token: tokensA.viewer });
      expect(socket.error).toBeDefined();
      socket.socket.close();
    });

    it.skipIf(kind !== 'sqlite' || !haproxyAvailable())(
      "behind the deployment's HAProxy, unchanged: its health check passes and each host still reaches its own facility",
      async () => {
        const lb = await startHaproxy([`127.0.0.1:${port}`, `127.0.0.1:${port}`]);
        try {
          await until(async () => Object.values(await lb.states()).every((s) => s.startsWith('UP')), {
            what: 'HAProxy to see the front ready',
          });
          const lbPort = Number(new URL(lb.url).port);
          const nameAt = async (host: string) =>
            (await at<{ hospitalName: string }>(lbPort, host, 'GET', '/api/kiosk/config')).body.value?.hospitalName;
          expect(await nameAt(A.host)).toBe(A.name);
          expect(await nameAt(B.host)).toBe(B.name);
          expect((await at(lbPort, 'benh-vien-khac.test', 'GET', '/api/kiosk/config')).status).toBe(421);
          // A kiosk's WebSocket through HAProxy reaches its own facility only.
          const through = (host: string) =>
            new Promise<string>((resolve) => {
              const socket = io(`${lb.url}/agent`, {
                auth: { credential: credentialA },
                transports: ['websocket'],
                reconnection: false,
                forceNew: true,
                extraHeaders: { host },
              });
              socket.once('connect', () => {
                socket.close();
                resolve('connected');
              });
              socket.once('connect_error', (e) => {
                socket.close();
                resolve(e.message);
              });
            });
          expect(await through(A.host)).toBe('connected');
          expect(await through(B.host)).toBe('unauthorized');
        } finally {
          await lb.stop();
        }
      },
    );

    it('readiness and metrics per host: each facility its own, labelled with its code', async () => {
      for (const host of [A.host, B.host, PROVINCE.host])
        expect([host, (await get(host, '/readyz')).status]).toEqual([host, 200]);
      const metricsOf = (host: string, token: string) =>
        new Promise<string>((resolve, reject) => {
          http
            .get(
              { host: '127.0.0.1', port, path: '/metrics', headers: { host, authorization: `Bearer ${token}` } },
              (res) => {
                let text = '';
                res.on('data', (c: Buffer) => (text += c.toString('utf8')));
                res.on('end', () => resolve(text));
              },
            )
            .on('error', reject);
        });
      const a = await metricsOf(A.host, tokensA.admin);
      const b = await metricsOf(B.host, tokensB.admin);
      expect(a).toContain(`facility="${A.code}"`);
      expect(a).not.toContain(`facility="${B.code}"`);
      expect(b).toContain(`facility="${B.code}"`);
      expect(b).not.toContain(`facility="${A.code}"`);
      // A's admin cannot read B's metrics.
      expect((await get(B.host, '/metrics', tokensA.admin)).status).toBe(401);
    });

    it("every protected route refuses each of A's sessions at B's host and at the province's, and answers them at A's as the role rules say", async () => {
      const routes = protectedRoutesOf(facilityA().app.routes);
      expect(routes.length).toBeGreaterThan(35);
      // The same composition: B declares exactly the routes A does.
      expect(protectedRoutesOf(facilityB().app.routes).map((r) => `${r.method} ${r.url}`)).toEqual(
        routes.map((r) => `${r.method} ${r.url}`),
      );
      const failures: string[] = [];
      let checked = 0;
      for (const r of routes) {
        const url = concrete(r.url);
        const allowed = expectedRoles(asGet(r.method), r.url);
        for (const role of ALL) {
          // Logging out would end the session the rest of the suite uses.
          const harmless = asGet(r.method) === 'GET';
          const atB = await at(port, B.host, r.method, url, tokensA[role]);
          if (atB.status !== 401) failures.push(`${r.method} ${r.url} as A's ${role} at B: ${atB.status}`);
          const atProvince = await at(port, PROVINCE.host, r.method, url, tokensA[role]);
          if (atProvince.status !== 401 && atProvince.status !== 404)
            failures.push(`${r.method} ${r.url} as A's ${role} at the province: ${atProvince.status}`);
          if (!allowed.includes(role)) {
            const atA = await at(port, A.host, r.method, url, tokensA[role]);
            if (atA.status !== 403) failures.push(`${r.method} ${r.url} as ${role} at A: ${atA.status}, expected 403`);
          } else if (harmless) {
            const atA = await at(port, A.host, r.method, url, tokensA[role]);
            if (atA.status === 401 || atA.status === 403)
              failures.push(`${r.method} ${r.url} as ${role} at A: ${atA.status}, expected admitted`);
          }
          checked += 1;
        }
      }
      expect(failures).toEqual([]);
      expect(checked).toBeGreaterThan(150);
      // A's kiosk credential on the kiosk routes: A's host knows it (no such bundle), B's does not.
      const kioskRoutes = facilityA().app.api.filter((r) => r.access === 'agent');
      expect(kioskRoutes.length).toBeGreaterThan(0);
      for (const r of kioskRoutes) {
        expect((await at(port, A.host, r.method, concrete(r.url), credentialA)).status).toBe(404);
        expect((await at(port, B.host, r.method, concrete(r.url), credentialA)).status).toBe(401);
      }
      // The province's accounts are nobody's staff: its token at a facility is refused too.
      expect((await get(A.host, '/api/auth/me', provinceToken)).status).toBe(401);
      expect((await get(A.host, '/api/auth/me', tokensA.viewer)).status).toBe(200);
    });

    it('every socket namespace refuses A’s credentials at B’s host; A’s kiosk connects at A only', async () => {
      // The namespaces the protocol lists are the ones the servers open.
      const opened = (f: ReturnType<typeof facilityA>) =>
        [...(f.app.realtime.io as unknown as { _nsps: Map<string, unknown> })._nsps.keys()].filter((n) => n !== '/');
      expect(opened(facilityA()).sort()).toEqual([...socketNamespaces].sort());
      expect(opened(facilityB()).sort()).toEqual([...socketNamespaces].sort());
      const displayCodeA = await at<{ code: string }>(
        port,
        A.host,
        'POST',
        '/api/admin/display-pairing-codes',
        tokensA.admin,
      );
      const pairedA = await at<{ credential: string }>(port, A.host, 'POST', '/api/displays/pair', undefined, {
        code: displayCodeA.body.value?.code,
        name: 'Màn hình sảnh A',
      });
      const displayA = pairedA.body.value?.credential ?? '';
      expect(displayA).not.toBe('');
      const credentialsOf: Record<(typeof socketNamespaces)[number], Record<string, string>[]> = {
        '/agent': [{ credential: credentialA }],
        '/staff': ALL.map((role) => ({ token: tokensA[role] })),
        '/admin': [{ token: tokensA.admin }],
        '/display': [{ credential: displayA }],
        // Public: its credential is a ticket's lookup code, refused at B below.
        '/ticket-status': [],
      };
      const failures: string[] = [];
      for (const nsp of socketNamespaces)
        for (const auth of credentialsOf[nsp]) {
          const atA = await connect(A.host, nsp, auth);
          if (atA.error) failures.push(`${nsp} at A: ${atA.error}`);
          atA.socket.close();
          const atB = await connect(B.host, nsp, auth);
          if (atB.error !== 'unauthorized')
            failures.push(`${nsp} with A's ${Object.keys(auth).join()} at B: ${atB.error ?? 'connected'}`);
          atB.socket.close();
          const atProvince = await connect(PROVINCE.host, nsp, auth);
          if (!atProvince.error) failures.push(`${nsp} at the province: connected`);
          atProvince.socket.close();
        }
      expect(failures).toEqual([]);
    });

    it('a pairing code made at A pairs nothing at B (kiosks and displays), and works at A', async () => {
      const code = await at<{ code: string }>(port, A.host, 'POST', '/api/admin/pairing-codes', tokensA.admin);
      const pairingCode = code.body.value?.code ?? '';
      const atB = await at(port, B.host, 'POST', '/api/agents/enroll', undefined, { pairingCode, name: 'Kiosk lạc' });
      expect([atB.status, atB.body.error?.code]).toEqual([403, 'invalid-pairing-code']);
      const atA = await at<{ credential: string }>(port, A.host, 'POST', '/api/agents/enroll', undefined, {
        pairingCode,
        name: 'Kiosk tầng 2 A',
      });
      expect(atA.status).toBe(200);
      const displayCode = await at<{ code: string }>(
        port,
        A.host,
        'POST',
        '/api/admin/display-pairing-codes',
        tokensA.admin,
      );
      const displayAtB = await at(port, B.host, 'POST', '/api/displays/pair', undefined, {
        code: displayCode.body.value?.code,
        name: 'Màn hình lạc',
      });
      expect(displayAtB.status).toBeGreaterThanOrEqual(400);
      expect(displayAtB.body.ok).toBe(false);
      // B's own bootstrap code is B's alone: A's host does not take it.
      const bCodeAtA = await at(port, A.host, 'POST', '/api/agents/enroll', undefined, {
        pairingCode: PAIRING[B.code],
        name: 'Kiosk lạc',
      });
      expect(bCodeAtA.status).toBe(403);
    });

    it("check-ins stay in their facility: A's tickets and lookup codes are unknown at B, counts and EMR deliveries are separate", async () => {
      const checkIn = async (f: ReturnType<typeof facilityA>, n: number) => {
        const r = await f.app.services.checkIn.checkIn(
          {
            checkInId: randomUUID(),
            identity: identity(n),
            serviceId: 'noi-tong-quat',
            priorityClaims: [],
            consent: true,
          },
          null,
        );
        if (!r.ok) throw new Error(r.error.code);
        return r.value;
      };
      const receiptsA = [await checkIn(facilityA(), 1), await checkIn(facilityA(), 2), await checkIn(facilityA(), 3)];
      const receiptsB = [await checkIn(facilityB(), 1), await checkIn(facilityB(), 2)];
      for (const r of receiptsA) {
        const code = r.ticket.lookupCode;
        expect((await get(A.host, `/api/t/${code}`)).status).toBe(200);
        expect((await get(B.host, `/api/t/${code}`)).status).toBe(404);
        const history = await get(B.host, `/api/queue/tickets/${r.ticketId}/history`, tokensB.admin);
        expect(history.status).toBe(404);
        const patient = await get(B.host, `/api/queue/tickets/${r.ticketId}/patient`, tokensB.admin);
        expect(patient.status).toBe(404);
        expect((await get(A.host, `/api/queue/tickets/${r.ticketId}/history`, tokensA.admin)).status).toBe(200);
      }
      for (const r of receiptsB) {
        expect((await get(B.host, `/api/t/${r.ticket.lookupCode}`)).status).toBe(200);
        expect((await get(A.host, `/api/t/${r.ticket.lookupCode}`)).status).toBe(404);
      }
      // The public status socket: A's lookup code answers at A and is unknown at B.
      const watch = async (host: string, code: string) => {
        const { socket, error } = await connect(host, '/ticket-status', {});
        expect(error).toBeUndefined();
        const r = await new Promise<Result<unknown>>((resolve) => socket.emit('status:watch', { code }, resolve));
        socket.close();
        return r.ok ? 'ok' : r.error.code;
      };
      expect(await watch(A.host, receiptsA[0]!.ticket.lookupCode)).toBe('ok');
      expect(await watch(B.host, receiptsA[0]!.ticket.lookupCode)).not.toBe('ok');
      // Queues and today's figures count each facility's own check-ins.
      const queueA = await get<{ id: string }[]>(A.host, '/api/queue', tokensA.viewer);
      const queueB = await get<{ id: string }[]>(B.host, '/api/queue', tokensB.viewer);
      expect(queueA.body.value?.length).toBe(3);
      expect(queueB.body.value?.length).toBe(2);
      const ticketsToday = async (host: string, token: string) =>
        (await get<AdminStats>(host, '/api/admin/stats', token)).body.value?.services.reduce(
          (n, s) => n + s.tickets,
          0,
        );
      expect(await ticketsToday(A.host, tokensA.admin)).toBe(3);
      expect(await ticketsToday(B.host, tokensB.admin)).toBe(2);
      // Each facility delivers to its own EMR endpoint, and only its own visits.
      await until(
        async () =>
          (await engines[A.code]!.count('Encounter')) === 3 && (await engines[B.code]!.count('Encounter')) === 2,
        { what: 'each EMR to receive its own facility’s encounters' },
      );
    });

    it("a catalogue change at A leaves B's catalogue as it was", async () => {
      const renamed = await at(port, A.host, 'PATCH', '/api/admin/services/noi-tong-quat', tokensA.admin, {
        nameVi: 'Khám Nội (Đa khoa)',
      });
      expect(renamed.status).toBe(200);
      const names = async (host: string, token: string) =>
        (await get<{ id: string; name: { vi: string } }[]>(host, '/api/services', token)).body.value?.find(
          (s) => s.id === 'noi-tong-quat',
        )?.name.vi;
      expect(await names(A.host, tokensA.viewer)).toBe('Khám Nội (Đa khoa)');
      expect(await names(B.host, tokensB.viewer)).not.toBe('Khám Nội (Đa khoa)');
      // B's admin cannot change A's catalogue through B's host either: the route reaches B's database.
      const viaB = await at(port, B.host, 'PATCH', '/api/admin/services/noi-tong-quat', tokensA.admin, { nameVi: 'x' });
      expect(viaB.status).toBe(401);
    });

    it('the province admin sees every facility and each dashboard; facility sessions and strangers are refused there', async () => {
      const list = await get<FacilityHealth[]>(PROVINCE.host, '/api/province/facilities', provinceToken);
      expect(list.status).toBe(200);
      const byCode = new Map((list.body.value ?? []).map((f) => [f.code, f]));
      expect([...byCode.keys()].sort()).toEqual([A.code, B.code].sort());
      expect(byCode.get(A.code)).toMatchObject({ name: A.name, ready: true, hosts: [A.host] });
      expect(byCode.get(B.code)).toMatchObject({ name: B.name, ready: true, hosts: [B.host, 'nhi.cantho.test'] });
      const dashboard = async (code: string) =>
        (await get<FacilityDashboard>(PROVINCE.host, `/api/province/facilities/${code}/dashboard`, provinceToken)).body
          .value;
      const dashA = await dashboard(A.code);
      const dashB = await dashboard(B.code);
      expect(dashA?.facility.code).toBe(A.code);
      expect(dashA?.week.totals.checkIns).toBe(3);
      expect(dashB?.week.totals.checkIns).toBe(2);
      // Each dashboard names services from its own catalogue (A renamed one above).
      expect(dashA?.serviceNames['noi-tong-quat']?.vi).toBe('Khám Nội (Đa khoa)');
      expect(dashB?.serviceNames['noi-tong-quat']?.vi).toBe('Khám Nội tổng quát');
      expect(dashA?.today.services.reduce((n, s) => n + s.tickets, 0)).toBe(3);
      // A kiosk of A is connected while it is: the overview counts it at A only.
      const kiosk = await connect(A.host, '/agent', { credential: credentialA });
      expect(kiosk.error).toBeUndefined();
      await until(async () => (await dashboard(A.code))?.facility.kiosksOnline === 1, { what: 'A’s kiosk online' });
      expect((await dashboard(B.code))?.facility.kiosksOnline).toBe(0);
      kiosk.socket.close();
      expect((await get(PROVINCE.host, '/api/province/facilities/no-such/dashboard', provinceToken)).status).toBe(404);
      // Read-only and audited in the province's own database, not in a facility's.
      const audit = await get<ProvinceAuditEntry[]>(PROVINCE.host, '/api/province/audit', provinceToken);
      const actions = (audit.body.value ?? []).map((e) => `${e.action} ${e.target ?? ''}`.trim());
      expect(actions).toContain(`province-dashboard-read ${A.code}`);
      expect(actions).toContain(`province-dashboard-read ${B.code}`);
      expect(actions).toContain('province-facilities-read');
      const facilityAudit = await get<{ action: string }[]>(A.host, '/api/admin/audit', tokensA.admin);
      expect((facilityAudit.body.value ?? []).some((e) => e.action.startsWith('province-'))).toBe(false);
      // Facility sessions, no session, a facility's demo password: all refused at the province host.
      for (const token of [tokensA.admin, tokensB.admin, tokensA.viewer, undefined, 'not-a-token'])
        for (const route of [
          '/api/province/facilities',
          `/api/province/facilities/${A.code}/dashboard`,
          '/api/province/audit',
        ])
          expect([route, (await get(PROVINCE.host, route, token)).status]).toEqual([route, 401]);
      const facilityLogin = await at(port, PROVINCE.host, 'POST', '/api/province/login', undefined, {
        username: 'admin',
        password: 'admin-demo',
      });
      expect(facilityLogin.status).toBe(401);
      // Guessing is limited as at a facility: an account's sixth wrong password in a row is refused unread.
      const guesses: number[] = [];
      for (let i = 0; i < 6; i++)
        guesses.push(
          (
            await at(port, PROVINCE.host, 'POST', '/api/province/login', undefined, {
              username: 'soyte.khach',
              password: `doan-mo-${i}`,
            })
          ).status,
        );
      expect(guesses).toEqual([401, 401, 401, 401, 401, 429]);
      // A logout ends the province session; the audit keeps it.
      const second = await at<{ token: string }>(port, PROVINCE.host, 'POST', '/api/province/login', undefined, {
        username: PROVINCE.username,
        password: PROVINCE.password,
      });
      const token = second.body.value?.token ?? '';
      expect((await get(PROVINCE.host, '/api/province/facilities', token)).status).toBe(200);
      expect((await at(port, PROVINCE.host, 'POST', '/api/province/logout', token)).status).toBe(200);
      expect((await get(PROVINCE.host, '/api/province/facilities', token)).status).toBe(401);
      // The province host documents its own routes: the bare OpenAPI document, for province accounts only.
      const doc = await get<never>(PROVINCE.host, '/api/province/openapi.json', provinceToken);
      expect(doc.status).toBe(200);
      const document = doc.body as unknown as { openapi: string; paths: Record<string, Record<string, Json>> };
      expect(document.openapi).toBe('3.1.0');
      expect(Object.keys(document.paths).sort()).toEqual(
        [
          '/api/province/audit',
          '/api/province/facilities',
          '/api/province/facilities/{code}/dashboard',
          '/api/province/facilities/reload',
          '/api/province/login',
          '/api/province/logout',
          '/api/province/openapi.json',
        ].sort(),
      );
      expect(document.paths['/api/province/login']?.['post']?.['security']).toBeUndefined();
      expect(document.paths['/api/province/facilities']?.['get']?.['x-access']).toEqual({ roles: ['province-admin'] });
      expect(document.paths['/api/province/facilities/{code}/dashboard']?.['get']?.['parameters']).toEqual([
        expect.objectContaining({ name: 'code', in: 'path', required: true }),
      ]);
      for (const token of [tokensA.admin, undefined])
        expect((await get(PROVINCE.host, '/api/province/openapi.json', token)).status).toBe(401);
      // The province's routes do not exist at a facility's host.
      expect((await get(A.host, '/api/province/facilities', provinceToken)).status).toBe(404);
      expect((await get('benh-vien-khac.test', '/api/province/facilities', provinceToken)).status).toBe(421);
    });
  });
}
