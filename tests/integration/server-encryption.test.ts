/**
 * Column encryption at rest on SQLite and PostgreSQL: ID numbers, names and addresses are sealed
 * in the database (AES-256-GCM, key id in the value) and plain through the API; patients are
 * matched by the keyed hash beside the ID number; a key rotation re-encrypts under a new key
 * while the old one still reads, after which the old key can go; a tampered value is refused.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import {
  api,
  checkInWith,
  databaseKinds,
  databaseUrl,
  login,
  startServer,
  stopDatabases,
  unansweredEmr,
  type RunningServer,
} from '../support/server-harness';

afterAll(() => stopDatabases());

const key = () => randomBytes(32).toString('base64');
const k1 = `k1:${key()}`;
const k2 = `k2:${key()}`;
const lan = {
  source: 'cccd-qr' as const,
  idNumber: '079188012345',
  fullName: 'Nguyễn Thị Lan',
  dateOfBirth: '1988-03-12',
  address: 'Phường Ninh Kiều, TP. Cần Thơ',
};
const nowMs = Date.parse('2026-06-01T03:00:00Z');
const clock = { now: () => new Date(nowMs) };

interface RawPatient {
  id: string;
  id_number: string | null;
  id_number_hmac: string | null;
  full_name: string;
  address: string | null;
}

describe.each(databaseKinds)('column encryption (%s)', (kind) => {
  let db: Record<string, string>;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'enc-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const start = async (env: Record<string, string>) =>
    startServer(
      {
        ...db,
        RETENTION_PURGE_INTERVAL_MINUTES: '0',
        FACILITY_CODE: '92012',
        ...unansweredEmr,
        ...env,
      },
      { clock },
    );
  const rawPatients = async (server: RunningServer) =>
    (
      await sql<RawPatient>`select id, id_number, id_number_hmac, full_name, address from patients order by id`.execute(
        server.app.services.db.kysely,
      )
    ).rows;
  const rawText = async (server: RunningServer, query: ReturnType<typeof sql<{ v: string }>>) =>
    (await query.execute(server.app.services.db.kysely)).rows.map((r) => r.v).join('\n');
  /**
   * Every `table.column` of the database holding a value sealed (`enc:v1:`) or hashed (`h1:`)
   * under `keyId`, whatever the table: what would stop opening or matching without that key.
   */
  const sealedUnder = async (server: RunningServer, keyId: string) => {
    const k = server.app.services.db.kysely;
    const tables = (
      kind === 'sqlite'
        ? await sql<{ t: string }>`select name as t from sqlite_master where type = 'table'`.execute(k)
        : await sql<{ t: string }>`select tablename as t from pg_tables where schemaname = 'public'`.execute(k)
    ).rows.map((r) => r.t);
    const found = new Set<string>();
    for (const table of tables) {
      const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(k)).rows;
      for (const row of rows)
        for (const [column, value] of Object.entries(row))
          if (typeof value === 'string' && (value.includes(`enc:v1:${keyId}:`) || value.includes(`h1:${keyId}:`)))
            found.add(`${table}.${column}`);
    }
    return [...found].sort();
  };
  const checkIn = checkInWith;
  const patientOf = async (server: RunningServer, token: string, ticketId: string) =>
    (
      await api<{ id: string; fullName: string; idNumber: string; address: string }>(
        server.url,
        token,
        'GET',
        `/api/queue/tickets/${ticketId}/patient`,
      )
    ).body.value;

  it('seals ID numbers, names and addresses in the database; the API and matching see plain values', async () => {
    // SQLite keeps one file across the restarts of this suite; PostgreSQL one database.
    db = kind === 'sqlite' ? { DATABASE_URL: `sqlite:${path.join(dir, 'kiosk.sqlite')}` } : await databaseUrl(kind);
    const server = await start({ DATA_KEYS: k1 });
    try {
      const first = await checkIn(server, lan);
      const again = await checkIn(server, lan);
      const token = await login(server.url, 'tiepdon', 'tiepdon-demo');
      const a = await patientOf(server, token, first.ticketId);
      const b = await patientOf(server, token, again.ticketId);
      expect(a).toMatchObject({ fullName: 'Nguyễn Thị Lan', idNumber: '079188012345', address: lan.address });
      expect(b?.id).toBe(a?.id);
      const [row] = await rawPatients(server);
      expect(row?.full_name).toMatch(/^enc:v1:k1:/u);
      expect(row?.id_number).toMatch(/^enc:v1:k1:/u);
      expect(row?.address).toMatch(/^enc:v1:k1:/u);
      expect(row?.id_number_hmac).toMatch(/^h1:k1:/u);
      const everything = [
        JSON.stringify(await rawPatients(server)),
        await rawText(
          server,
          sql<{ v: string }>`select ho_ten || '|' || coalesce(so_cccd, '') as v from checkin_records`,
        ),
        await rawText(server, sql<{ v: string }>`select payload_json || '|' || patient_key as v from emr_outbox`),
      ].join('\n');
      // Sealed values and keyed hashes are random-looking base64url that may contain "Lan" by chance.
      const unsealed = everything.replace(/(?:enc:v1|h1):[\w:-]+/gu, '');
      expect(unsealed).not.toMatch(/Lan|079188012345|Ninh Kiều/u);
      // The data-subject export opens them too.
      const admin = await login(server.url, 'admin', 'admin-demo');
      const exported = await api<{ patient: { fullName: string }; checkinRecords: { hoTen: string }[] }>(
        server.url,
        admin,
        'GET',
        `/api/admin/patients/${a?.id}/export`,
      );
      expect(exported.body.value?.patient.fullName).toBe('Nguyễn Thị Lan');
      expect(exported.body.value?.checkinRecords[0]?.hoTen).toMatch(/LAN|Lan/u);
      expect(exported.body.value?.checkinRecords[0]?.hoTen).not.toMatch(/^enc:/u);
      // Sealed columns of later features, for the rotation below: an identity conflict (her ID
      // number under another name), a booking, a phone number given for notifications.
      const conflict = await checkIn(server, { ...lan, fullName: 'Lê Văn Tám', dateOfBirth: '1970-01-01' });
      await server.app.repositories.ticketStatus.addSubscription(
        {
          id: randomUUID(),
          ticketId: conflict.ticketId,
          visitId: conflict.visitId,
          serviceId: 'noi-tong-quat',
          day: '2026-06-01',
          channel: 'sms',
          pushJson: null,
          phone: '0912345678',
        },
        new Date(nowMs).toISOString(),
      );
      const booked = await api(server.url, token, 'POST', '/api/counter/appointments', {
        serviceId: 'noi-tong-quat',
        startsAt: '2026-06-01T08:00:00Z',
        identity: lan,
      });
      expect(booked.status).toBe(200);
      expect(await sealedUnder(server, 'k1')).toEqual(
        expect.arrayContaining([
          'appointments.identity_sealed',
          'identity_conflicts.incoming_full_name',
          'notify_subscriptions.phone',
        ]),
      );
    } finally {
      await server.stop();
    }
  });

  it('rotates: a new key seals, the old one still reads by key id; after re-encryption the old key can go', async () => {
    const both = await start({ DATA_KEYS: `${k1},${k2}`, DATA_KEY_ID: 'k2' });
    let patientId = '';
    try {
      const token = await login(both.url, 'tiepdon', 'tiepdon-demo');
      // An old row, still under k1, is found by its ID number and read.
      const same = await checkIn(both, lan);
      const p = await patientOf(both, token, same.ticketId);
      patientId = p?.id ?? '';
      expect(p?.fullName).toBe('Nguyễn Thị Lan');
      expect((await rawPatients(both)).length).toBe(1);
      await checkIn(both, { ...lan, idNumber: '079188054321', fullName: 'Trần Văn Bình' });
      const keyIds = (await rawPatients(both)).map((r) => r.full_name.split(':')[2]).sort();
      expect(keyIds).toEqual(['k1', 'k2']);
      const rewritten = await both.app.repositories.privacy.reencrypt(1);
      expect(rewritten['patients']).toBe(1);
      expect(rewritten['checkinRecords']).toBeGreaterThanOrEqual(1);
      expect(rewritten).toMatchObject({ identityConflicts: 1, appointments: 1, notifications: 1 });
      expect(Object.values(await both.app.repositories.privacy.reencrypt()).every((n) => n === 0)).toBe(true);
      for (const r of await rawPatients(both)) {
        expect(r.full_name).toMatch(/^enc:v1:k2:/u);
        expect(r.id_number_hmac).toMatch(/^h1:k2:/u);
      }
      // Nothing anywhere still needs k1, but the EMR outbox's ordering key (a hash never opened
      // or looked up by value: docs/key-rotation.md).
      expect((await sealedUnder(both, 'k1')).filter((c) => c !== 'emr_outbox.patient_key')).toEqual([]);
      expect(await sealedUnder(both, 'k2')).toEqual(
        expect.arrayContaining([
          'appointments.identity_sealed',
          'appointments.patient_key_hmac',
          'identity_conflicts.incoming_full_name',
          'identity_conflicts.stored_full_name',
          'notify_subscriptions.phone',
        ]),
      );
    } finally {
      await both.stop();
    }
    const onlyNew = await start({ DATA_KEYS: k2 });
    try {
      const admin = await login(onlyNew.url, 'admin', 'admin-demo');
      const exported = await api<{ patient: { fullName: string; idNumber: string } }>(
        onlyNew.url,
        admin,
        'GET',
        `/api/admin/patients/${patientId}/export`,
      );
      expect(exported.body.value?.patient).toMatchObject({ fullName: 'Nguyễn Thị Lan', idNumber: '079188012345' });
      // Matching still finds her by the hash under k2.
      const again = await checkIn(onlyNew, lan);
      const token = await login(onlyNew.url, 'tiepdon', 'tiepdon-demo');
      expect((await patientOf(onlyNew, token, again.ticketId))?.id).toBe(patientId);
      // The later features' sealed values open, and her booking is still found by her ID number.
      const [conflict] = await onlyNew.app.repositories.identityConflicts.list();
      expect(conflict).toMatchObject({ stored_full_name: 'Nguyễn Thị Lan', incoming_full_name: 'Lê Văn Tám' });
      const [booking] = await onlyNew.app.repositories.appointments.forPatient([lan.idNumber], '2026-06-01');
      expect(booking && JSON.parse(onlyNew.app.repositories.appointments.identityOf(booking) ?? '{}')).toMatchObject({
        fullName: 'Nguyễn Thị Lan',
      });
      expect(
        (await onlyNew.app.repositories.ticketStatus.subscriptionsOfService('noi-tong-quat', '2026-06-01')).map(
          (s) => s.phone,
        ),
      ).toEqual(['0912345678']);
    } finally {
      await onlyNew.stop();
    }
  });

  it('refuses a tampered value as stored-data-invalid and a key it does not have, without crashing', async () => {
    const server = await start({ DATA_KEYS: k2 });
    try {
      const [row] = await rawPatients(server);
      const tampered = `${row?.full_name.slice(0, -4)}AAAA`;
      await sql`update patients set full_name = ${tampered} where id = ${row?.id ?? ''}`.execute(
        server.app.services.db.kysely,
      );
      const admin = await login(server.url, 'admin', 'admin-demo');
      const r = await api(server.url, admin, 'GET', `/api/admin/patients/${row?.id}/export`);
      expect(r.status).toBe(500);
      expect(JSON.stringify(r.body)).not.toMatch(/enc:v1/u);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});
