import { describe, expect, it } from 'vitest';
import type { Ticket } from '@kiosk/protocol';
import { layoutTicket } from './ticket.layout';

const ticket: Ticket = {
  hospitalName: 'Bệnh viện Đa khoa Thành phố Cần Thơ',
  department: 'Khoa Khám bệnh',
  room: '101',
  floor: 1,
  number: 'A012',
  serviceType: 'insurance',
  priority: 'normal',
  issuedAt: '2026-12-05T01:30:00.000Z',
  lookupCode: 'ABCD23456789',
};
const texts = (t: Ticket) => layoutTicket(t).flatMap((i) => (i.kind === 'text' || i.kind === 'number' ? [i.text] : []));

describe('layoutTicket', () => {
  it('prints the clinic chosen, people ahead and the estimated wait when the server gives them', () => {
    const lines = texts({
      ...ticket,
      serviceName: { vi: 'Khám Nội tổng quát', en: 'General medicine' },
      peopleAhead: 4,
      estimatedWaitMinutes: 20,
    });
    expect(lines).toContain('Khám Nội tổng quát');
    expect(lines).toContain('Khoa Khám bệnh');
    expect(lines).toContain('Còn 4 người trước bạn');
    expect(lines).toContain('Thời gian chờ khoảng 20 phút');
    expect(lines).toContain('08:30 05/12/2026');
    expect(layoutTicket(ticket).some((i) => i.kind === 'qr' && i.payload === 'TK:ABCD23456789')).toBe(true);
  });
  it('a ticket from an older server prints as before', () => {
    const lines = texts(ticket);
    expect(lines.join('\n')).not.toMatch(/người trước|chờ khoảng/u);
    expect(texts({ ...ticket, peopleAhead: 0 })).toContain('Bạn là người tiếp theo');
  });
  it("prints the status page's URL in the QR when the server gives it, else TK:<code>", () => {
    const qrs = (t: Ticket) => layoutTicket(t).flatMap((i) => (i.kind === 'qr' ? [i.payload] : []));
    const statusUrl = 'https://benhvien.example.vn/t/ABCD23456789';
    expect(qrs({ ...ticket, statusUrl })).toEqual([statusUrl]);
    expect(qrs(ticket)).toEqual(['TK:ABCD23456789']);
    // The code stays printed under the QR for staff who type it.
    expect(texts({ ...ticket, statusUrl })).toContain('ABCD23456789');
  });
});
