/**
 * Reports over a range of facility days, by day, ISO week (Monday first) or calendar month and
 * service: tickets, new check-ins, insurance vs fee-paying, calls, no-shows, mean waits, and waits
 * per service and hour of issue. Days whose tickets were purged count from the kept daily KPIs,
 * which hold no insurance split and no hours.
 */
import type { Report, ReportCounts, ReportPeriod, ReportQuery, ReportRow } from '@kiosk/protocol';
import type { Repositories } from '../repositories';
import { localHour } from '../clock';

/** The first day of the period holding `day` (YYYY-MM-DD, a calendar date). */
export function periodStart(day: string, period: ReportPeriod): string {
  if (period === 'day') return day;
  if (period === 'month') return `${day.slice(0, 7)}-01`;
  const d = new Date(`${day}T00:00:00Z`);
  const sinceMonday = (d.getUTCDay() + 6) % 7;
  return new Date(d.getTime() - sinceMonday * 86_400_000).toISOString().slice(0, 10);
}

interface Acc extends Required<ReportCounts> {
  waitMs: number;
  waits: number;
}
const zero = (): Acc => ({
  tickets: 0,
  checkIns: 0,
  insurance: 0,
  feePaying: 0,
  called: 0,
  noShows: 0,
  appointmentNoShows: 0,
  waitMs: 0,
  waits: 0,
});

export class ReportService {
  constructor(
    private readonly repositories: Pick<Repositories, 'kpi'>,
    private readonly timeZone: string,
    /** Today's facility day (YYYY-MM-DD). */
    private readonly today: () => string,
  ) {}

  async report(query: ReportQuery): Promise<Report> {
    const { kpi } = this.repositories;
    const to = query.to ?? (query.from && query.from > this.today() ? query.from : this.today());
    const from = query.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 6 * 86_400_000).toISOString().slice(0, 10);
    const q = { from, to, period: query.period };
    const [tickets, kept, booked] = await Promise.all([
      kpi.ticketsBetween(q.from, q.to),
      kpi.dailyBetween(q.from, q.to),
      kpi.appointmentNoShowsBetween(q.from, q.to),
    ]);
    const rows = new Map<string, Acc & { period: string; serviceId: string }>();
    const acc = (day: string, serviceId: string) => {
      const period = periodStart(day, q.period);
      const key = `${period}|${serviceId}`;
      let row = rows.get(key);
      if (!row) rows.set(key, (row = { ...zero(), period, serviceId }));
      return row;
    };
    const hours = new Map<string, { serviceId: string; hour: number; waitMs: number; calls: number }>();
    const daysWithTickets = new Set<string>();
    for (const t of tickets) {
      daysWithTickets.add(t.day);
      const a = acc(t.day, t.service_id);
      a.tickets += 1;
      if (t.transferred_from === null) {
        a.checkIns += 1;
        if (t.service_type === 'insurance') a.insurance += 1;
        else a.feePaying += 1;
      }
      if (t.status === 'no-show') a.noShows += 1;
      if (t.called_at) {
        a.called += 1;
        const wait = Date.parse(t.called_at) - Date.parse(t.issued_at);
        if (Number.isFinite(wait) && wait >= 0) {
          a.waitMs += wait;
          a.waits += 1;
          const hour = localHour(t.issued_at, this.timeZone);
          const hk = `${t.service_id}|${hour}`;
          const h = hours.get(hk) ?? { serviceId: t.service_id, hour, waitMs: 0, calls: 0 };
          h.waitMs += wait;
          h.calls += 1;
          hours.set(hk, h);
        }
      }
    }
    for (const k of kept) {
      if (daysWithTickets.has(k.day)) continue;
      const a = acc(k.day, k.service_id);
      a.tickets += Number(k.tickets);
      a.checkIns += Number(k.tickets) - Number(k.transferred);
      a.called += Number(k.called);
      a.noShows += Number(k.no_shows);
      a.waitMs += Number(k.wait_ms_total);
      a.waits += Number(k.wait_count);
    }
    for (const b of booked) acc(b.day, b.service_id).appointmentNoShows += Number(b.n);
    const out: ReportRow[] = [...rows.values()]
      .sort((a, b) => (a.period === b.period ? a.serviceId.localeCompare(b.serviceId) : a.period < b.period ? -1 : 1))
      .map((a) => ({
        period: a.period,
        serviceId: a.serviceId,
        tickets: a.tickets,
        checkIns: a.checkIns,
        insurance: a.insurance,
        feePaying: a.feePaying,
        called: a.called,
        noShows: a.noShows,
        appointmentNoShows: a.appointmentNoShows,
        meanWaitMs: a.waits > 0 ? Math.round(a.waitMs / a.waits) : null,
      }));
    const sum = (f: (r: ReportRow) => number) => out.reduce((n, r) => n + f(r), 0);
    return {
      from: q.from,
      to: q.to,
      period: q.period,
      rows: out,
      waitsByHour: [...hours.values()]
        .sort((a, b) => (a.serviceId === b.serviceId ? a.hour - b.hour : a.serviceId.localeCompare(b.serviceId)))
        .map((h) => ({
          serviceId: h.serviceId,
          hour: h.hour,
          meanWaitMs: Math.round(h.waitMs / h.calls),
          calls: h.calls,
        })),
      totals: {
        tickets: sum((r) => r.tickets),
        checkIns: sum((r) => r.checkIns),
        insurance: sum((r) => r.insurance),
        feePaying: sum((r) => r.feePaying),
        called: sum((r) => r.called),
        noShows: sum((r) => r.noShows),
        appointmentNoShows: sum((r) => r.appointmentNoShows ?? 0),
      },
    };
  }
}
