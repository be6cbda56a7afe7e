import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ticketQrPayload, ticketSchema, type CheckInRequest, type OfflineLease } from '@kiosk/protocol';
import { offlineTicket } from './offline-ticket';

const now = new Date('2026-03-02T02:00:00.000Z');
const lease: OfflineLease = {
  leaseId: randomUUID(),
  serviceId: 'noi',
  day: '2026-03-02',
  prefix: 'A',
  firstSeq: 11,
  lastSeq: 13,
  expiresAt: '2026-03-02T17:00:00.000Z',
  hospitalName: 'BV',
  department: 'Khoa Nội',
  room: '101',
  floor: 1,
};
const request: CheckInRequest = {
  checkInId: randomUUID(),
  identity: { source: 'cccd-qr', idNumber: '079100000001', fullName: 'Nguyễn Văn An', dateOfBirth: '1980-01-01' },
  serviceId: 'noi',
  priorityClaims: [],
  consent: true,
};

describe('offlineTicket', () => {
  it("carries the status page's URL under the lease's public URL, as the server's tickets do", () => {
    const t = offlineTicket(request, { ...lease, publicUrl: 'https://benhvien.example.vn' }, 11, now);
    expect(t.statusUrl).toBe(`https://benhvien.example.vn/t/${t.lookupCode}`);
    expect(ticketQrPayload(t)).toBe(t.statusUrl);
    expect(ticketSchema.safeParse(t).success).toBe(true);
  });

  it('keeps TK:<code> under a lease without a public URL, or with one that is not a base URL', () => {
    for (const l of [lease, { ...lease, publicUrl: 'https://benhvien.example.vn/kiosk' }]) {
      const t = offlineTicket(request, l, 12, now);
      expect(t.statusUrl).toBeUndefined();
      expect(ticketQrPayload(t)).toBe(`TK:${t.lookupCode}`);
    }
  });
});
