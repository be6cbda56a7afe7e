/**
 * A report as a file: CSV (UTF-8 with a byte-order mark, so spreadsheet programs read Vietnamese
 * correctly; RFC 4180 quoting) or XLSX (exceljs: one sheet per table). Headings in the asked language.
 */
import ExcelJS from 'exceljs';
import type { Report } from '@kiosk/protocol';

type Lang = 'vi' | 'en';
const headings: Record<Lang, { rows: string[]; hours: string[]; sheets: [string, string] }> = {
  vi: {
    rows: [
      'Kỳ',
      'Dịch vụ',
      'Số phiếu',
      'Lượt đăng ký mới',
      'Bảo hiểm y tế',
      'Dịch vụ (tự trả)',
      'Đã gọi',
      'Vắng mặt',
      'Chờ trung bình (phút)',
    ],
    hours: ['Dịch vụ', 'Giờ lấy số', 'Chờ trung bình (phút)', 'Số lượt gọi'],
    sheets: ['Theo kỳ', 'Chờ theo giờ'],
  },
  en: {
    rows: [
      'Period',
      'Service',
      'Tickets',
      'New check-ins',
      'Insurance',
      'Fee-paying',
      'Called',
      'No-shows',
      'Mean wait (min)',
    ],
    hours: ['Service', 'Hour issued', 'Mean wait (min)', 'Calls'],
    sheets: ['By period', 'Waits by hour'],
  },
};

const minutes = (ms: number | null) => (ms === null ? null : Math.round(ms / 6000) / 10);

function tables(report: Report, lang: Lang) {
  const h = headings[lang];
  const rows = report.rows.map((r) => [
    r.period,
    r.serviceId,
    r.tickets,
    r.checkIns,
    r.insurance,
    r.feePaying,
    r.called,
    r.noShows,
    minutes(r.meanWaitMs),
  ]);
  const hours = report.waitsByHour.map((w) => [w.serviceId, w.hour, minutes(w.meanWaitMs), w.calls]);
  return { h, rows, hours };
}

/** One CSV cell: quoted when needed, formula-looking text defused. */
export const csvCell = (v: string | number | null) => {
  if (v === null) return '';
  const s = String(v);
  // Quote what needs it; a leading =, +, - or @ would be a formula in a spreadsheet.
  const safe = /^[=+\-@]/u.test(s) && typeof v === 'string' ? `'${s}` : s;
  return /[",\r\n]/u.test(safe) ? `"${safe.replace(/"/gu, '""')}"` : safe;
};

export function reportCsv(report: Report, lang: Lang): string {
  const { h, rows } = tables(report, lang);
  const lines = [h.rows, ...rows].map((r) => r.map(csvCell).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

export async function reportXlsx(report: Report, lang: Lang): Promise<Buffer> {
  const { h, rows, hours } = tables(report, lang);
  const book = new ExcelJS.Workbook();
  book.creator = 'kiosk-server';
  const add = (name: string, header: string[], data: (string | number | null)[][]) => {
    const sheet = book.addWorksheet(name);
    sheet.addRow(header).font = { bold: true };
    for (const r of data) sheet.addRow(r);
    sheet.columns.forEach((c) => (c.width = 18));
    sheet.views = [{ state: 'frozen', ySplit: 1 }];
  };
  add(h.sheets[0], h.rows, rows);
  add(h.sheets[1], h.hours, hours);
  return Buffer.from(await book.xlsx.writeBuffer());
}
