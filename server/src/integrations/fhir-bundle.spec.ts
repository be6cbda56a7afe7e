import { describe, expect, it } from 'vitest';
import type { EmrCheckIn } from './emr.port';
import { checkInBundle, patientMatchQuery, type FhirBuildOptions } from './fhir-bundle.builder';
import { validateCheckInBundle, validateCheckInData } from './fhir-bundle.validator';
import { VN_SID, splitVietnameseName, utcOffsetOf, localDigits, visitNumberOf, nameUuid } from './vn-core';

const options: FhirBuildOptions = {
  facilityCode: '92012',
  facilitySystem: 'urn:kiosk:facility-code',
  facilityName: 'BV',
  serviceSystem: 'urn:kiosk:service',
  encounterClass: 'AMB',
  appointmentSearchInBundle: false,
};
const ctx = { extraSystems: ['urn:kiosk:facility-code'], encounterStatus: 'arrived' as const };

const checkIn: EmrCheckIn = {
  patient: {
    patientId: 'p-1',
    nationalId: '079188012345',
    insuranceNumber: 'GD4797912345678',
    fullName: 'Nguyễn Thị Lan',
    dateOfBirth: '1988-03-12',
    sex: 'female',
  },
  coverage: { cardNumber: 'GD4797912345678', validFrom: '2026-01-01', validTo: '2026-12-31' },
  visit: {
    visitNumber: '92012-20261122-A001',
    visitId: 'v-1',
    checkInId: 'c-1',
    ticketNumber: 'A001',
    serviceId: 'noi',
    serviceName: 'Khám Nội',
    department: 'Khoa Khám bệnh',
    room: '101',
    arrivedAt: '2026-11-22T01:30:00.000Z',
    day: '2026-11-22',
    utcOffset: '+07:00',
  },
};

describe('check-in transaction Bundle', () => {
  it('is the same Bundle every time (fullUrls derive from the visit)', () => {
    expect(JSON.stringify(checkInBundle(checkIn, options))).toBe(JSON.stringify(checkInBundle(checkIn, options)));
  });
  it('creates conditionally on business identifiers, linking by urn:uuid', () => {
    const { bundle, index } = checkInBundle(checkIn, options);
    expect(bundle.entry.map((e) => e.request.ifNoneExist)).toEqual([
      `identifier=${VN_SID.nationalId}|079188012345,${VN_SID.insuranceNumber}|GD4797912345678`,
      `identifier=${VN_SID.insuranceNumber}|GD4797912345678`,
      `identifier=${VN_SID.visitNumber}|92012-20261122-A001`,
    ]);
    const patientUrl = bundle.entry[index.patient]?.fullUrl;
    expect(patientUrl).toMatch(/^urn:uuid:/u);
    expect(bundle.entry[index.encounter]?.resource?.['subject']).toEqual({ reference: patientUrl });
    expect(validateCheckInBundle(bundle, ctx)).toEqual([]);
  });
  it('falls back to our patient number when the identity has no document number', () => {
    expect(patientMatchQuery({ ...checkIn.patient, nationalId: undefined, insuranceNumber: undefined })).toBe(
      `identifier=${VN_SID.patientInternalId}|p-1`,
    );
  });
  it('adds the appointment search as a GET entry when asked', () => {
    const { bundle, index } = checkInBundle(checkIn, { ...options, appointmentSearchInBundle: true });
    expect(bundle.entry[index.appointments ?? -1]?.request.url).toMatch(
      /^Appointment\?patient=urn:uuid:.*&date=ge2026-11-22T00%3A00%3A00%2B07%3A00&date=lt2026-11-23T00%3A00%3A00%2B07%3A00/u,
    );
  });
});

describe('our validation of codes', () => {
  const mutate = (f: (b: ReturnType<typeof checkInBundle>['bundle']) => void) => {
    const { bundle } = checkInBundle(checkIn, options);
    f(bundle);
    return validateCheckInBundle(bundle, ctx);
  };
  it('refuses an Encounter status outside the value set, or any but arrived', () => {
    expect(mutate((b) => (b.entry[2]!.resource!['status'] = 'checked-in')).join()).toContain('not in the value set');
    expect(mutate((b) => (b.entry[2]!.resource!['status'] = 'finished')).join()).toContain('"arrived"');
  });
  it('refuses a class code outside ActEncounterCode, a bad gender, date or identifier', () => {
    expect(mutate((b) => (b.entry[2]!.resource!['class'] = { system: 'x', code: 'AMB' })).join()).toContain('class');
    expect(mutate((b) => (b.entry[0]!.resource!['gender'] = 'f')).join()).toContain('gender');
    expect(mutate((b) => (b.entry[0]!.resource!['birthDate'] = '1988-02-30')).join()).toContain('birthDate');
    expect(
      mutate((b) => (b.entry[0]!.resource!['identifier'] = [{ system: VN_SID.nationalId, value: '123' }])).join(),
    ).toContain('12 digits');
    expect(mutate((b) => (b.entry[1]!.resource!['status'] = 'valid')).join()).toContain('entry[1].resource.status');
  });
  it('refuses an unconditional create and a dangling urn:uuid reference', () => {
    expect(mutate((b) => delete b.entry[0]!.request.ifNoneExist).join()).toContain('ifNoneExist');
    expect(mutate((b) => (b.entry[0]!.fullUrl = `urn:uuid:${nameUuid('other')}`)).join()).toContain('no entry');
  });
});

describe('VN Core helpers', () => {
  it('splits Vietnamese names family-first', () => {
    expect(splitVietnameseName('Nguyễn Thị Lan')).toEqual({ family: 'Nguyễn', middle: ['Thị'], given: 'Lan' });
    expect(splitVietnameseName('Lan')).toEqual({ given: 'Lan', middle: [] });
  });
  it('formats visit numbers, offsets and local times', () => {
    expect(visitNumberOf('92012', '2026-11-22', 'A012')).toBe('92012-20261122-A012');
    expect(visitNumberOf('92012', '2026-11-22', 'A012', 'noi')).toBe('92012-20261122-A012-noi');
    expect(utcOffsetOf(new Date('2026-11-22T00:00:00Z'), 'Asia/Ho_Chi_Minh')).toBe('+07:00');
    expect(localDigits('2026-11-21T20:05:09.000Z', '+07:00')).toBe('20261122030509');
    expect(nameUuid('x')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/u);
  });
});

describe('per check-in data validation', () => {
  it('accepts a good check-in and names what is wrong in a bad one', () => {
    expect(validateCheckInData(checkIn)).toEqual([]);
    const bad: EmrCheckIn = {
      ...checkIn,
      patient: { ...checkIn.patient, nationalId: '12345', dateOfBirth: '1988-13-01', sex: 'f' as never },
      coverage: { cardNumber: 'GD4797912345678', validFrom: '2026-12-31', validTo: '2026-01-01' },
      visit: { ...checkIn.visit, arrivedAt: '2026-11-22 08:30', utcOffset: '+7' },
      appointmentId: 'a/b',
    };
    expect(validateCheckInData(bad)).toEqual([
      'patient.nationalId: 12 digits',
      'patient.dateOfBirth: not a FHIR date',
      'patient.sex: "f" is not in the value set',
      'coverage: starts after it ends',
      'visit.arrivedAt: not a FHIR dateTime with a zone',
      'visit.utcOffset: not ±hh:mm',
      'appointmentId: not a FHIR id',
    ]);
  });
});
