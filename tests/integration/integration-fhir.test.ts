/**
 * The FHIR R4 adapter against a real FHIR engine (@medplum/fhir-router over HTTP, OAuth2 client
 * credentials): a new patient, a repeat check-in (same ids, 200 not 201), several patients with the
 * same identifier (412 → the counter), a booked appointment moved to arrived (and one staff had
 * already moved, left alone), our validation refusing a code the engine would accept, token
 * caching and the one refresh after a 401, timeouts and an engine that is down, an
 * OperationOutcome turned into a readable message.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Appointment, Coverage, Encounter, Patient } from '@medplum/fhirtypes';
import { FhirAdapter, VN_SID, visitNumberOf, type EmrCheckIn, type FhirAdapterOptions } from '@kiosk/server';
import { startFhirEngine, type FhirEngine } from '../support/fhir-engine';
import { until } from '../support/until';

const day = '2026-11-22';
let ticketSeq = 0;

function checkIn(overrides: Partial<EmrCheckIn['patient']> = {}, insured = true): EmrCheckIn {
  ticketSeq += 1;
  const ticketNumber = `A${String(ticketSeq).padStart(3, '0')}`;
  return {
    patient: {
      patientId: randomUUID(),
      nationalId: '079188012345',
      insuranceNumber: 'GD4797912345678',
      fullName: 'Nguyễn Thị Lan',
      dateOfBirth: '1988-03-12',
      sex: 'female',
      address: 'Phường Ninh Kiều, TP. Cần Thơ',
      ...overrides,
    },
    ...(insured
      ? {
          coverage: {
            cardNumber: overrides.insuranceNumber ?? 'GD4797912345678',
            validFrom: '2026-01-01',
            validTo: '2026-12-31',
            primaryCareFacility: '92012',
          },
        }
      : {}),
    visit: {
      visitNumber: visitNumberOf('92012', day, ticketNumber),
      visitId: randomUUID(),
      checkInId: randomUUID(),
      ticketNumber,
      serviceId: 'noi-tong-quat',
      serviceName: 'Khám Nội tổng quát',
      department: 'Khoa Khám bệnh',
      room: '101',
      arrivedAt: `${day}T01:30:00.000Z`,
      day,
      utcOffset: '+07:00',
    },
  };
}
const key = () => ({ controlId: randomUUID().replaceAll('-', '').slice(0, 20) });

describe('FHIR R4 adapter against a real FHIR engine', () => {
  let engine: FhirEngine;
  let adapter: FhirAdapter;
  const options = (): FhirAdapterOptions => ({
    baseUrl: engine.baseUrl,
    tokenUrl: engine.tokenUrl,
    clientId: engine.clientId,
    clientSecret: engine.clientSecret,
    timeoutMs: 2_000,
    facilityCode: '92012',
    facilitySystem: 'urn:kiosk:facility-code',
    facilityName: 'Bệnh viện Đa khoa Thành phố Cần Thơ',
    serviceSystem: 'urn:kiosk:service',
    encounterClass: 'AMB',
    appointments: 'separate',
  });

  beforeAll(async () => {
    engine = await startFhirEngine();
    adapter = new FhirAdapter(options());
  });
  afterAll(async () => {
    await adapter?.close();
    await engine?.close();
  });

  it('registers a new patient: Patient, Coverage and an arrived AMB Encounter with VN Core identifiers', async () => {
    const c = checkIn();
    const r = await adapter.deliverCheckIn(c, key());
    expect(r).toMatchObject({ ok: true, value: { patient: 'created', encounter: 'created', appointment: 'none' } });
    const [patient] = await engine.search<Patient>('Patient');
    expect(patient?.identifier).toEqual([
      { system: VN_SID.nationalId, value: '079188012345' },
      { system: VN_SID.insuranceNumber, value: 'GD4797912345678' },
    ]);
    expect(patient?.name?.[0]).toMatchObject({ text: 'Nguyễn Thị Lan', family: 'Nguyễn', given: ['Thị', 'Lan'] });
    expect(patient?.meta?.profile).toEqual(['http://fhir.ehealth.gov.vn/core/StructureDefinition/vn-core-patient']);
    const [encounter] = await engine.search<Encounter>('Encounter');
    expect(encounter).toMatchObject({
      status: 'arrived',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
      identifier: [{ system: VN_SID.visitNumber, value: c.visit.visitNumber }],
      subject: { reference: `Patient/${patient?.id}` },
    });
    const [coverage] = await engine.search<Coverage>('Coverage');
    expect(coverage).toMatchObject({ status: 'active', beneficiary: { reference: `Patient/${patient?.id}` } });
    if (r.ok) expect(r.value.patientRef).toBe(`Patient/${patient?.id}`);
  });

  it('a repeat check-in matches the same ids (200, not 201) and duplicates nothing', async () => {
    const before = { p: await engine.count('Patient'), e: await engine.count('Encounter') };
    const c = checkIn();
    const k = key();
    const first = await adapter.deliverCheckIn(c, k);
    const again = await adapter.deliverCheckIn(c, k);
    expect(first).toMatchObject({ ok: true, value: { patient: 'matched', encounter: 'created' } });
    expect(again).toMatchObject({ ok: true, value: { patient: 'matched', encounter: 'matched' } });
    if (first.ok && again.ok) {
      expect(again.value.patientRef).toBe(first.value.patientRef);
      expect(again.value.encounterRef).toBe(first.value.encounterRef);
    }
    expect(await engine.count('Patient')).toBe(before.p);
    expect(await engine.count('Encounter')).toBe(before.e + 1);
    expect(await engine.count('Coverage')).toBe(1);
  });

  it('several patients with the same identifier: 412, the patient goes to the counter, nothing is chosen', async () => {
    for (let i = 0; i < 2; i++)
      await engine.repo.createResource<Patient>({
        resourceType: 'Patient',
        identifier: [{ system: VN_SID.nationalId, value: '001099000111' }],
      });
    const before = await engine.count('Patient');
    const c = checkIn({ nationalId: '001099000111', insuranceNumber: undefined }, false);
    const r = await adapter.deliverCheckIn(c, key());
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'emr-ambiguous-patient', retriable: false, route: 'counter' });
    expect(await engine.count('Patient')).toBe(before);
    expect(await engine.count('Encounter', { identifier: `${VN_SID.visitNumber}|${c.visit.visitNumber}` })).toBe(0);
  });

  it("moves today's booked appointment to arrived with a tested patch, and links the visit", async () => {
    const patient = await engine.repo.createResource<Patient>({
      resourceType: 'Patient',
      identifier: [{ system: VN_SID.nationalId, value: '079090000222' }],
    });
    const appointment = await engine.repo.createResource<Appointment>({
      resourceType: 'Appointment',
      status: 'booked',
      start: `${day}T09:00:00+07:00`,
      participant: [{ actor: { reference: `Patient/${patient.id}` }, status: 'accepted' }],
    });
    const r = await adapter.deliverCheckIn(
      checkIn({ nationalId: '079090000222', insuranceNumber: undefined }, false),
      key(),
    );
    expect(r).toMatchObject({ ok: true, value: { patient: 'matched', appointment: 'arrived' } });
    const stored = await engine.repo.readResource<Appointment>('Appointment', appointment.id);
    expect(stored.status).toBe('arrived');
    if (r.ok) {
      const encounter = await engine.repo.readReference<Encounter>({ reference: r.value.encounterRef ?? '' });
      expect(encounter.appointment).toEqual([{ reference: `Appointment/${appointment.id}` }]);
    }
  });

  it('leaves an appointment staff already moved past arrived', async () => {
    const patient = await engine.repo.createResource<Patient>({
      resourceType: 'Patient',
      identifier: [{ system: VN_SID.nationalId, value: '079090000333' }],
    });
    const appointment = await engine.repo.createResource<Appointment>({
      resourceType: 'Appointment',
      status: 'fulfilled',
      start: `${day}T09:00:00+07:00`,
      participant: [{ actor: { reference: `Patient/${patient.id}` }, status: 'accepted' }],
    });
    const r = await adapter.deliverCheckIn(
      checkIn({ nationalId: '079090000333', insuranceNumber: undefined }, false),
      key(),
    );
    expect(r).toMatchObject({ ok: true, value: { appointment: 'left-as-is' } });
    expect((await engine.repo.readResource<Appointment>('Appointment', appointment.id)).status).toBe('fulfilled');

    // A known appointment id whose test op fails (staff moved it meanwhile) is left alone too.
    const known = { ...checkIn({ nationalId: '079090000333', insuranceNumber: undefined }, false) };
    const withId = await adapter.deliverCheckIn({ ...known, appointmentId: appointment.id }, key());
    expect(withId).toMatchObject({ ok: true, value: { appointment: 'left-as-is' } });
    expect((await engine.repo.readResource<Appointment>('Appointment', appointment.id)).status).toBe('fulfilled');
  });

  it('refuses to send a code the engine would have accepted', async () => {
    // The engine stores an invalid Encounter.status without a word …
    const token = await adapter.token?.get();
    const raw = await fetch(`${engine.baseUrl}/Encounter`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${token?.ok ? token.value : ''}` },
      body: JSON.stringify({ resourceType: 'Encounter', status: 'checked-in', class: { code: 'AMB' } }),
    });
    expect(raw.status).toBe(201);
    // … so an adapter misconfigured with an invalid class code stops before sending.
    const wrong = new FhirAdapter({ ...options(), encounterClass: 'AMBULATORY' });
    const requests = engine.requests.length;
    const r = await wrong.deliverCheckIn(checkIn(), key());
    await wrong.close();
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toMatchObject({ code: 'emr-invalid-content', retriable: false, route: 'counter' });
      expect(r.error.message).toContain('class.code');
    }
    expect(engine.requests.length).toBe(requests);
  });

  it('caches its token, and after a 401 fetches one new token and retries once', async () => {
    const fresh = new FhirAdapter(options());
    await fresh.deliverCheckIn(checkIn(), key());
    await fresh.deliverCheckIn(checkIn(), key());
    expect(fresh.token?.fetches).toBe(1);
    engine.revokeTokens();
    const r = await fresh.deliverCheckIn(checkIn(), key());
    expect(r.ok).toBe(true);
    expect(fresh.token?.fetches).toBe(2);
    await fresh.close();

    const badSecret = new FhirAdapter({ ...options(), clientSecret: 'wrong' });
    const refused = await badSecret.deliverCheckIn(checkIn(), key());
    await badSecret.close();
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error).toMatchObject({ code: 'emr-auth-failed', retriable: true });
  });

  it('a timeout is retriable, and the retry of the same Bundle creates nothing twice', async () => {
    const slow = new FhirAdapter({ ...options(), timeoutMs: 150 });
    const c = checkIn({ nationalId: '079090000444', insuranceNumber: undefined }, false);
    const k = key();
    const handled = engine.engineMs.length;
    engine.delayMs = 400;
    const r = await slow.deliverCheckIn(c, k);
    engine.delayMs = 0;
    await slow.close();
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'emr-unavailable', retriable: true, detail: 'http-timeout' });
    // The engine finishes the first attempt on its own; the retry (with the usual time-out: a loaded
    // machine is slow, not down) sends the same Bundle.
    await until(() => engine.engineMs.length > handled, { what: 'the engine to finish the first attempt' });
    const retry = await adapter.deliverCheckIn(c, k);
    expect(retry).toMatchObject({ ok: true, value: { encounter: 'matched' } });
    expect(await engine.count('Encounter', { identifier: `${VN_SID.visitNumber}|${c.visit.visitNumber}` })).toBe(1);
  });

  it('an engine that is down is retriable', async () => {
    await engine.down();
    const r = await adapter.deliverCheckIn(checkIn(), key());
    await engine.up();
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'emr-unavailable', retriable: true });
    expect((await adapter.deliverCheckIn(checkIn(), key())).ok).toBe(true);
  });

  it('a demographic update merges into the one matching Patient and keeps the identifiers the EMR added', async () => {
    const mrn = { system: VN_SID.mrn, value: 'BV-0001' };
    const existing = await engine.repo.createResource<Patient>({
      resourceType: 'Patient',
      identifier: [{ system: VN_SID.nationalId, value: '079090000555' }, mrn],
      name: [{ text: 'Cũ Tên' }],
    });
    const p = {
      ...checkIn().patient,
      nationalId: '079090000555',
      insuranceNumber: undefined,
      address: 'Quận Cái Răng',
    };
    const r = await adapter.updatePatient(p, key());
    expect(r).toMatchObject({ ok: true, value: { patient: 'matched', patientRef: `Patient/${existing.id}` } });
    const stored = await engine.repo.readResource<Patient>('Patient', existing.id);
    expect(stored.identifier).toContainEqual(mrn);
    expect(stored.name?.[0]?.text).toBe('Nguyễn Thị Lan');
    expect(stored.address?.[0]?.text).toBe('Quận Cái Răng');
    // Nobody yet: created; several: never chosen.
    const created = await adapter.updatePatient({ ...p, nationalId: '079090000556' }, key());
    expect(created).toMatchObject({ ok: true, value: { patient: 'created' } });
    const ambiguous = await adapter.updatePatient({ ...p, nationalId: '001099000111' }, key());
    expect(ambiguous).toMatchObject({ ok: false, error: { code: 'emr-ambiguous-patient', route: 'counter' } });
  });

  it('an OperationOutcome becomes a readable message without ID numbers, and a machine detail', async () => {
    engine.rejectNext(422, {
      code: 'business-rule',
      text: 'Patient 079188012345 is merged into another record',
      expression: ['Patient.identifier[0]'],
    });
    const r = await adapter.deliverCheckIn(checkIn(), key());
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toMatchObject({ code: 'emr-rejected', retriable: false, route: 'counter' });
      expect(r.error.message).toContain('business-rule (Patient.identifier[0]): Patient 07****45 is merged');
      expect(r.error.message).not.toContain('079188012345');
      expect(r.error.detail).toBe('http-422:business-rule@Patient.identifier[0]');
    }
  });
});
