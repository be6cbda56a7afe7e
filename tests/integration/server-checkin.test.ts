import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import type {
  AgentToServerEvents,
  CalledTicket,
  CheckInReceipt,
  CheckInRequest,
  Result,
  ServerToAgentEvents,
  ServerToDisplayEvents,
} from '@kiosk/protocol';
import {
  databaseKinds,
  databaseUrl,
  login,
  startServer,
  stopDatabases,
  type RunningServer,
  pairDisplay,
} from '../support/server-harness';

const identity = {
  source: 'cccd-qr' as const,
  idNumber: '079188012345',
  fullName: 'Nguyễn Thị Lan',
  dateOfBirth: '1988-03-12',
  sex: 'female' as const,
};

afterAll(() => stopDatabases());

describe.each(databaseKinds)('server check-in over a real socket.io link (%s)', (kind) => {
  let server: RunningServer;
  let agent: Socket<ServerToAgentEvents, AgentToServerEvents>;

  beforeAll(async () => {
    server = await startServer({ ...(await databaseUrl(kind)), BOOTSTRAP_PAIRING_CODE: 'TESTCODE1234' });
    const res = await fetch(`${server.url}/api/agents/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pairingCode: 'TESTCODE1234', name: 'kiosk-1' }),
    });
    const body = (await res.json()) as { ok: boolean; value: { credential: string } };
    expect(body.ok).toBe(true);
    agent = io(`${server.url}/agent`, { auth: { credential: body.value.credential }, transports: ['websocket'] });
    await new Promise<void>((resolve, reject) => {
      agent.once('connect', resolve);
      agent.once('connect_error', reject);
    });
  });
  afterAll(async () => {
    agent?.close();
    await server?.stop();
  });

  const checkIn = (req: CheckInRequest) =>
    new Promise<Result<CheckInReceipt>>((resolve) => agent.emit('checkin:submit', req, resolve));

  it('a pairing code is single use', async () => {
    const res = await fetch(`${server.url}/api/agents/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pairingCode: 'TESTCODE1234', name: 'kiosk-2' }),
    });
    expect(res.status).toBe(403);
  });

  it('refuses an agent without a valid credential', async () => {
    const bad = io(`${server.url}/agent`, {
      auth: { credential: 'x.y' },
      transports: ['websocket'],
      reconnection: false,
    });
    const error = await new Promise<Error>((resolve) => bad.once('connect_error', resolve));
    expect(error.message).toBe('unauthorized');
    bad.close();
  });

  it('issues consecutive numbers and replays a retried check-in', async () => {
    const first = await checkIn({
      checkInId: randomUUID(),
      identity,
      serviceId: 'noi-tong-quat',
      priorityClaims: [],
      consent: true,
    });
    const secondId = randomUUID();
    const second = await checkIn({
      checkInId: secondId,
      identity,
      serviceId: 'noi-tong-quat',
      priorityClaims: [],
      consent: true,
    });
    const retry = await checkIn({
      checkInId: secondId,
      identity,
      serviceId: 'noi-tong-quat',
      priorityClaims: [],
      consent: true,
    });
    if (!first.ok || !second.ok || !retry.ok) throw new Error('check-in failed');
    expect(first.value.ticket.number).toBe('A001');
    expect(second.value.ticket.number).toBe('A002');
    expect(retry.value.replayed).toBe(true);
    expect(retry.value.ticketId).toBe(second.value.ticketId);
    expect(second.value.ticket.maskedName).toBe('N. T. Lan');
  });

  it('matches a returning patient by ID number, then by insurance number, never duplicating', async () => {
    const token = await login(server.url, 'tiepdon', 'tiepdon-demo');
    const patientOf = async (r: Result<CheckInReceipt>) => {
      if (!r.ok) throw new Error(r.error.code);
      const res = await fetch(`${server.url}/api/queue/tickets/${r.value.ticketId}/patient`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return ((await res.json()) as { value: { id: string; insuranceNumber: string | null } }).value;
    };
    const submit = (identity: CheckInRequest['identity']) =>
      checkIn({ checkInId: randomUUID(), identity, serviceId: 'nhi-khoa', priorityClaims: [], consent: true });
    const chip = {
      source: 'chip' as const,
      idNumber: '001199000111',
      fullName: 'Lý Văn Tám',
      dateOfBirth: '1990-01-01',
    };
    const first = await patientOf(await submit(chip));
    expect((await patientOf(await submit(chip))).id).toBe(first.id);
    const withCard = await patientOf(await submit({ ...chip, insuranceNumber: 'GD4797912345678' }));
    expect(withCard).toMatchObject({ id: first.id, insuranceNumber: 'GD4797912345678' });
    const cardOnly = {
      source: 'bhyt-qr' as const,
      insuranceNumber: 'GD4797912345678',
      fullName: 'Lý Văn Tám',
      dateOfBirth: '1990',
    };
    expect((await patientOf(await submit(cardOnly))).id).toBe(first.id);
  });

  it('rejects an invalid payload with a named field', async () => {
    const r = await checkIn({ checkInId: 'not-a-uuid' } as unknown as CheckInRequest);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('validation-failed');
  });

  it('staff call the next ticket and the display hears it', async () => {
    const token = await login(server.url, 'tiepdon', 'tiepdon-demo');
    const display: Socket<ServerToDisplayEvents> = io(`${server.url}/display`, {
      auth: { credential: await pairDisplay(server.url, await login(server.url, 'admin', 'admin-demo')) },
      transports: ['websocket'],
    });
    const heard = new Promise<CalledTicket>((resolve) => display.on('call:announced', resolve));
    await new Promise<void>((resolve) => display.once('connect', () => resolve()));
    const res = await fetch(`${server.url}/api/queue/call-next`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ serviceId: 'noi-tong-quat', counter: '1' }),
    });
    const body = (await res.json()) as { ok: boolean; value: CalledTicket };
    expect(body.value.number).toBe('A001');
    const call = await heard;
    expect(call).toMatchObject({ number: 'A001', room: '101' });
    expect(JSON.stringify(call)).not.toMatch(/Lan|079188/u);
    display.close();
  });

  it('refuses staff routes without a session and with the wrong role', async () => {
    expect((await fetch(`${server.url}/api/queue`)).status).toBe(401);
    const viewer = await login(server.url, 'xem', 'xem-demo');
    const res = await fetch(`${server.url}/api/queue/call-next`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${viewer}` },
      body: JSON.stringify({ serviceId: 'noi-tong-quat', counter: '1' }),
    });
    expect(res.status).toBe(403);
  });

  it('answers health and readiness', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${server.url}/readyz`);
    expect(await ready.json()).toMatchObject({ status: 'ready', database: kind });
  });
});
