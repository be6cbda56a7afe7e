import fc from 'fast-check';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { Report } from '@kiosk/protocol';
import { reportCsv, reportXlsx } from './report-export';
import { periodStart } from './report.service';

const report = (serviceId: string): Report => ({
  from: '2026-03-01',
  to: '2026-03-31',
  period: 'month',
  rows: [
    {
      period: '2026-03-01',
      serviceId,
      tickets: 4,
      checkIns: 3,
      insurance: 2,
      feePaying: 1,
      called: 2,
      noShows: 1,
      meanWaitMs: 90_000,
    },
  ],
  waitsByHour: [{ serviceId, hour: 9, meanWaitMs: 90_000, calls: 2 }],
  totals: { tickets: 4, checkIns: 3, insurance: 2, feePaying: 1, called: 2, noShows: 1 },
});

/** RFC 4180 fields of one CSV line. */
function fields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted && c === '"' && line[i + 1] === '"') {
      cur += '"';
      i++;
    } else if (c === '"') quoted = !quoted;
    else if (c === ',' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

describe('report exports', () => {
  it('periods start on the day, the Monday of the ISO week, or the first of the month', () => {
    expect(periodStart('2026-03-04', 'day')).toBe('2026-03-04');
    expect(periodStart('2026-03-04', 'week')).toBe('2026-03-02');
    expect(periodStart('2026-03-01', 'week')).toBe('2026-02-23');
    expect(periodStart('2026-03-02', 'week')).toBe('2026-03-02');
    expect(periodStart('2026-03-31', 'month')).toBe('2026-03-01');
  });

  it('CSV: a BOM, headings in the asked language, and any value read back as written', () => {
    const csv = reportCsv(report('noi-tong-quat'), 'vi');
    expect(csv.startsWith('\uFEFFKỳ,Dịch vụ,')).toBe(true);
    expect(csv.split('\r\n')[1]).toBe('2026-03-01,noi-tong-quat,4,3,2,1,2,1,1.5');
    fc.assert(
      fc.property(
        fc.string({ maxLength: 30 }).filter((s) => !/[\r\n]/u.test(s)),
        (id) => {
          const line =
            reportCsv(report(id), 'en')
              .replace(/^\uFEFF/u, '')
              .split('\r\n')[1] ?? '';
          const service = fields(line)[1] ?? '';
          // Text that a spreadsheet would take for a formula keeps a leading apostrophe.
          expect(service).toBe(/^[=+\-@]/u.test(id) ? `'${id}` : id);
        },
      ),
    );
  });

  it('XLSX: two sheets that exceljs reads back', async () => {
    const book = new ExcelJS.Workbook();
    const file = await reportXlsx(report('mat'), 'en');
    await book.xlsx.load(file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer);
    expect(book.worksheets.map((w) => w.name)).toEqual(['By period', 'Waits by hour']);
    expect(book.getWorksheet('By period')?.getRow(2).values).toEqual([
      undefined,
      '2026-03-01',
      'mat',
      4,
      3,
      2,
      1,
      2,
      1,
      1.5,
    ]);
  });
});
