/**
 * The Personal Data Protection Law's functions reach every table that holds a patient's data, on
 * SQLite and PostgreSQL, with column encryption on: a consent withdrawal stops only the processing
 * of the withdrawn purpose (the Decision 4750 portal submission, a legal obligation, stays; messages
 * to the patient's phone stop); the data-subject export and erasure cover appointments, payments,
 * notification opt-ins and identity conflicts; the retention purge takes what hung on a purged visit.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Appointment, CheckInRequest, ErasureReport } from '@kiosk/protocol';
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

const person = (n: number) => ({
  source: 'cccd-qr' as const,
  idNumber: `0791880770${String(n).padStart(2, '0')}`,
  fullName: `Phạm Thị Thu ${['An', 'Bích', 'Chi', 'Dung'][n] ?? 'Hà'}`,
  dateOfBirth: '1979-05-20',
  address: 'Phường Tân Định, TP. Hồ Chí Minh',
});

interface Exported {
  patient: Record<string, unknown>;
  emrDeliveries: { kind: string }[];
  checkinRecords: unknown[];
  appointments: { id: string; identity: { fullName?: string } | null }[];
  payments: { reference: string; visitId: string | null }[];
  notifications: { channel: string; phone: string | null }[];
  identityConflicts: { storedFullName: string; incomingFullName: string }[];
}

describe.each(databaseKinds)('personal data in every table (%s)', (kind) => {
  let server: RunningServer;
  let admin: string;
  let reception: string;
  let nowMs = Date.parse('2026-06-01T03:00:00Z');
  const clock = { now: () => new Date(nowMs) };

  beforeAll(async () => {
    server = await startServer(
      {
        ...(await databaseUrl(kind)),
        DATA_KEYS: `k1:${randomBytes(32).toString('base64')}`,
        RETENTION_PURGE_INTERVAL_MINUTES: '0',
        FACILITY_CODE: '92012',
        // An EMR and a portal nobody answers: deliveries stay unsent, as during an outage.
        ...unansweredEmr,
        PORTAL_MODE: 'on',
        PORTAL_URL: 'http://127.0.0.1:9/portal',
        PORTAL_USERNAME: 'bv92012',
        PORTAL_PASSWORD: 'portal-secret',
        PORTAL_TIMEOUT_MS: '200',
      },
      { clock },
    );
    admin = await login(server.url, 'admin', 'admin-demo');
    reception = await login(server.url, 'tiepdon', 'tiepdon-demo');
  });
  afterAll(() => server?.stop());

  const checkIn = (identity: CheckInRequest['identity']) => checkInWith(server, identity);
  const patientIdOf = async (ticketId: string) =>
    (await api<{ id: string }>(server.url, reception, 'GET', `/api/queue/tickets/${ticketId}/patient`)).body.value
      ?.id ?? '';
  const exportOf = async (patientId: string) => {
    const r = await api<Exported>(server.url, admin, 'GET', `/api/admin/patients/${patientId}/export`);
    if (!r.body.value) throw new Error(`export refused: ${r.status}`);
    return r.body.value;
  };
  /** A patient's phone opted in to be told about the ticket (as the status page's form stores it). */
  const optIn = (receipt: { ticketId: string; visitId: string }) =>
    server.app.repositories.ticketStatus.addSubscription(
      {
        id: randomUUID(),
        ticketId: receipt.ticketId,
        visitId: receipt.visitId,
        serviceId: 'noi-tong-quat',
        day: clock.now().toISOString().slice(0, 10),
        channel: 'sms',
        pushJson: null,
        phone: '0912345678',
      },
      clock.now().toISOString(),
    );
  const pay = async (visitId: string) => {
    const at = clock.now().toISOString();
    const reference = `KB${randomBytes(4).toString('hex').toUpperCase()}`;
    await server.app.repositories.payments.insert({
      id: randomUUID(),
      reference,
      service_id: 'noi-tong-quat',
      patient_class: 'fee-paying',
      amount_vnd: 50_000,
      method: 'vietqr',
      state: 'paid',
      agent_id: null,
      visit_id: visitId,
      qr_payload: '000201010212',
      day: at.slice(0, 10),
      created_at: at,
      expires_at: at,
      paid_at: at,
      bank_transaction_id: null,
      refunded_at: null,
      refunded_by: null,
    });
    return reference;
  };
  const book = async (identity: ReturnType<typeof person>) => {
    const r = await api<Appointment>(server.url, reception, 'POST', '/api/counter/appointments', {
      serviceId: 'noi-tong-quat',
      startsAt: new Date(nowMs + 2 * 3600_000).toISOString(),
      identity,
    });
    if (!r.body.value) throw new Error(`booking refused: ${r.status}`);
    return r.body.value;
  };
  const rawCount = async (query: ReturnType<typeof sql<{ n: number | string }>>) =>
    Number((await query.execute(server.app.services.db.kysely)).rows[0]?.n ?? 0);

  it('a withdrawal stops only its purpose: EMR deliveries go, the 4750 portal submission stays; check-in also stops messages', async () => {
    const receipt = await checkIn(person(0));
    const id = await patientIdOf(receipt.ticketId);
    await optIn(receipt);
    const kinds = async () => (await exportOf(id)).emrDeliveries.map((d) => d.kind).sort();
    expect(await kinds()).toEqual(['check-in', 'portal-4750']);

    const emr = await api<{ cancelledDeliveries: number }>(
      server.url,
      reception,
      'POST',
      `/api/patients/${id}/consent-withdrawal`,
      { purpose: 'emr-transfer' },
    );
    expect(emr.body.value?.cancelledDeliveries).toBe(1);
    expect(await kinds()).toEqual(['portal-4750']);
    expect((await exportOf(id)).notifications).toHaveLength(1);

    const all = await api<{ erasure: ErasureReport }>(
      server.url,
      reception,
      'POST',
      `/api/patients/${id}/consent-withdrawal`,
      { purpose: 'check-in' },
    );
    expect(all.body.value?.erasure.removed).toMatchObject({ notifications: 1, emrDeliveries: 0 });
    expect(all.body.value?.erasure.kept.map((k) => k.kind)).toEqual(expect.arrayContaining(['checkin-record']));
    const after = await exportOf(id);
    expect(after.notifications).toEqual([]);
    expect(after.checkinRecords).toHaveLength(1);
    expect(after.emrDeliveries.map((d) => d.kind)).toEqual(['portal-4750']);
    expect(after.patient).toMatchObject({ fullName: '', idNumber: null });
  });

  it('export and erasure cover appointments, payments, notification opt-ins and identity conflicts', async () => {
    const binh = person(1);
    const booking = await book(binh);
    const receipt = await checkIn(binh);
    // The same ID number under another name: kept as a conflict, both names sealed.
    const other = await checkIn({ ...binh, fullName: 'Võ Văn Khoa', dateOfBirth: '1960-01-01' });
    const id = await patientIdOf(receipt.ticketId);
    await optIn(receipt);
    const reference = await pay(receipt.visitId);

    const before = await exportOf(id);
    expect(before.appointments.map((a) => a.id)).toEqual([booking.appointmentId]);
    expect(before.appointments[0]?.identity).toMatchObject({ fullName: binh.fullName });
    expect(before.notifications).toEqual([expect.objectContaining({ channel: 'sms', phone: '0912345678' })]);
    expect(before.payments.map((p) => p.reference)).toEqual([reference]);
    expect(before.identityConflicts).toEqual([
      expect.objectContaining({ storedFullName: binh.fullName, incomingFullName: 'Võ Văn Khoa' }),
    ]);
    expect(other.visitId).not.toBe(receipt.visitId);

    const erased = await api<ErasureReport>(server.url, admin, 'POST', `/api/admin/patients/${id}/erase`);
    expect(erased.body.value?.removed).toMatchObject({ appointments: 1, notifications: 1, identityConflicts: 1 });
    expect(erased.body.value?.kept.map((k) => k.kind)).toContain('payment');
    const after = await exportOf(id);
    expect(after.appointments).toEqual([]);
    expect(after.notifications).toEqual([]);
    expect(after.identityConflicts).toEqual([]);
    expect(after.payments.map((p) => p.reference)).toEqual([reference]);
    // The booking is still a slot of the day, but holds no identity and matches no ID number.
    const slot = await server.app.repositories.appointments.byId(booking.appointmentId);
    expect(slot?.identity_sealed).toBeNull();
    expect(await server.app.repositories.appointments.forPatient([binh.idNumber], slot?.day ?? '')).toEqual([]);
  });

  it('the retention purge takes what hung on a purged visit and past bookings; payments stay, unlinked', async () => {
    const chi = person(2);
    await book(chi);
    const receipt = await checkIn(chi);
    await checkIn({ ...chi, fullName: 'Đỗ Văn Long', dateOfBirth: '1950-02-02' });
    await optIn(receipt);
    const reference = await pay(receipt.visitId);
    // Past every retention (patients and visits: 180 days by default).
    nowMs += 200 * 86_400_000;
    admin = await login(server.url, 'admin', 'admin-demo');
    const r = await api<{ visits: number; byKind: Record<string, number> }>(
      server.url,
      admin,
      'POST',
      '/api/admin/retention/purge',
    );
    expect(r.status).toBe(200);
    expect(r.body.value?.visits).toBeGreaterThanOrEqual(2);
    expect(r.body.value?.byKind).toHaveProperty('appointments');
    expect(await rawCount(sql<{ n: number }>`select count(*) as n from patients`)).toBe(0);
    expect(await rawCount(sql<{ n: number }>`select count(*) as n from notify_subscriptions`)).toBe(0);
    expect(await rawCount(sql<{ n: number }>`select count(*) as n from identity_conflicts`)).toBe(0);
    expect(await rawCount(sql<{ n: number }>`select count(*) as n from appointments`)).toBe(0);
    const payment = (
      await sql<{ visit_id: string | null }>`select visit_id from payments where reference = ${reference}`.execute(
        server.app.services.db.kysely,
      )
    ).rows;
    expect(payment).toEqual([{ visit_id: null }]);
  });
});
