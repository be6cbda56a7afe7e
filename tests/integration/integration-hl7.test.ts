/**
 * The HL7 v2.5 adapter over MLLP against a real peer (node-hl7-server 2.5.0 on 127.0.0.1): ADT^A04
 * with PID-3 repetitions, PV1 and IN1; ADT^A08; AA delivered, AE and AR to the counter; a peer that
 * does not answer in time, then the retry with the same control id; a peer that is gone; stale
 * ACKs on a kept-alive connection.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hl7v2Adapter, type EmrCheckIn, type Hl7AdapterOptions } from '@kiosk/server';
import { startMllpPeer, type MllpPeer } from '../support/mllp-peer';

const checkIn: EmrCheckIn = {
  patient: {
    patientId: '6f1c2d4e-0000-4000-8000-000000000001',
    nationalId: '079188012345',
    insuranceNumber: 'GD4797912345678',
    fullName: 'Nguyễn Thị Lan',
    dateOfBirth: '1988-03-12',
    sex: 'female',
    address: 'Phường Ninh Kiều, TP. Cần Thơ',
  },
  coverage: { cardNumber: 'GD4797912345678', validFrom: '2026-01-01', validTo: '2026-12-31' },
  visit: {
    visitNumber: '92012-20261122-A001',
    visitId: randomUUID(),
    checkInId: randomUUID(),
    ticketNumber: 'A001',
    serviceId: 'noi-tong-quat',
    serviceName: 'Khám Nội tổng quát',
    department: 'Khoa Khám bệnh',
    room: '101',
    arrivedAt: '2026-11-22T01:30:00.000Z',
    day: '2026-11-22',
    utcOffset: '+07:00',
  },
};
const controlId = () => `K${randomUUID().replaceAll('-', '').slice(0, 19).toUpperCase()}`;

describe('HL7 v2.5 ADT over MLLP against a real peer', () => {
  let peer: MllpPeer;
  const options = (o: Partial<Hl7AdapterOptions> = {}): Hl7AdapterOptions => ({
    host: '127.0.0.1',
    port: peer.port,
    timeoutMs: 2_000,
    keepAlive: false,
    sendingApp: 'KIOSK',
    facilityCode: '92012',
    receivingApp: 'HIS',
    receivingFacility: '92012',
    processingId: 'P',
    timeZone: 'Asia/Ho_Chi_Minh',
    ...o,
  });

  beforeAll(async () => {
    peer = await startMllpPeer();
  });
  afterAll(() => peer?.close());

  it('AA: ADT^A04 with MSH, EVN, PID-3 repetitions, PV1 and IN1 is delivered', async () => {
    const adapter = new Hl7v2Adapter(options());
    const id = controlId();
    const r = await adapter.deliverCheckIn(checkIn, { controlId: id });
    await adapter.close();
    expect(r).toEqual({
      ok: true,
      value: { patient: 'accepted', encounter: 'accepted', appointment: 'not-applicable' },
    });
    const m = peer.received.at(-1);
    expect(m?.type).toBe('ADT^A04');
    expect(m?.controlId).toBe(id);
    expect(m?.field('MSH.3')).toBe('KIOSK');
    expect(m?.field('MSH.4')).toBe('92012');
    expect(m?.field('MSH.12')).toBe('2.5');
    expect(m?.field('EVN.1')).toBe('A04');
    expect(m?.raw).toContain(
      'PID|1||079188012345^^^BCA^NNVNM~GD4797912345678^^^BHXH^HC~6f1c2d4e-0000-4000-8000-000000000001^^^92012^MR||Nguyễn^Lan^Thị||19880312|F',
    );
    expect(m?.field('PV1.2')).toBe('O');
    expect(m?.field('PV1.19')).toBe('92012-20261122-A001');
    expect(m?.field('PV1.44')).toBe('20261122083000+0700');
    expect(m?.field('IN1.36')).toBe('GD4797912345678');
  });

  it('ADT^A08 carries a demographic update', async () => {
    const adapter = new Hl7v2Adapter(options());
    const r = await adapter.updatePatient({ ...checkIn.patient, address: 'Quận Cái Răng' }, { controlId: controlId() });
    await adapter.close();
    expect(r.ok).toBe(true);
    expect(peer.received.at(-1)?.type).toBe('ADT^A08');
    expect(peer.received.at(-1)?.field('PID.11')).toBe('Quận Cái Răng');
  });

  it('AE and AR send the patient to the counter and are not retried', async () => {
    const adapter = new Hl7v2Adapter(options());
    for (const answer of ['AE', 'AR'] as const) {
      peer.answer = answer;
      const r = await adapter.deliverCheckIn(checkIn, { controlId: controlId() });
      expect(r.ok).toBe(false);
      if (!r.ok)
        expect(r.error).toMatchObject({
          code: 'emr-rejected',
          retriable: false,
          route: 'counter',
          detail: `msa-${answer}`,
        });
    }
    peer.answer = 'AA';
    await adapter.close();
  });

  it('no ACK in time: retriable; the retry carries the same control id and is acknowledged', async () => {
    const adapter = new Hl7v2Adapter(options({ timeoutMs: 300 }));
    const id = controlId();
    peer.silentFor = 1;
    const first = await adapter.deliverCheckIn(checkIn, { controlId: id });
    expect(first.ok).toBe(false);
    if (!first.ok)
      expect(first.error).toMatchObject({ code: 'emr-unavailable', retriable: true, detail: 'mllp-timeout' });
    const retry = await adapter.deliverCheckIn(checkIn, { controlId: id });
    await adapter.close();
    expect(retry.ok).toBe(true);
    expect(peer.received.slice(-2).map((m) => m.controlId)).toEqual([id, id]);
  });

  it('a peer that is gone is retriable', async () => {
    const gone = await startMllpPeer();
    await gone.close();
    const adapter = new Hl7v2Adapter(options({ port: gone.port, timeoutMs: 500 }));
    const r = await adapter.deliverCheckIn(checkIn, { controlId: controlId() });
    await adapter.close();
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'emr-unavailable', retriable: true });
  });

  it('on a kept-alive connection, ACKs of earlier messages are not taken for the current one', async () => {
    const adapter = new Hl7v2Adapter(options({ keepAlive: true }));
    for (let i = 0; i < 3; i++)
      expect((await adapter.deliverCheckIn(checkIn, { controlId: controlId() })).ok).toBe(true);
    expect(adapter.client.connects).toBe(1);
    // The peer re-acknowledges earlier messages on a kept connection (see mllp-peer.ts).
    expect(adapter.client.staleAcks).toBeGreaterThan(0);
    await adapter.close();
  });
});
