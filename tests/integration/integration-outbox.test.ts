/**
 * Never lose, never duplicate: check-ins through a real server whose EMR is a real FHIR engine.
 * The engine is down for a whole burst of check-ins — every ticket is issued all the same, the
 * deliveries wait, the EMR alert goes up — then it comes back and every check-in is delivered
 * exactly once (Patients and Encounters counted in the engine), the alert resolves. A delivery
 * repeated after a lost acknowledgement matches instead of duplicating. Runs on SQLite and, where
 * installed, PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import type { AgentToServerEvents, FleetAlert, Identity, ServerToAgentEvents } from '@kiosk/protocol';
import type { Encounter, Patient } from '@medplum/fhirtypes';
import type { DeliveryView, EmrCheckIn } from '@kiosk/server';
import { VN_SID } from '@kiosk/server';
import {
  api,
  databaseKinds,
  databaseUrl,
  login,
  startServer,
  stopDatabases,
  type RunningServer,
} from '../support/server-harness';
import { startFhirEngine, type FhirEngine } from '../support/fhir-engine';
import { until as waitUntil } from '../support/until';
import { enrolledAgent, submitCheckIn } from '../support/server-process';

afterAll(() => stopDatabases());

const patient = (i: number): Identity => ({
  source: 'cccd-qr',
  idNumber: `07918801${String(i).padStart(4, '0')}`,
  ...(i % 2 === 0 ? { insuranceNumber: `GD479${String(i).padStart(10, '0')}` } : {}),
  fullName: `Nguyễn Văn Thử ${i}`,
  dateOfBirth: '1980-01-15',
  sex: 'male',
});

/** The outbox drains on its own schedule: poll what the server reports. */
const until = (what: string, check: () => Promise<boolean>) =>
  waitUntil(check, { what, timeoutMs: 30_000, intervalMs: 50 });

describe.each(databaseKinds)('EMR outbox with the FHIR engine down for a burst (%s)', (kind) => {
  let engine: FhirEngine;
  let server: RunningServer;
  let agent: Socket<ServerToAgentEvents, AgentToServerEvents>;
  let admin: string;

  beforeAll(async () => {
    engine = await startFhirEngine();
    server = await startServer({
      ...(await databaseUrl(kind)),
      BOOTSTRAP_PAIRING_CODE: 'OUTBOXCODE12',
      EMR_MODE: 'fhir',
      FACILITY_CODE: '92012',
      FHIR_BASE_URL: engine.baseUrl,
      FHIR_TOKEN_URL: engine.tokenUrl,
      FHIR_CLIENT_ID: engine.clientId,
      FHIR_CLIENT_SECRET: engine.clientSecret,
      FHIR_TIMEOUT_MS: '1000',
      OUTBOX_POLL_MS: '50',
      OUTBOX_BACKOFF_BASE_MS: '50',
      OUTBOX_BACKOFF_MAX_MS: '400',
      EMR_ALERT_AFTER_FAILURES: '2',
    });
    agent = await enrolledAgent(server.url, 'OUTBOXCODE12', 'kiosk-outbox');
    admin = await login(server.url, 'admin', 'admin-demo');
  });
  afterAll(async () => {
    agent?.close();
    await server?.stop();
    await engine?.close();
  });

  const checkIn = (identity: Identity) => submitCheckIn(agent, identity);
  const deliveries = async (status: string) =>
    (
      await api<{ depth: Record<string, number>; deliveries: DeliveryView[] }>(
        server.url,
        admin,
        'GET',
        `/api/admin/emr/deliveries?status=${status}&limit=1000`,
      )
    ).body.value;
  const emrAlert = async () =>
    ((await api<FleetAlert[]>(server.url, admin, 'GET', '/api/admin/alerts')).body.value ?? []).find(
      (a) => a.kind === 'emr-delivery-failing',
    );

  it('issues every ticket while the EMR is down, then delivers each check-in exactly once', async () => {
    await engine.down();
    // 30 patients, 10 of them twice (a second visit the same day): 40 check-ins in one burst.
    // Concurrent check-ins of one new patient race in the check-in service on PostgreSQL (a unique
    // violation on the ID number): the second visits come after the first ones.
    const first = await Promise.all(Array.from({ length: 30 }, (_, i) => checkIn(patient(i))));
    const again = await Promise.all(Array.from({ length: 10 }, (_, i) => checkIn(patient(i * 3))));
    const receipts = [...first, ...again];
    expect(receipts.every((r) => r.ok)).toBe(true);
    const numbers = receipts.map((r) => (r.ok ? r.value.ticket.number : ''));
    expect(new Set(numbers).size).toBe(40);

    await until('the EMR alert', async () => (await emrAlert()) !== undefined);
    const waiting = await deliveries('pending,delivering');
    expect(waiting?.deliveries.length).toBe(40);
    expect(waiting?.deliveries.some((d) => d.lastErrorCode === 'emr-unavailable')).toBe(true);

    await engine.up();
    await until('the outbox to drain', async () => {
      const d = await deliveries('pending,delivering,failed');
      return d?.deliveries.length === 0;
    });
    expect((await deliveries('delivered'))?.deliveries.length).toBe(40);
    expect(await engine.count('Patient')).toBe(30);
    expect(await engine.count('Encounter')).toBe(40);
    expect(await engine.count('Coverage')).toBe(15);
    // One Encounter per check-in, identified by the visit number stored with the check-in.
    const visitNumbers = await server.app.services.db.kysely.selectFrom('checkin_records').select('ma_lk').execute();
    const encounters = await engine.search<Encounter>('Encounter');
    expect(new Set(encounters.map((e) => e.identifier?.[0]?.value))).toEqual(new Set(visitNumbers.map((v) => v.ma_lk)));
    await until('the EMR alert to resolve', async () => (await emrAlert()) === undefined);
  });

  it('a delivery repeated after a lost acknowledgement matches and duplicates nothing', async () => {
    const row = await server.app.services.db.kysely
      .selectFrom('emr_outbox')
      .selectAll()
      .where('status', '=', 'delivered')
      .executeTakeFirstOrThrow();
    const before = { p: await engine.count('Patient'), e: await engine.count('Encounter') };
    const again = await server.app.integrations.emr.deliverCheckIn(JSON.parse(row.payload_json) as EmrCheckIn, {
      controlId: row.control_id,
    });
    expect(again).toMatchObject({ ok: true, value: { patient: 'matched', encounter: 'matched' } });
    expect({ p: await engine.count('Patient'), e: await engine.count('Encounter') }).toEqual(before);
  });

  it("an admin sends a patient's corrected details to the EMR through the outbox", async () => {
    const { kysely } = server.app.services.db;
    const p = await kysely
      .selectFrom('patients')
      .select(['id', 'id_number'])
      .where('id_number', '=', patient(5).idNumber ?? '')
      .executeTakeFirstOrThrow();
    await kysely
      .updateTable('patients')
      .set({ address: 'Quận Cái Răng, TP. Cần Thơ' })
      .where('id', '=', p.id)
      .execute();
    const r = await api(server.url, admin, 'POST', `/api/admin/emr/patients/${p.id}/update`);
    expect(r.status).toBe(200);
    await until('the patient update', async () => {
      const [found] = await engine.search<Patient>('Patient', { identifier: `${VN_SID.nationalId}|${p.id_number}` });
      return found?.address?.[0]?.text === 'Quận Cái Răng, TP. Cần Thơ';
    });
    expect(await engine.count('Patient', { identifier: `${VN_SID.nationalId}|${p.id_number}` })).toBe(1);
  });

  it('several EMR patients for one identifier: the delivery stops, the counter sees it on the ticket', async () => {
    for (let i = 0; i < 2; i++)
      await engine.repo.createResource({
        resourceType: 'Patient',
        identifier: [{ system: VN_SID.nationalId, value: '001099000999' }],
      });
    const r = await checkIn({ ...patient(99), idNumber: '001099000999' });
    expect(r.ok).toBe(true);
    await until('the delivery to fail', async () => ((await deliveries('failed'))?.deliveries.length ?? 0) === 1);
    const [failed] = (await deliveries('failed'))?.deliveries ?? [];
    expect(failed).toMatchObject({ lastErrorCode: 'emr-ambiguous-patient', route: 'counter' });
    if (!r.ok) return;
    const staff = await login(server.url, 'tiepdon', 'tiepdon-demo');
    const history = await api<{ tickets: { events: { type: string; detail: string | null }[] }[] }>(
      server.url,
      staff,
      'GET',
      `/api/queue/tickets/${r.value.ticketId}/history`,
    );
    expect(history.body.value?.tickets[0]?.events.map((e) => [e.type, e.detail])).toContainEqual([
      'emr-counter',
      'emr-ambiguous-patient',
    ]);
    // Staff merged the duplicates in the EMR; an admin retries the delivery.
    const [extra] = await engine.search('Patient', { identifier: `${VN_SID.nationalId}|001099000999` });
    await engine.repo.deleteResource('Patient', extra?.id ?? '');
    const retried = await api(server.url, admin, 'POST', `/api/admin/emr/deliveries/${failed?.id}/retry`);
    expect(retried.status).toBe(200);
    await until(
      'the retried delivery',
      async () => ((await deliveries('pending,delivering,failed'))?.deliveries.length ?? 1) === 0,
    );
    expect(await engine.count('Patient', { identifier: `${VN_SID.nationalId}|001099000999` })).toBe(1);
  });
});

describe('EMR_MODE=local (the default)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ BOOTSTRAP_PAIRING_CODE: 'LOCALCODE123', OUTBOX_POLL_MS: '50' });
  });
  afterAll(() => server?.stop());

  it('queues nothing for delivery: the check-in and its record stay in our database', async () => {
    const agent = await enrolledAgent(server.url, 'LOCALCODE123', 'kiosk-local');
    const r = await submitCheckIn(agent, patient(1));
    agent.close();
    expect(r.ok).toBe(true);
    const { kysely } = server.app.services.db;
    const records = await kysely.selectFrom('checkin_records').select('visit_id').execute();
    expect(records.map((x) => x.visit_id)).toEqual([r.ok ? r.value.visitId : '']);
    expect(await kysely.selectFrom('emr_outbox').selectAll().execute()).toEqual([]);
    const admin = await login(server.url, 'admin', 'admin-demo');
    const d = await api<{ mode: string; deliveries: DeliveryView[] }>(
      server.url,
      admin,
      'GET',
      '/api/admin/emr/deliveries?status=delivered',
    );
    expect(d.body.value).toMatchObject({ mode: 'local', deliveries: [] });
  });

  it('still drains a row left from an earlier FHIR or HL7 configuration', async () => {
    const { kysely } = server.app.services.db;
    const visit = await kysely.selectFrom('visits').select(['id', 'patient_id']).executeTakeFirstOrThrow();
    await kysely.transaction().execute((trx) =>
      server.app.integrations.outbox.enqueue(trx, {
        kind: 'check-in',
        visitId: visit.id,
        patientId: visit.patient_id,
        patientKey: visit.patient_id,
        payload: {},
      }),
    );
    await until('left-over delivery drained', async () => {
      const row = await kysely.selectFrom('emr_outbox').select('status').executeTakeFirst();
      return row?.status === 'delivered';
    });
  });
});
