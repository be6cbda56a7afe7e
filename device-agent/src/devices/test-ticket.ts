/** The ticket `print-test` prints: every block kind a real ticket uses (Vietnamese raster, QR, cut). */
import type { Ticket } from '@kiosk/protocol';

export function testTicket(now: Date = new Date()): Ticket {
  return {
    hospitalName: 'Kiểm tra máy in — Kiosk test',
    department: 'Khoa Nội tổng hợp',
    room: '000',
    floor: 0,
    number: 'T000',
    serviceType: 'fee-paying',
    priority: 'normal',
    issuedAt: now.toISOString(),
    lookupCode: 'PRINTTEST',
    footer: 'Phiếu in thử — không có giá trị. Test ticket, not valid.',
  };
}
