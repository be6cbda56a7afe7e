/**
 * The Personal Data Protection Law (91/2025/QH15) on SQLite and PostgreSQL: a data-subject export
 * of everything about one patient, erasure of what no law requires to keep, consent withdrawal
 * that stops the processing it covered, the register of processing purposes, the breach log with
 * its 72-hour deadline; and names from the counter stored in one clean form.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BreachRecord, CheckInRequest, ErasureReport, ProcessingRegister } from '@kiosk/protocol';
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

const lan = {
  source: 'cccd-qr' as const,
  idNumber: '079188012345',
  fullName: 'Nguyễn Thị Lan',
  dateOfBirth: '1988-03-12',
  address: 'Phường Ninh Kiều, TP. Cần Thơ',
};

interface PatientView {
  id: string;
  fullName: string;
  idNumber: string | null;
  address: string | null;
  consents: { kind: string; purpose: string }[];
}

describe.each(databaseKinds)('personal data protection (%s)', (kind) => {
  let server: RunningServer;
  let admin: string;
  let reception: string;
  const nowMs = Date.parse('2026-06-01T03:00:00Z');
  const clock = { now: () => new Date(nowMs) };

  beforeAll(async () => {
    server = await startServer(
      {
        ...(await databaseUrl(kind)),
        RETENTION_PURGE_INTERVAL_MINUTES: '0',
        FACILITY_CODE: '92012',
        ...unansweredEmr,
      },
      { clock },
    );
    admin = await login(server.url, 'admin', 'admin-demo');
    reception = await login(server.url, 'tiepdon', 'tiepdon-demo');
  });
  afterAll(() => server?.stop());

  const checkIn = (identity: CheckInRequest['identity']) => checkInWith(server, identity);
  const patientOf = async (ticketId: string) =>
    (await api<PatientView>(server.url, reception, 'GET', `/api/queue/tickets/${ticketId}/patient`)).body.value;

  it('stores a name registered at the counter in one clean form (NFC, no control, bidi or zero-width characters)', async () => {
    const register = (fullName: string) =>
      api<{ ticketId: string }>(server.url, reception, 'POST', '/api/counter/check-ins', {
        checkInId: randomUUID(),
        identity: { source: 'manual', fullName, dateOfBirth: '1950-07-07', address: 'Ấp\u200b 3,\u202e Xã Tân Phú' },
        serviceId: 'noi-tong-quat',
        priorityClaims: [],
        consent: true,
      });
    const composed = await register('Hồ Thị Mai');
    const decomposed = await register('Ho\u0302\u0300 Thi\u0323\u0000 Mai\u2066');
    const a = await patientOf(composed.body.value?.ticketId ?? '');
    const b = await patientOf(decomposed.body.value?.ticketId ?? '');
    expect(a?.fullName).toBe('Hồ Thị Mai');
    expect(b?.fullName).toBe('Hồ Thị Mai');
    expect(b?.address).toBe('Ấp 3, Xã Tân Phú');
  });

  it('exports everything about one patient as JSON for an admin, and audits it', async () => {
    const receipt = await checkIn(lan);
    const patient = await patientOf(receipt.ticketId);
    expect(patient).toBeDefined();
    const res = await fetch(`${server.url}/api/admin/patients/${patient?.id}/export`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('attachment');
    const body = (await res.json()) as { value: Record<string, unknown> & { patient: Record<string, unknown> } };
    const exported = body.value;
    expect(exported.patient).toMatchObject({ fullName: 'Nguyễn Thị Lan', idNumber: '079188012345' });
    expect(exported['visits']).toHaveLength(1);
    expect(exported['tickets']).toHaveLength(1);
    expect(exported['consents']).toContainEqual(expect.objectContaining({ kind: 'given', purpose: 'check-in' }));
    expect(exported['emrDeliveries']).toHaveLength(1);
    expect(exported['checkinRecords']).toHaveLength(1);
    expect(exported['recordReads']).toContainEqual(
      expect.objectContaining({ actor: 'tiepdon', action: 'patient-read:ticket' }),
    );
    expect((await api(server.url, reception, 'GET', `/api/admin/patients/${patient?.id}/export`)).status).toBe(403);
    expect((await api(server.url, admin, 'GET', '/api/admin/patients/no-such/export')).status).toBe(404);
    const audit = await api<{ action: string; target: string | null }[]>(
      server.url,
      admin,
      'GET',
      '/api/admin/audit?limit=50',
    );
    expect(audit.body.value).toContainEqual(
      expect.objectContaining({ action: 'patient-exported', target: patient?.id }),
    );
  });

  it('a withdrawal of consent stops the processing it covered: unsent EMR deliveries, then the record', async () => {
    const receipt = await checkIn({ ...lan, idNumber: '079188054321', fullName: 'Trần Văn Bình' });
    const patient = await patientOf(receipt.ticketId);
    const id = patient?.id ?? '';
    const pending = async () =>
      (
        (await api<{ emrDeliveries: unknown[] }>(server.url, admin, 'GET', `/api/admin/patients/${id}/export`)).body
          .value?.emrDeliveries ?? []
      ).length;
    expect(await pending()).toBe(1);
    const emr = await api<{ cancelledDeliveries: number }>(
      server.url,
      reception,
      'POST',
      `/api/patients/${id}/consent-withdrawal`,
      { purpose: 'emr-transfer' },
    );
    expect(emr.body.value?.cancelledDeliveries).toBe(1);
    expect(await pending()).toBe(0);
    const all = await api<{ erasure: ErasureReport }>(
      server.url,
      reception,
      'POST',
      `/api/patients/${id}/consent-withdrawal`,
      {},
    );
    expect(all.status).toBe(200);
    expect(all.body.value?.erasure.kept.map((k) => k.kind)).toContain('checkin-record');
    const after = await patientOf(receipt.ticketId);
    expect(after).toMatchObject({ fullName: '', idNumber: null, address: null });
    expect(after?.consents.map((c) => [c.kind, c.purpose])).toEqual([
      ['given', 'check-in'],
      ['withdrawn', 'emr-transfer'],
      ['withdrawn', 'check-in'],
    ]);
    // Checking in again is a new record under a new consent.
    const again = await checkIn({ ...lan, idNumber: '079188054321', fullName: 'Trần Văn Bình' });
    expect((await patientOf(again.ticketId))?.id).not.toBe(id);
    expect((await api(server.url, reception, 'POST', '/api/patients/no-such/consent-withdrawal', {})).status).toBe(404);
    expect(
      (await api(server.url, reception, 'POST', `/api/patients/${id}/consent-withdrawal`, { purpose: 'marketing' }))
        .status,
    ).toBe(400);
  });

  it('erases a patient on request, keeping only what a law requires, and audits it', async () => {
    const receipt = await checkIn({ ...lan, idNumber: '079188099999', fullName: 'Lê Thị Hoa' });
    const id = (await patientOf(receipt.ticketId))?.id ?? '';
    const erased = await api<ErasureReport>(server.url, admin, 'POST', `/api/admin/patients/${id}/erase`);
    expect(erased.status).toBe(200);
    expect(erased.body.value?.removed).toMatchObject({ emrDeliveries: 1, patient: 1, receipts: 1 });
    const exported = await api<{
      patient: Record<string, unknown>;
      checkinRecords: unknown[];
      emrDeliveries: unknown[];
    }>(server.url, admin, 'GET', `/api/admin/patients/${id}/export`);
    expect(exported.body.value?.patient).toMatchObject({ fullName: '', idNumber: null, address: null });
    expect(exported.body.value?.patient['erasedAt']).toBe(new Date(nowMs).toISOString());
    expect(exported.body.value?.emrDeliveries).toEqual([]);
    expect(exported.body.value?.checkinRecords).toHaveLength(1);
    expect((await api(server.url, admin, 'POST', '/api/admin/patients/no-such/erase')).status).toBe(404);
    expect((await api(server.url, reception, 'POST', `/api/admin/patients/${id}/erase`)).status).toBe(403);
    const audit = await api<{ action: string; target: string | null }[]>(
      server.url,
      admin,
      'GET',
      '/api/admin/audit?limit=100',
    );
    expect(audit.body.value).toContainEqual(expect.objectContaining({ action: 'patient-erased', target: id }));
    expect(JSON.stringify(audit.body.value)).not.toMatch(/Hoa|Lan|079188/u);
  });

  it('serves the register of processing purposes with retention per data kind', async () => {
    const r = await api<ProcessingRegister>(server.url, admin, 'GET', '/api/admin/privacy/register');
    expect(r.body.value?.purposes.map((p) => p.id)).toEqual(
      expect.arrayContaining(['check-in', 'emr-transfer', 'insurance-check', 'insurance-claim', 'access-audit']),
    );
    expect(r.body.value?.retention).toContainEqual(
      expect.objectContaining({ kind: 'emr-delivery', days: 30, legalHold: false }),
    );
    expect(r.body.value?.retention).toContainEqual(expect.objectContaining({ kind: 'visit', days: 180 }));
    expect((await api(server.url, reception, 'GET', '/api/admin/privacy/register')).status).toBe(403);
  });

  it('keeps a breach log with the 72-hour notification deadline', async () => {
    const discovered = new Date(nowMs - 80 * 3600_000).toISOString();
    const recorded = await api<BreachRecord>(server.url, admin, 'POST', '/api/admin/breaches', {
      discoveredAt: discovered,
      description: 'A printed list of patients was left at the counter overnight',
      dataKinds: ['identity', 'visit'],
      subjectsEstimate: 40,
    });
    expect(recorded.status).toBe(200);
    expect(recorded.body.value).toMatchObject({
      notifyBy: new Date(nowMs - 8 * 3600_000).toISOString(),
      overdue: true,
      recordedBy: 'admin',
    });
    const id = recorded.body.value?.id ?? '';
    const notified = await api<BreachRecord>(server.url, admin, 'PATCH', `/api/admin/breaches/${id}`, {
      notifiedAt: new Date(nowMs).toISOString(),
      notificationRef: 'A05/2026/123',
    });
    expect(notified.body.value).toMatchObject({ overdue: false, notificationRef: 'A05/2026/123' });
    const list = await api<BreachRecord[]>(server.url, admin, 'GET', '/api/admin/breaches');
    expect(list.body.value?.map((b) => b.id)).toContain(id);
    expect((await api(server.url, admin, 'POST', '/api/admin/breaches', { description: 'x' })).status).toBe(400);
    expect((await api(server.url, reception, 'GET', '/api/admin/breaches')).status).toBe(403);
  });

  it('purges each data kind past its own retention', async () => {
    const r = await api<{ byKind: Record<string, number> }>(server.url, admin, 'POST', '/api/admin/retention/purge');
    expect(r.status).toBe(200);
    expect(Object.keys(r.body.value?.byKind ?? {}).sort()).toEqual(
      ['appointments', 'auditEntries', 'breaches', 'emrDeliveries', 'insuranceChecks'].sort(),
    );
  });
});
