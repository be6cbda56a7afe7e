/**
 * A booked patient checked in at the kiosk by booking code, with the EMR on FHIR: the check-in's
 * delivery through the outbox moves the patient's booked Appointment of today to `arrived` in a
 * real FHIR engine (@medplum/fhir-router), and links the Encounter to it; closing the day reports
 * the bookings nobody came for to the EMR as `noshow`, leaving alone one staff already moved.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import type { Appointment as FhirAppointment, Encounter, Patient } from '@medplum/fhirtypes';
import type { AgentToServerEvents, Appointment, ServerToAgentEvents } from '@kiosk/protocol';
import { VN_SID } from '@kiosk/server';
import { api, login, startServer, type RunningServer } from '../support/server-harness';
import { startFhirEngine, type FhirEngine } from '../support/fhir-engine';
import { until } from '../support/until';
import { enrolledAgent } from '../support/server-process';

describe('appointment check-in with the EMR on FHIR', () => {
  let engine: FhirEngine;
  let server: RunningServer;
  let agent: Socket<ServerToAgentEvents, AgentToServerEvents>;

  beforeAll(async () => {
    engine = await startFhirEngine();
    server = await startServer({
      BOOTSTRAP_PAIRING_CODE: 'APPTFHIR1234',
      EMR_MODE: 'fhir',
      FACILITY_CODE: '92012',
      FHIR_BASE_URL: engine.baseUrl,
      FHIR_TOKEN_URL: engine.tokenUrl,
      FHIR_CLIENT_ID: engine.clientId,
      FHIR_CLIENT_SECRET: engine.clientSecret,
      FHIR_TIMEOUT_MS: '2000',
      OUTBOX_POLL_MS: '50',
    });
    agent = await enrolledAgent(server.url, 'APPTFHIR1234', 'kiosk-dat-lich-fhir');
  });
  afterAll(async () => {
    agent?.close();
    await server?.stop();
    await engine?.close();
  });

  it('by booking code: the ticket, and the EMR appointment arrived', async () => {
    const startsAt = new Date(Date.now() + 10 * 60_000).toISOString();
    const patient = await engine.repo.createResource<Patient>({
      resourceType: 'Patient',
      identifier: [{ system: VN_SID.nationalId, value: '079091000333' }],
    });
    const emrAppointment = await engine.repo.createResource<FhirAppointment>({
      resourceType: 'Appointment',
      status: 'booked',
      start: startsAt,
      participant: [{ actor: { reference: `Patient/${patient.id}` }, status: 'accepted' }],
    });
    const reception = await login(server.url, 'tiepdon', 'tiepdon-demo');
    const booked = await api<Appointment>(server.url, reception, 'POST', '/api/counter/appointments', {
      serviceId: 'noi-tong-quat',
      startsAt,
      identity: { source: 'chip', idNumber: '079091000333', fullName: 'Đặng Văn Hùng', dateOfBirth: '1979-09-09' },
    });
    const local = booked.body.value;
    if (!local) throw new Error(`booking refused: ${booked.body.error?.code}`);
    const done = await agent.emitWithAck('appointment:check-in', {
      checkInId: randomUUID(),
      appointmentId: local.appointmentId,
      lookup: { by: 'booking-code', code: local.bookingCode },
      consent: true,
    });
    expect(done.ok && done.value.appointment.status).toBe('arrived');
    await until(
      async () =>
        expect((await engine.repo.readResource<FhirAppointment>('Appointment', emrAppointment.id ?? '')).status).toBe(
          'arrived',
        ),
      { what: 'the EMR appointment arrived' },
    );
    // The Encounter is linked to it just after the appointment moves.
    await until(
      async () => {
        const encounters = await engine.repo.searchResources<Encounter>({ resourceType: 'Encounter' });
        return encounters.some((e) => e.appointment?.[0]?.reference === `Appointment/${emrAppointment.id}`);
      },
      { what: 'the Encounter linked to the appointment' },
    );
  });

  it('closing the day: a booking nobody came for is noshow in the EMR; one staff already moved is left alone', async () => {
    const startsAt = new Date(Date.now() + 20 * 60_000).toISOString();
    const reception = await login(server.url, 'tiepdon', 'tiepdon-demo');
    const admin = await login(server.url, 'admin', 'admin-demo');
    const emrBooking = async (idNumber: string, status: FhirAppointment['status']) => {
      const patient = await engine.repo.createResource<Patient>({
        resourceType: 'Patient',
        identifier: [{ system: VN_SID.nationalId, value: idNumber }],
      });
      const appointment = await engine.repo.createResource<FhirAppointment>({
        resourceType: 'Appointment',
        status,
        start: startsAt,
        participant: [{ actor: { reference: `Patient/${patient.id}` }, status: 'accepted' }],
      });
      const booked = await api<Appointment>(server.url, reception, 'POST', '/api/counter/appointments', {
        serviceId: 'noi-tong-quat',
        startsAt,
        identity: { source: 'chip', idNumber, fullName: 'Lê Thị Mai', dateOfBirth: '1990-01-01' },
      });
      if (!booked.body.value) throw new Error(`booking refused: ${booked.body.error?.code}`);
      return appointment.id ?? '';
    };
    const absent = await emrBooking('079091000444', 'booked');
    const movedByStaff = await emrBooking('079091000555', 'cancelled');

    const closed = await api<{ noShows: number }>(server.url, reception, 'POST', '/api/counter/appointments/close-day');
    expect(closed.body.value?.noShows).toBe(2);
    await until(
      async () =>
        expect((await engine.repo.readResource<FhirAppointment>('Appointment', absent)).status).toBe('noshow'),
      { what: 'the EMR appointment noshow' },
    );
    await until(async () => {
      const r = await api<{ deliveries: { kind: string; status: string }[] }>(
        server.url,
        admin,
        'GET',
        '/api/admin/emr/deliveries?status=pending,delivering,delivered,failed',
      );
      const noShows = (r.body.value?.deliveries ?? []).filter((d) => d.kind === 'appointment-noshow');
      expect(noShows.map((d) => d.status)).toEqual(['delivered', 'delivered']);
    });
    expect((await engine.repo.readResource<FhirAppointment>('Appointment', movedByStaff)).status).toBe('cancelled');
  });
});
