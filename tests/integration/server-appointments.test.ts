/**
 * Booked appointments on a real server over SQLite and PostgreSQL: booked at the counter, found at
 * the kiosk by booking QR, booking code and identity card, checked in with one tap to the booked
 * service (the appointment arrived), moved, cancelled, and the day closed with its no-shows — by
 * hand, and by the server itself when the session ends or at start for a day left open.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import type { Appointment, AgentToServerEvents, Identity, ServerToAgentEvents } from '@kiosk/protocol';
import {
  api,
  databaseKinds,
  databaseUrl,
  login,
  startServer,
  stopDatabases,
  type RunningServer,
} from '../support/server-harness';
import { enrolledAgent } from '../support/server-process';
import { until } from '../support/until';

afterAll(() => stopDatabases());

/** 09:00 in Vietnam on a Monday. */
const clock = { at: new Date('2026-03-02T02:00:00Z'), now: () => new Date(clock.at) };

const patient = (n: number): Identity => ({
  source: 'chip',
  idNumber: `0791900${String(10000 + n).slice(-5)}`,
  fullName: 'Phạm Minh Đức',
  dateOfBirth: '1985-04-12',
  sex: 'male',
});

describe.each(databaseKinds)('booked appointments at the kiosk (%s)', (kind) => {
  let server: RunningServer;
  let agent: Socket<ServerToAgentEvents, AgentToServerEvents>;
  let reception: string;

  beforeAll(async () => {
    server = await startServer({ ...(await databaseUrl(kind)), BOOTSTRAP_PAIRING_CODE: 'APPTCODE1234' }, { clock });
    reception = await login(server.url, 'tiepdon', 'tiepdon-demo');
    agent = await enrolledAgent(server.url, 'APPTCODE1234', 'kiosk-dat-lich');
  });
  afterAll(async () => {
    agent?.close();
    await server?.stop();
  });

  const book = async (n: number, startsAt: string, serviceId = 'tai-mui-hong') => {
    const r = await api<Appointment>(server.url, reception, 'POST', '/api/counter/appointments', {
      serviceId,
      startsAt,
      doctor: 'BS. Trần Thị Hoa',
      identity: patient(n),
    });
    if (!r.body.value) throw new Error(`booking refused: ${r.status} ${r.body.error?.code}`);
    return r.body.value;
  };

  it('a booking made at the counter is found by code, by QR link and by the ID card, with its timing', async () => {
    const a = await book(1, '2026-03-02T02:20:00Z');
    expect(a).toMatchObject({ status: 'booked', source: 'local', serviceId: 'tai-mui-hong', timing: 'on-time' });
    const byCode = await agent.emitWithAck('appointment:find', {
      by: 'booking-code',
      code: a.bookingCode.toLowerCase(),
    });
    expect(byCode.ok && byCode.value.map((x) => x.appointmentId)).toEqual([a.appointmentId]);
    const byQr = await agent.emitWithAck('appointment:find', {
      by: 'booking-qr',
      payload: `https://benhvien.example.vn/lich-hen?code=${a.bookingCode}`,
    });
    expect(byQr.ok && byQr.value.map((x) => x.appointmentId)).toEqual([a.appointmentId]);
    const byCard = await agent.emitWithAck('appointment:find', { by: 'identity', identity: patient(1) });
    expect(byCard.ok && byCard.value.map((x) => x.appointmentId)).toEqual([a.appointmentId]);
    const stranger = await agent.emitWithAck('appointment:find', { by: 'identity', identity: patient(99) });
    expect(stranger).toEqual({ ok: true, value: [] });
    const notBooking = await agent.emitWithAck('appointment:find', { by: 'booking-qr', payload: 'xin chào' });
    expect(notBooking.ok || notBooking.error.code).toBe('not-a-booking-qr');
    const early = await book(2, '2026-03-02T04:00:00Z');
    expect(early.timing).toBe('early');
  });

  it('one tap by booking code checks in to the booked service; a retry answers the same ticket', async () => {
    const a = await book(3, '2026-03-02T02:10:00Z');
    const request = {
      checkInId: randomUUID(),
      appointmentId: a.appointmentId,
      lookup: { by: 'booking-code' as const, code: a.bookingCode },
      consent: true as const,
    };
    const done = await agent.emitWithAck('appointment:check-in', request);
    expect(done.ok).toBe(true);
    if (!done.ok) return;
    expect(done.value.appointment.status).toBe('arrived');
    expect(done.value.receipt.ticket.number).toMatch(/^[A-Z]{1,3}\d{3}$/u);
    const queue = await api<{ ticketId: string; serviceId: string }[]>(server.url, reception, 'GET', '/api/queue');
    expect(queue.body.value?.find((e) => e.ticketId === done.value.receipt.ticketId)?.serviceId).toBe('tai-mui-hong');
    const again = await agent.emitWithAck('appointment:check-in', request);
    expect(again.ok && again.value.receipt.ticketId).toBe(done.value.receipt.ticketId);
    expect(again.ok && again.value.receipt.replayed).toBe(true);
  });

  it('by the ID card the card is the identity; another booking code cannot check this appointment in', async () => {
    const a = await book(4, '2026-03-02T02:30:00Z');
    const other = await book(5, '2026-03-02T02:30:00Z');
    const wrong = await agent.emitWithAck('appointment:check-in', {
      checkInId: randomUUID(),
      appointmentId: a.appointmentId,
      lookup: { by: 'booking-code', code: other.bookingCode },
      consent: true,
    });
    expect(wrong.ok || wrong.error.code).toBe('unknown-appointment');
    const done = await agent.emitWithAck('appointment:check-in', {
      checkInId: randomUUID(),
      appointmentId: a.appointmentId,
      lookup: { by: 'identity', identity: patient(4) },
      consent: true,
    });
    expect(done.ok && done.value.appointment.status).toBe('arrived');
  });

  it('moved and cancelled at the counter; closing the day marks the rest no-show', async () => {
    const a = await book(6, '2026-03-02T03:00:00Z');
    const moved = await api<Appointment>(
      server.url,
      reception,
      'POST',
      `/api/counter/appointments/${a.appointmentId}/move`,
      { startsAt: '2026-03-03T03:00:00Z' },
    );
    expect(moved.body.value?.startsAt).toBe('2026-03-03T03:00:00.000Z');
    const today = await agent.emitWithAck('appointment:find', { by: 'booking-code', code: a.bookingCode });
    expect(today).toEqual({ ok: true, value: [] });
    const b = await book(7, '2026-03-02T03:00:00Z');
    const cancelled = await api<Appointment>(
      server.url,
      reception,
      'POST',
      `/api/counter/appointments/${b.appointmentId}/cancel`,
    );
    expect(cancelled.body.value?.status).toBe('cancelled');
    const again = await api(server.url, reception, 'POST', `/api/counter/appointments/${b.appointmentId}/cancel`);
    expect(again.body.error?.code).toBe('invalid-transition');
    const closed = await api<{ noShows: number }>(server.url, reception, 'POST', '/api/counter/appointments/close-day');
    // Booked for today and never arrived: the one only looked up, the early one, the other of the pair.
    expect(closed.body.value?.noShows).toBe(3);
    const day = await api<Appointment[]>(server.url, reception, 'GET', '/api/counter/appointments?day=2026-03-02');
    const statuses = day.body.value?.map((x) => x.status).sort();
    expect(statuses).toEqual(['arrived', 'arrived', 'cancelled', 'noshow', 'noshow', 'noshow']);
    // The admin reports count them with the day and service they were booked for.
    const admin = await login(server.url, 'admin', 'admin-demo');
    const report = await api<{
      rows: { serviceId: string; appointmentNoShows?: number }[];
      totals: { appointmentNoShows?: number };
    }>(server.url, admin, 'GET', '/api/admin/reports?from=2026-03-02&to=2026-03-02&period=day');
    expect(report.body.value?.totals.appointmentNoShows).toBe(3);
    expect(report.body.value?.rows.find((r) => r.serviceId === 'tai-mui-hong')?.appointmentNoShows).toBe(3);
  });
});

describe.each(databaseKinds)('the session closes by itself (%s)', (kind) => {
  /** 09:00 in Vietnam. */
  const at = { now: new Date('2026-03-09T02:00:00Z') };
  const timeClock = { now: () => new Date(at.now) };
  let dir = '';
  let env: Record<string, string> = {};
  let server: RunningServer | undefined;
  const start = async () => {
    server = await startServer(
      { ...env, APPOINTMENTS_CLOSE_AT: '17:00', APPOINTMENTS_CLOSE_CHECK_MS: '50' },
      { clock: timeClock },
    );
    return server;
  };
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-close-'));
    env = kind === 'sqlite' ? { DATABASE_URL: `sqlite:${path.join(dir, 'kiosk.sqlite')}` } : await databaseUrl(kind);
  });
  afterAll(async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('after the session ends, bookings whose time has passed become no-shows; an evening booking waits; a day left open closes at start', async () => {
    const s = await start();
    const reception = await login(s.url, 'tiepdon', 'tiepdon-demo');
    const book = async (n: number, startsAt: string) => {
      const r = await api<Appointment>(s.url, reception, 'POST', '/api/counter/appointments', {
        serviceId: 'nhi-khoa',
        startsAt,
        identity: patient(200 + n),
      });
      if (!r.body.value) throw new Error(`booking refused: ${r.status} ${r.body.error?.code}`);
      return r.body.value;
    };
    const statusOf = async (day: string) => {
      const r = await api<Appointment[]>(s.url, reception, 'GET', `/api/counter/appointments?day=${day}`);
      return Object.fromEntries((r.body.value ?? []).map((a) => [a.appointmentId, a.status]));
    };
    const morning = await book(1, '2026-03-09T02:30:00Z'); // 09:30
    const evening = await book(2, '2026-03-09T11:00:00Z'); // 18:00
    const tomorrow = await book(3, '2026-03-10T02:30:00Z');
    // 16:59: the session has not ended; nothing is closed however often the server looks.
    at.now = new Date('2026-03-09T09:59:00Z');
    await s.app.services.appointments.closeDue();
    expect(await statusOf('2026-03-09')).toEqual({
      [morning.appointmentId]: 'booked',
      [evening.appointmentId]: 'booked',
    });
    // 17:05: the server's own check marks the morning booking; the 18:00 one is still to come.
    at.now = new Date('2026-03-09T10:05:00Z');
    await until(async () => (await statusOf('2026-03-09'))[morning.appointmentId] === 'noshow');
    expect((await statusOf('2026-03-09'))[evening.appointmentId]).toBe('booked');
    // The server is down from 17:30 until the next morning: the evening booking is closed at start.
    await s.stop();
    server = undefined;
    at.now = new Date('2026-03-10T01:00:00Z');
    const again = await start();
    const reception2 = await login(again.url, 'tiepdon', 'tiepdon-demo');
    const r = await api<Appointment[]>(again.url, reception2, 'GET', '/api/counter/appointments?day=2026-03-09');
    expect(Object.fromEntries((r.body.value ?? []).map((a) => [a.appointmentId, a.status]))).toEqual({
      [morning.appointmentId]: 'noshow',
      [evening.appointmentId]: 'noshow',
    });
    const next = await api<Appointment[]>(again.url, reception2, 'GET', '/api/counter/appointments?day=2026-03-10');
    expect(next.body.value?.map((a) => [a.appointmentId, a.status])).toEqual([[tomorrow.appointmentId, 'booked']]);
    // Closing again closes nothing twice.
    expect(await again.app.services.appointments.closeDue()).toBe(0);
  });
});
