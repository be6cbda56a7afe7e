/**
 * Reports for the admin page and their exports (no personal data: counts and waits only).
 *   GET /api/admin/reports?from=YYYY-MM-DD&to=YYYY-MM-DD&period=day|week|month → Report
 *   GET /api/admin/reports/export?…&format=csv|xlsx                            → the file
 */
import { z } from 'zod';

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/u);

export const reportPeriods = ['day', 'week', 'month'] as const;
export type ReportPeriod = (typeof reportPeriods)[number];

/** Without `from` and `to`: the last seven facility days, today included. */
export const reportQuerySchema = z
  .object({
    from: isoDay.optional(),
    to: isoDay.optional(),
    period: z.enum(reportPeriods).default('day'),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'from must not be after to', path: ['from'] })
  .refine((q) => !q.from || !q.to || Date.parse(q.to) - Date.parse(q.from) <= 400 * 86_400_000, {
    message: 'at most 400 days',
    path: ['to'],
  });
export type ReportQuery = z.infer<typeof reportQuerySchema>;

export const reportExportQuerySchema = z
  .object({
    from: isoDay,
    to: isoDay,
    period: z.enum(reportPeriods).default('day'),
    format: z.enum(['csv', 'xlsx']),
    /** Language of the column headings. */
    lang: z.enum(['vi', 'en']).default('vi'),
  })
  .refine((q) => q.from <= q.to && Date.parse(q.to) - Date.parse(q.from) <= 400 * 86_400_000, {
    message: 'from ≤ to, at most 400 days',
    path: ['to'],
  });

/** One period (a day, an ISO week starting Monday, a calendar month) of one service. */
export interface ReportRow {
  /** First facility day of the period (YYYY-MM-DD). */
  period: string;
  serviceId: string;
  /** Tickets issued (transfers included). */
  tickets: number;
  /** New check-ins (tickets not issued by a transfer). */
  checkIns: number;
  insurance: number;
  feePaying: number;
  called: number;
  noShows: number;
  /** Booked appointments of the period and service nobody came for (marked when the day closed). */
  appointmentNoShows?: number;
  /** Mean wait from issue to first call; null when nothing was called. */
  meanWaitMs: number | null;
}

/** What a report row counts, and the report sums over all its rows. */
export type ReportCounts = Pick<
  ReportRow,
  'tickets' | 'checkIns' | 'insurance' | 'feePaying' | 'called' | 'noShows' | 'appointmentNoShows'
>;

export interface Report {
  from: string;
  to: string;
  period: ReportPeriod;
  rows: ReportRow[];
  /** Mean wait per service and local hour of issue (0–23), over the whole range. */
  waitsByHour: { serviceId: string; hour: number; meanWaitMs: number; calls: number }[];
  totals: ReportCounts;
}
