/** Sample tickets and profile variants for specs, tests and benchmarks (`@kiosk/device-agent/testing`). */
import type { Ticket } from '@kiosk/protocol';
import { profileById, type PrinterProfile } from '@kiosk/hardware-profiles';

export function simulatedPrinterProfile(overrides: Partial<PrinterProfile['capabilities']> = {}): PrinterProfile {
  const base = profileById('simulated.printer-80');
  if (!base || base.class !== 'printer') throw new Error('simulated.printer-80 is missing from the catalogue');
  return { ...base, capabilities: { ...base.capabilities, ...overrides } };
}

export const asciiTicket: Ticket = {
  hospitalName: 'Benh vien Da khoa Trung uong',
  department: 'Khoa Noi tong hop',
  room: '105',
  floor: 1,
  number: 'A012',
  serviceType: 'insurance',
  priority: 'normal',
  issuedAt: '2025-06-02T01:15:00Z',
  lookupCode: 'Q7K2M9',
};

export const vietnameseTicket: Ticket = {
  hospitalName: 'Bệnh viện Đa khoa Trung ương Cần Thơ',
  department: 'Khoa Tai Mũi Họng',
  room: '305',
  floor: 3,
  number: 'B127',
  serviceType: 'insurance',
  priority: 'elderly-75',
  issuedAt: '2025-06-02T01:15:00Z',
  lookupCode: 'X4P9TR',
  maskedName: 'Nguyễn Thị Ngọc Điệp — Khoa Tai Mũi Họng, Tầng 3',
  footer: 'Vui lòng chờ gọi số tại phòng khám. Xin cảm ơn quý khách!',
};

/** The Vietnamese ticket with a normal priority and the name alone, no footer (the printing benchmark's). */
const { footer: _footer, ...withoutFooter } = vietnameseTicket;
export const plainVietnameseTicket: Ticket = {
  ...withoutFooter,
  priority: 'normal',
  maskedName: 'Nguyễn Thị Ngọc Điệp',
};
