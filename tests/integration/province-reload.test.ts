/**
 * A hospital joins (or leaves) a running province deployment without a restart: the facilities
 * file is edited and read again — through the province admin's route, and through SIGHUP to the
 * real server process (`systemctl reload`). Facilities that did not change keep running with
 * their connections; a changed one restarts alone; a bad file changes nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { createProvince, readFacilitiesFile, type FacilitiesFile, type Province } from '@kiosk/server';
import type { FacilitiesReloaded, FacilityHealth, KioskConfig, ProvinceAuditEntry } from '@kiosk/protocol';
import { at } from '../support/host-request';
import { freePort } from '../support/free-port';
import { spawnServer, type ServerProcess } from '../support/server-process';
import { until } from '../support/until';

const A = { code: 'bvdk-cantho', name: 'Bệnh viện Đa khoa Thành phố Cần Thơ', host: 'bvdk.cantho.test' };
const B = { code: 'bvnhi-cantho', name: 'Bệnh viện Nhi đồng Cần Thơ', host: 'bvnhi.cantho.test' };
const PROVINCE = { host: 'soyte.cantho.test', username: 'soyte.quantri', password: 'mat-khau-so-y-te-1' };

/** The facilities file with A, and B when asked (its settings over these). */
function fileOf(dir: string, withB?: Record<string, string>): FacilitiesFile {
  return {
    province: {
      name: 'Sở Y tế Thành phố Cần Thơ',
      hosts: [PROVINCE.host],
      databaseUrl: `sqlite:${path.join(dir, 'province.sqlite')}`,
      bootstrapAdmin: { username: PROVINCE.username, password: PROVINCE.password },
    },
    defaults: { DEMO: '1', LOG_LEVEL: 'silent' },
    facilities: [
      {
        code: A.code,
        name: A.name,
        hosts: [A.host],
        settings: { DATABASE_URL: `sqlite:${path.join(dir, 'a.sqlite')}`, BOOTSTRAP_PAIRING_CODE: 'AAAAPAIR1234' },
      },
      ...(withB
        ? [
            {
              code: B.code,
              name: B.name,
              hosts: [B.host],
              settings: {
                DATABASE_URL: `sqlite:${path.join(dir, 'b.sqlite')}`,
                BOOTSTRAP_PAIRING_CODE: 'BBBBPAIR1234',
                ...withB,
              },
            },
          ]
        : []),
    ],
  };
}

const write = (file: string, content: unknown) => fs.writeFileSync(file, JSON.stringify(content, null, 2));

/** An /agent socket at a host of the front, connected. */
function agentAt(port: number, host: string, credential: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = io(`http://127.0.0.1:${port}/agent`, {
      auth: { credential },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      extraHeaders: { host: `${host}:${port}` },
    });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

async function enrol(port: number, host: string, pairingCode: string): Promise<string> {
  const r = await at<{ credential: string }>(port, host, 'POST', '/api/agents/enroll', undefined, {
    pairingCode,
    name: 'reload-kiosk',
  });
  if (!r.body.value) throw new Error(`enrolment at ${host} refused: ${r.status}`);
  return r.body.value.credential;
}

describe('a facility added, changed and removed while the deployment runs', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-reload-'));
  const filePath = path.join(dir, 'facilities.json');
  let province: Province;
  let port = 0;
  let token = '';
  let kioskA: Socket;
  let dropsA = 0;
  const reload = () =>
    at<FacilitiesReloaded>(port, PROVINCE.host, 'POST', '/api/province/facilities/reload', token, undefined);

  beforeAll(async () => {
    write(filePath, fileOf(dir));
    province = await createProvince(readFacilitiesFile(filePath), { source: () => readFacilitiesFile(filePath) });
    port = await province.listen(0, '127.0.0.1');
    const login = await at<{ token: string }>(port, PROVINCE.host, 'POST', '/api/province/login', undefined, {
      username: PROVINCE.username,
      password: PROVINCE.password,
    });
    token = login.body.value?.token ?? '';
    kioskA = await agentAt(port, A.host, await enrol(port, A.host, 'AAAAPAIR1234'));
    kioskA.on('disconnect', () => (dropsA += 1));
  });
  afterAll(async () => {
    kioskA?.close();
    await province?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('before: the new hospital’s host reaches nothing', async () => {
    expect((await at(port, B.host, 'GET', '/api/kiosk/config')).status).toBe(421);
    expect(province.facilities.map((f) => f.code)).toEqual([A.code]);
  });

  it('only a province admin may reload; without a session nothing changes', async () => {
    write(filePath, fileOf(dir, {}));
    expect((await at(port, PROVINCE.host, 'POST', '/api/province/facilities/reload')).status).toBe(401);
    const staff = await at<{ token: string }>(port, A.host, 'POST', '/api/auth/login', undefined, {
      username: 'admin',
      password: 'admin-demo',
    });
    const asHospitalAdmin = await at(
      port,
      PROVINCE.host,
      'POST',
      '/api/province/facilities/reload',
      staff.body.value?.token,
    );
    expect(asHospitalAdmin.status).toBe(401);
    expect(province.facilities.map((f) => f.code)).toEqual([A.code]);
  });

  it('added: B is migrated, started and routed; A keeps running and keeps its kiosk connected', async () => {
    write(filePath, fileOf(dir, {}));
    const r = await reload();
    expect(r.status).toBe(200);
    expect(r.body.value).toEqual({ added: [B.code], removed: [], restarted: [], unchanged: [A.code], failed: [] });
    const config = await at<KioskConfig>(port, B.host, 'GET', '/api/kiosk/config');
    expect(config.status).toBe(200);
    expect(config.body.value?.hospitalName).toBe(B.name);
    // B takes kiosks and check-ins of its own, into its own database.
    const kioskB = await agentAt(port, B.host, await enrol(port, B.host, 'BBBBPAIR1234'));
    kioskB.close();
    const b = province.facilities.find((f) => f.code === B.code);
    const checkIn = await b!.app.services.checkIn.checkIn(
      {
        checkInId: randomUUID(),
        identity: { source: 'manual', idNumber: '079201012345', fullName: 'Lê Thị Hoa', dateOfBirth: '2019-03-04' },
        serviceId: 'nhi-khoa',
        priorityClaims: [],
        consent: true,
      },
      null,
    );
    expect(checkIn.ok).toBe(true);
    // The province sees it, with its dashboard.
    const list = await at<FacilityHealth[]>(port, PROVINCE.host, 'GET', '/api/province/facilities', token);
    expect(list.body.value?.map((f) => [f.code, f.ready])).toEqual([
      [A.code, true],
      [B.code, true],
    ]);
    const dashboard = await at(port, PROVINCE.host, 'GET', `/api/province/facilities/${B.code}/dashboard`, token);
    expect(dashboard.status).toBe(200);
    expect(kioskA.connected).toBe(true);
    expect(dropsA).toBe(0);
  });

  it('a bad file (a host already served, a shared database, the province moved) is refused whole; nothing changes', async () => {
    const running = province.facilities;
    const sharedHost = fileOf(dir, {});
    sharedHost.facilities[1]!.hosts = [A.host];
    const sharedDb = fileOf(dir, { DATABASE_URL: `sqlite:${path.join(dir, 'a.sqlite')}` });
    const moved = fileOf(dir, {});
    moved.province.databaseUrl = `sqlite:${path.join(dir, 'elsewhere.sqlite')}`;
    const badSetting = fileOf(dir, { SESSION_TTL_HOURS: 'many' });
    for (const bad of [sharedHost, sharedDb, moved, badSetting]) {
      write(filePath, bad);
      const r = await reload();
      expect(r.status).toBe(422);
      expect(r.body.error?.code).toBe('facilities-file-refused');
    }
    fs.writeFileSync(filePath, '{ not json');
    expect((await reload()).status).toBe(422);
    expect(province.facilities).toBe(running);
    expect((await at(port, B.host, 'GET', '/api/kiosk/config')).status).toBe(200);
    expect(kioskA.connected).toBe(true);
  });

  it('changed: B restarts alone with its new settings, its data kept; A is untouched', async () => {
    write(filePath, fileOf(dir, { HOSPITAL_ACCENT_COLOR: '#2e7d32' }));
    const r = await reload();
    expect(r.body.value).toEqual({ added: [], removed: [], restarted: [B.code], unchanged: [A.code], failed: [] });
    const config = await at<KioskConfig>(port, B.host, 'GET', '/api/kiosk/config');
    expect(config.body.value?.accentColor).toBe('#2e7d32');
    const b = province.facilities.find((f) => f.code === B.code)!;
    const today = await b.app.services.stats.day();
    expect(today.services.reduce((n, x) => n + x.tickets, 0)).toBe(1);
    expect(kioskA.connected).toBe(true);
    expect(dropsA).toBe(0);
  });

  it('a facility that cannot start is reported; the others keep running', async () => {
    const broken = fileOf(dir, { HOSPITAL_ACCENT_COLOR: '#2e7d32' });
    broken.facilities.push({
      code: 'bv-khong-mo',
      name: 'Bệnh viện không mở được',
      hosts: ['khongmo.cantho.test'],
      // A folder where the file should be: SQLite cannot open it.
      settings: { DATABASE_URL: `sqlite:${dir}` },
    });
    write(filePath, broken);
    const r = await reload();
    expect(r.status).toBe(200);
    expect(r.body.value?.added).toEqual([]);
    expect(r.body.value?.failed.map((f) => f.code)).toEqual(['bv-khong-mo']);
    expect(province.facilities.map((f) => f.code)).toEqual([A.code, B.code]);
    expect((await at(port, 'khongmo.cantho.test', 'GET', '/api/kiosk/config')).status).toBe(421);
  });

  it('removed: B closes and its host reaches nothing; A keeps its kiosk; every reload is audited', async () => {
    write(filePath, fileOf(dir));
    const r = await reload();
    expect(r.body.value).toEqual({ added: [], removed: [B.code], restarted: [], unchanged: [A.code], failed: [] });
    expect((await at(port, B.host, 'GET', '/api/kiosk/config')).status).toBe(421);
    expect((await at(port, A.host, 'GET', '/api/kiosk/config')).status).toBe(200);
    expect(kioskA.connected).toBe(true);
    expect(dropsA).toBe(0);
    const audit = await at<ProvinceAuditEntry[]>(port, PROVINCE.host, 'GET', '/api/province/audit', token);
    const reloads = (audit.body.value ?? []).filter((e) => e.action.startsWith('province-facilities-reload'));
    expect(reloads.map((e) => [e.action, e.target]).reverse()).toEqual([
      ['province-facilities-reload', B.code],
      ...Array.from({ length: 5 }, () => ['province-facilities-reload-refused', null]),
      ['province-facilities-reload', B.code],
      ['province-facilities-reload', null],
      ['province-facilities-reload', B.code],
    ]);
  });
});

describe('SIGHUP to the server process (systemctl reload) reads the facilities file again', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-sighup-'));
  const filePath = path.join(dir, 'facilities.json');
  let server: ServerProcess | undefined;
  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a hospital added to the file is served after SIGHUP, and the process is the same', async () => {
    write(filePath, fileOf(dir));
    const port = await freePort();
    // The process's own DATABASE_URL is never a facility's (nor used in province mode).
    server = await spawnServer({
      port,
      databaseFile: path.join(dir, 'unused.sqlite'),
      env: { FACILITIES_FILE: filePath },
    });
    expect((await at(port, B.host, 'GET', '/api/kiosk/config')).status).toBe(421);
    write(filePath, fileOf(dir, {}));
    server.child.kill('SIGHUP');
    await until(async () => (await at(port, B.host, 'GET', '/api/kiosk/config')).status === 200);
    expect(server.child.exitCode).toBeNull();
    expect((await at(port, A.host, 'GET', '/api/kiosk/config')).status).toBe(200);
  });
});
