/**
 * A check-in the kiosk issued offline gets its BHYT check after the replay: through a real server
 * and the gateway's contract simulator, an insured replayed check-in ends with the visit's
 * insurance check; a gateway that is down does not hold the replay up and the check lands once
 * it is back; a refused card raises the staff alert (ticket number and reason key only); a
 * check-in replayed twice is checked once. A site that does not check cards, or a patient with
 * neither a card nor a CCCD number, queues no check.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offlineTicket } from '@kiosk/device-agent';
import type {
  CheckInRequest,
  FleetAlert,
  Identity,
  OfflineCheckIn,
  OfflineLease,
  ReplayOutcome,
  Result,
} from '@kiosk/protocol';
import { startBhytSimulator, type BhytSimulator, type SimCard } from '../support/bhyt-simulator';
import {
  api,
  databaseKinds,
  databaseUrl,
  login,
  startServer,
  stopDatabases,
  type RunningServer,
} from '../support/server-harness';
import { enrolledAgent, type AgentSocket } from '../support/server-process';
import { until } from '../support/until';

const SERVICE = 'noi-tong-quat';
const card = (maThe: string, extra: Partial<SimCard> = {}): SimCard => ({
  maThe,
  hoTen: 'Nguyễn Thị Lan',
  ngaySinh: '12/03/1988',
  gioiTinh: 'Nữ',
  maDKBD: '92012',
  gtTheTu: '01/01/2026',
  gtTheDen: '31/12/2099',
  ...extra,
});
const insured = (insuranceNumber: string): Identity => ({
  source: 'bhyt-qr',
  insuranceNumber,
  fullName: 'Nguyễn Thị Lan',
  dateOfBirth: '1988-03-12',
  sex: 'female',
});

/** The kiosk's lease of today's numbers for the service. */
async function serviceLease(agent: AgentSocket): Promise<OfflineLease> {
  const leases = await new Promise<Result<OfflineLease[]>>((resolve) =>
    agent.emit('lease:take', { remaining: [] }, resolve),
  );
  const lease = leases.ok ? leases.value.find((l) => l.serviceId === SERVICE) : undefined;
  if (!lease) throw new Error('no lease for the service');
  return lease;
}

afterAll(() => stopDatabases());

describe.each(databaseKinds)('BHYT check of replayed offline check-ins (%s)', (kind) => {
  let sim: BhytSimulator;
  let server: RunningServer;
  let agent: AgentSocket;
  let admin: string;
  let lease: OfflineLease;
  let seq = 0;

  beforeAll(async () => {
    sim = await startBhytSimulator();
    sim.cards.set('GD4797912345678', card('GD4797912345678'));
    sim.cards.set('GD4797900000021', card('GD4797900000021'));
    sim.cards.set('GD4797900000010', card('GD4797900000010', { gtTheDen: '31/12/2025' }));
    sim.cards.set('GD4797900000031', card('GD4797900000031'));
    sim.cards.set('GD4797900000041', card('GD4797900000041', { soCCCD: '079188012341', hoTen: 'Lê Văn Tư' }));
    server = await startServer({
      ...(await databaseUrl(kind)),
      BOOTSTRAP_PAIRING_CODE: 'RECHECK12345',
      DATA_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      FACILITY_CODE: '92012',
      BHYT_MODE: 'required',
      BHYT_GATEWAY_URL: sim.url,
      BHYT_USERNAME: sim.username,
      BHYT_PASSWORD: sim.password,
      BHYT_STAFF_NAME: 'Trần Văn Bình',
      BHYT_STAFF_CCCD: '092080001234',
      BHYT_TIMEOUT_MS: '1000',
      BHYT_CACHE_SECONDS: '0',
      OUTBOX_POLL_MS: '50',
      OUTBOX_BACKOFF_BASE_MS: '50',
      OUTBOX_BACKOFF_MAX_MS: '200',
    });
    admin = await login(server.url, 'admin', 'admin-demo');
    agent = await enrolledAgent(server.url, 'RECHECK12345', 'kiosk-recheck');
    lease = await serviceLease(agent);
    seq = lease.firstSeq - 1;
  });
  afterAll(async () => {
    agent?.close();
    await server?.stop();
    await sim?.close();
  });

  /** A check-in as the kiosk journals it while the server is unreachable. */
  const offlineCheckIn = (identity: Identity): OfflineCheckIn => {
    seq += 1;
    const request: CheckInRequest = {
      checkInId: randomUUID(),
      identity,
      serviceId: SERVICE,
      priorityClaims: [],
      consent: true,
    };
    return {
      request,
      ticket: offlineTicket(request, lease, seq, new Date()),
      serviceId: SERVICE,
      day: lease.day,
      seq,
      print: 'confirmed',
    };
  };
  const replay = async (...checkIns: OfflineCheckIn[]): Promise<ReplayOutcome[]> => {
    const r = await new Promise<Result<ReplayOutcome[]>>((resolve) =>
      agent.emit('checkin:replay', { checkIns }, resolve),
    );
    if (!r.ok) throw new Error(r.error.code);
    return r.value;
  };
  const visitOf = async (checkInId: string): Promise<string> =>
    (
      await server.app.services.db.kysely
        .selectFrom('visits')
        .select('id')
        .where('check_in_id', '=', checkInId)
        .executeTakeFirstOrThrow()
    ).id;
  const checksOf = async (visitId: string) =>
    (
      await api<{ verdict: string; resultCode: string | null; messageKey: string; cardNumber: string | null }[]>(
        server.url,
        admin,
        'GET',
        `/api/admin/visits/${visitId}/insurance`,
      )
    ).body.value ?? [];
  const rechecksOf = (visitId: string) =>
    server.app.services.db.kysely
      .selectFrom('emr_outbox')
      .select('status')
      .where('visit_id', '=', visitId)
      .where('kind', '=', 'insurance-recheck')
      .execute();
  const lookupsOf = (maThe: string) => sim.lookups.filter((l) => l.body['maThe'] === maThe).length;

  it('an insured replayed check-in: the visit gets the gateway verdict as its insurance check', async () => {
    const item = offlineCheckIn(insured('GD4797912345678'));
    expect(await replay(item)).toMatchObject([{ state: 'stored' }]);
    const visitId = await visitOf(item.request.checkInId);
    await until(async () => expect(await checksOf(visitId)).toHaveLength(1), { what: 'the insurance check' });
    expect(await checksOf(visitId)).toMatchObject([
      { verdict: 'eligible', resultCode: '000', messageKey: 'insurance.eligible', cardNumber: 'GD4797912345678' },
    ]);
    // The recheck's payload is sealed at rest, like the EMR's.
    const raw = await server.app.services.db.kysely
      .selectFrom('emr_outbox')
      .select(['payload_json', 'patient_key'])
      .where('visit_id', '=', visitId)
      .where('kind', '=', 'insurance-recheck')
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(raw)).not.toMatch(/GD4797912345678|Nguyễn|1988-03-12/u);
  });

  it('a CCCD-only patient is looked up by the CCCD number, as at an online check-in', async () => {
    const item = offlineCheckIn({
      source: 'cccd-qr',
      idNumber: '079188012341',
      fullName: 'Lê Văn Tư',
      dateOfBirth: '1988-03-12',
    });
    expect(await replay(item)).toMatchObject([{ state: 'stored' }]);
    const visitId = await visitOf(item.request.checkInId);
    await until(async () => expect(await checksOf(visitId)).toHaveLength(1), { what: 'the insurance check' });
    expect(await checksOf(visitId)).toMatchObject([{ verdict: 'eligible', cardNumber: 'GD4797900000041' }]);
    expect(lookupsOf('079188012341')).toBe(1);
  });

  it('the gateway down: the replay is stored at once; the check lands once the gateway is back', async () => {
    sim.down = true;
    const item = offlineCheckIn(insured('GD4797900000021'));
    expect(await replay(item)).toMatchObject([{ state: 'stored' }]);
    const visitId = await visitOf(item.request.checkInId);
    const recheck = () =>
      server.app.services.db.kysely
        .selectFrom('emr_outbox')
        .select(['status', 'attempts', 'last_error_code'])
        .where('visit_id', '=', visitId)
        .where('kind', '=', 'insurance-recheck')
        .executeTakeFirstOrThrow();
    await until(async () => expect(Number((await recheck()).attempts)).toBeGreaterThan(0), {
      what: 'a failed attempt while the gateway is down',
    });
    expect(await recheck()).toMatchObject({ status: 'pending', last_error_code: 'bhyt-unavailable' });
    expect(await checksOf(visitId)).toEqual([]);
    sim.down = false;
    await until(async () => expect(await checksOf(visitId)).toHaveLength(1), {
      what: 'the insurance check after the gateway came back',
    });
    expect(await checksOf(visitId)).toMatchObject([{ verdict: 'eligible', resultCode: '000' }]);
    await until(async () => expect((await recheck()).status).toBe('delivered'), { what: 'the recheck delivered' });
  });

  it('a card the gateway refuses: the verdict is stored and staff get an alert with the ticket and reason only', async () => {
    const item = offlineCheckIn(insured('GD4797900000010'));
    expect(await replay(item)).toMatchObject([{ state: 'stored' }]);
    const visitId = await visitOf(item.request.checkInId);
    const refused = async () =>
      ((await api<FleetAlert[]>(server.url, admin, 'GET', '/api/admin/alerts')).body.value ?? []).filter(
        (a) => a.kind === 'offline-insurance-refused' && a.deviceId === item.request.checkInId,
      );
    await until(async () => expect(await refused()).toHaveLength(1), { what: 'the refused-card alert' });
    expect((await refused())[0]).toMatchObject({
      severity: 'warning',
      resolvedAt: null,
      detail: `${item.ticket.number}:insurance.card-expired`,
    });
    expect(JSON.stringify(await refused())).not.toMatch(/GD479|Nguyễn/u);
    expect(await checksOf(visitId)).toMatchObject([{ verdict: 'expired', resultCode: '010' }]);
  });

  it('a patient with neither a card nor a CCCD number: no check is queued', async () => {
    const item = offlineCheckIn({ source: 'manual', fullName: 'Lê Văn Năm', dateOfBirth: '1970-01-01' });
    expect(await replay(item)).toMatchObject([{ state: 'stored' }]);
    const visitId = await visitOf(item.request.checkInId);
    expect(await rechecksOf(visitId)).toEqual([]);
  });

  it('the same check-in replayed twice is checked once', async () => {
    const item = offlineCheckIn(insured('GD4797900000031'));
    expect(await replay(item)).toMatchObject([{ state: 'stored' }]);
    expect(await replay(item)).toMatchObject([{ state: 'already' }]);
    const visitId = await visitOf(item.request.checkInId);
    await until(async () => expect(await rechecksOf(visitId)).toEqual([{ status: 'delivered' }]), {
      what: 'one recheck, delivered',
    });
    expect(lookupsOf('GD4797900000031')).toBe(1);
    expect(await checksOf(visitId)).toHaveLength(1);
  });
});

describe('a site that does not check BHYT cards (BHYT_MODE=off)', () => {
  let server: RunningServer;
  let agent: AgentSocket;
  beforeAll(async () => {
    server = await startServer({ BOOTSTRAP_PAIRING_CODE: 'RECHECKOFF12' });
    agent = await enrolledAgent(server.url, 'RECHECKOFF12', 'kiosk-recheck-off');
  });
  afterAll(async () => {
    agent?.close();
    await server?.stop();
  });

  it('a replayed insured check-in is stored with no check queued', async () => {
    const lease = await serviceLease(agent);
    const request: CheckInRequest = {
      checkInId: randomUUID(),
      identity: insured('GD4797912345678'),
      serviceId: SERVICE,
      priorityClaims: [],
      consent: true,
    };
    const item: OfflineCheckIn = {
      request,
      ticket: offlineTicket(request, lease, lease.firstSeq, new Date()),
      serviceId: SERVICE,
      day: lease.day,
      seq: lease.firstSeq,
      print: 'confirmed',
    };
    const r = await new Promise<Result<ReplayOutcome[]>>((resolve) =>
      agent.emit('checkin:replay', { checkIns: [item] }, resolve),
    );
    expect(r).toMatchObject({ ok: true, value: [{ state: 'stored' }] });
    const kinds = await server.app.services.db.kysely.selectFrom('emr_outbox').select('kind').execute();
    expect(kinds.filter((k) => k.kind === 'insurance-recheck')).toEqual([]);
  });
});
