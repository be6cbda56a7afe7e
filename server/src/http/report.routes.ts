/** Reports for admins: tickets, waits, no-shows, insurance vs fee-paying per day/week/month, as JSON, CSV or XLSX. */
import { reportExportQuerySchema, reportQuerySchema } from '@kiosk/protocol';
import { ok } from '@kiosk/protocol';
import type { Services } from '../services';
import type { ApiRegistry } from './api';
import { ADMIN } from '../access';
import { reportCsv, reportXlsx } from '../services/report-export';

export function registerReportRoutes(api: ApiRegistry, s: Services): void {
  api.define(
    {
      method: 'GET',
      url: '/api/admin/reports',
      summary: 'Tickets, check-ins, insurance vs fee-paying, calls, no-shows and waits per period and service',
      tag: 'reports',
      access: ADMIN,
      query: reportQuerySchema,
    },
    async ({ query }) => ok(await s.reports.report(query)),
  );
  api.define(
    {
      method: 'GET',
      url: '/api/admin/reports/export',
      summary: 'The same report as a CSV or XLSX file',
      tag: 'reports',
      access: ADMIN,
      query: reportExportQuerySchema,
      raw: true,
    },
    async ({ query, reply }) => {
      const report = await s.reports.report(query);
      const name = `bao-cao-${query.from}-${query.to}-${query.period}.${query.format}`;
      reply.header('content-disposition', `attachment; filename="${name}"`).header('cache-control', 'no-store');
      if (query.format === 'csv')
        await reply.header('content-type', 'text/csv; charset=utf-8').send(reportCsv(report, query.lang));
      else
        await reply
          .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
          .send(await reportXlsx(report, query.lang));
    },
  );
}
