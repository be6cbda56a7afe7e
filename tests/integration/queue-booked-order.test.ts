/**
 * Booked patients called by their booked time on a real server (SQLite and PostgreSQL): on time
 * ahead of walk-ins of the same service, early held until their window opens (walk-ins go
 * meanwhile), late beyond the window in the normal queue by arrival.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import type { AgentToServerEvents, Appointment, CalledTicket, Identity, ServerToAgentEvents } from '@kiosk/protocol';
import {
  api,
  databaseKinds,
  databaseUrl,
  login,
  startServer,
  stopDatabases,
  type RunningServer,
} from '../support/server-harness';
import { enrolledAgent, checkedIn } from '../support/server-process';

afterAll(() => stopDatabases());

const SERVICE = 'tai-mui-hong';
const clock = { at: new Date('2026-03-02T01:00:00Z'), now: () => new Date(clock.at) };
const setClock = (iso: string) => (clock.at = new Date(iso));

const patient = (n: number): Identity => ({
  source: 'chip',
  idNumber: `0791910${String(10000 + n).slice(-5)}`,
  fullName: 'Phạm Minh Đức',
  dateOfBirth: '1985-04-12',
  sex: 'male',
});

describe.each(databaseKinds)('booked patients called by booked time (%s)', (kind) => {
  let server: RunningServer;
  let agent: Socket<ServerToAgentEvents, AgentToServerEvents>;
  let reception: string;

  beforeAll(async () => {
    setClock('2026-03-02T01:00:00Z');
    server = await startServer(
      {
        ...(await databaseUrl(kind)),
        BOOTSTRAP_PAIRING_CODE: 'BOOKORDER123',
        APPOINTMENT_EARLY_MINUTES: '30',
        APPOINTMENT_LATE_MINUTES: '15',
      },
      { clock },
    );
    reception = await login(server.url, 'tiepdon', 'tiepdon-demo');
    agent = await enrolledAgent(server.url, 'BOOKORDER123', 'kiosk-thu-tu');
  }, 120_000);
  afterAll(async () => {
    agent?.close();
    await server?.stop();
  });

  const book = async (n: number, startsAt: string) => {
    const r = await api<Appointment>(server.url, reception, 'POST', '/api/counter/appointments', {
      serviceId: SERVICE,
      startsAt,
      identity: patient(n),
    });
    if (!r.body.value) throw new Error(`booking refused: ${r.status} ${r.body.error?.code}`);
    return r.body.value;
  };
  const arriveBooked = async (a: Appointment, at: string) => {
    setClock(at);
    const r = await agent.emitWithAck('appointment:check-in', {
      checkInId: randomUUID(),
      appointmentId: a.appointmentId,
      lookup: { by: 'booking-code', code: a.bookingCode },
      consent: true,
    });
    if (!r.ok) throw new Error(`booked check-in refused: ${r.error.code}`);
    return r.value.receipt.ticketId;
  };
  const walkIn = async (n: number, at: string) => {
    setClock(at);
    return (await checkedIn(agent, patient(n), SERVICE)).ticketId;
  };
  const callNext = async () =>
    (
      await api<CalledTicket | null>(server.url, reception, 'POST', '/api/queue/call-next', {
        serviceId: SERVICE,
        counter: '3',
      })
    ).body.value?.ticketId ?? null;

  it('on time by booked time ahead of walk-ins; early held until the window opens; late by arrival', async () => {
    // Booked at 08:00 for the day (times in UTC; Vietnam is UTC+7).
    const onTime = await book(1, '2026-03-02T02:20:00Z');
    const early = await book(2, '2026-03-02T03:30:00Z');
    const late = await book(3, '2026-03-02T01:40:00Z');
    const w1 = await walkIn(11, '2026-03-02T02:00:00Z');
    const w2 = await walkIn(12, '2026-03-02T02:01:00Z');
    const b1 = await arriveBooked(onTime, '2026-03-02T02:05:00Z');
    const b2 = await arriveBooked(early, '2026-03-02T02:06:00Z');
    const b3 = await arriveBooked(late, '2026-03-02T02:07:00Z');

    setClock('2026-03-02T02:10:00Z');
    const called = [await callNext(), await callNext(), await callNext(), await callNext()];
    expect(called).toEqual([b1, w1, w2, b3]);
    // Only the early booking waits, and its window (30 min before 03:30) has not opened.
    expect(await callNext()).toBeNull();
    setClock('2026-03-02T03:00:00Z');
    expect(await callNext()).toBe(b2);
  });
});
