/**
 * Retention: patients and visits older than the retention setting are purged, after their
 * tickets are folded into per-day, per-service KPIs that are kept. Runs on a timer and on demand.
 */
import type { Committer } from '../db/group-commit';
import type { KpiDailyTable, TicketTable } from '../db/schema';
import type { Repositories } from '../repositories';
import type { Clock } from '../clock';
import type { Logger } from '../logger';

export const RETENTION_KEY = 'retention_days';

export interface PurgeReport {
  cutoff: string;
  visits: number;
  patients: number;
  tickets: number;
  kpiDays: number;
}

export interface DailyKpi {
  day: string;
  serviceId: string;
  tickets: number;
  called: number;
  completed: number;
  noShows: number;
  transferred: number;
  printed: number;
  printFailed: number;
  /** Mean issue → first call, over tickets that were called. */
  meanWaitMs: number | null;
}

const BATCH = 500;

/** A day's KPI row as folded here: the wait total is a number (PostgreSQL reads it back as a string). */
type KpiRow = Omit<KpiDailyTable, 'wait_ms_total'> & { wait_ms_total: number };
const emptyKpi = (day: string, service_id: string): KpiRow => ({
  day,
  service_id,
  tickets: 0,
  called: 0,
  completed: 0,
  no_shows: 0,
  transferred: 0,
  printed: 0,
  print_failed: 0,
  wait_ms_total: 0,
  wait_count: 0,
});

/** A KPI row per day and service of these tickets; `printFailed`: ids of tickets whose print failed. */
function foldKpis(tickets: readonly TicketTable[], printFailed: ReadonlySet<string>): Map<string, KpiRow> {
  const kpis = new Map<string, KpiRow>();
  for (const t of tickets) {
    const key = `${t.day}\u0000${t.service_id}`;
    const k = kpis.get(key) ?? emptyKpi(t.day, t.service_id);
    k.tickets += 1;
    if (t.called_at) {
      k.called += 1;
      const wait = Date.parse(t.called_at) - Date.parse(t.issued_at);
      if (Number.isFinite(wait) && wait >= 0) {
        k.wait_ms_total += wait;
        k.wait_count += 1;
      }
    }
    if (t.status === 'completed') k.completed += 1;
    if (t.status === 'no-show') k.no_shows += 1;
    if (t.status === 'transferred') k.transferred += 1;
    if (t.print_status === 'printed') k.printed += 1;
    if (printFailed.has(t.id)) k.print_failed += 1;
    kpis.set(key, k);
  }
  return kpis;
}

export class RetentionService {
  private running: Promise<PurgeReport> | undefined;

  constructor(
    private readonly repositories: Pick<Repositories, 'kpi' | 'catalogue' | 'partitions'>,
    /** Each batch of the purge is one unit of work. */
    private readonly transactions: Committer,
    private readonly clock: Clock,
    private readonly defaultDays: number,
    private readonly log: Logger,
  ) {}

  async retentionDays(): Promise<number> {
    const value = await this.repositories.catalogue.setting(RETENTION_KEY);
    const n = value !== undefined ? Number(value) : Number.NaN;
    return Number.isInteger(n) && n > 0 ? n : this.defaultDays;
  }

  async setRetentionDays(days: number): Promise<number> {
    const at = this.clock.now().toISOString();
    await this.repositories.catalogue.saveSetting(RETENTION_KEY, String(days), at);
    return days;
  }

  /** One purge at a time per process; a second caller gets the running one's report. */
  purge(): Promise<PurgeReport> {
    this.running ??= this.purgeOnce().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async purgeOnce(): Promise<PurgeReport> {
    const days = await this.retentionDays();
    const cutoff = new Date(this.clock.now().getTime() - days * 86_400_000).toISOString();
    const report: PurgeReport = { cutoff, visits: 0, patients: 0, tickets: 0, kpiDays: 0 };
    const { kpi } = this.repositories;
    await this.dropPastPartitions(cutoff, report);
    for (;;) {
      const done = await this.transactions.run(async (trx) => {
        // On PostgreSQL other instances purge too: each takes visits no one else holds.
        const batch = await kpi.visitsBefore(trx, cutoff, BATCH);
        if (batch.length === 0) return true;
        const visitIds = batch.map((v) => v.id);
        const tickets = await kpi.ticketsOfVisits(trx, visitIds);
        const ticketIds = tickets.map((t) => t.id);
        const events = ticketIds.length ? await kpi.eventTypesOf(trx, ticketIds) : [];
        const printFailed = new Set(events.filter((e) => e.type === 'print-failed').map((e) => e.ticket_id));
        const kpis = foldKpis(tickets, printFailed);
        for (const row of kpis.values()) await kpi.addToDaily(trx, row);
        if (ticketIds.length) await kpi.deleteTickets(trx, ticketIds);
        await kpi.deleteVisits(trx, visitIds);
        const patientIds = [...new Set(batch.map((v) => v.patient_id))];
        // A patient goes once no visit of theirs is left (a recent visit keeps the record).
        const keptIds = await kpi.patientsWithVisits(trx, patientIds);
        const gone = patientIds.filter((p) => !keptIds.has(p));
        if (gone.length) await kpi.deletePatients(trx, gone);
        report.visits += visitIds.length;
        report.tickets += ticketIds.length;
        report.patients += gone.length;
        report.kpiDays += kpis.size;
        return false;
      });
      if (done) break;
    }
    // Patients never seen in a visit (none today, but kept defensively) and untouched since the cutoff.
    report.patients += await kpi.deletePatientsWithoutVisits(cutoff);
    if (report.visits > 0 || report.patients > 0)
      this.log.info({ visits: report.visits, patients: report.patients, tickets: report.tickets }, 'retention purge');
    return report;
  }

  /**
   * PostgreSQL: a whole day of tickets before the cutoff is folded into the KPIs and its partition
   * dropped (no row-by-row delete); event partitions go a day later than the tickets they may
   * belong to (a facility day and a UTC day overlap). The visits' purge then finds those visits
   * without tickets. A day another instance is folding is left to it.
   */
  private async dropPastPartitions(cutoff: string, report: PurgeReport): Promise<void> {
    const { partitions, kpi } = this.repositories;
    if (!partitions.partitioned) return;
    const cutoffDay = cutoff.slice(0, 10);
    const daysBefore = (day: string, n: number) => {
      const d = new Date(`${day}T00:00:00Z`);
      d.setUTCDate(d.getUTCDate() - n);
      return d.toISOString().slice(0, 10);
    };
    for (const day of await partitions.days('tickets')) {
      if (day >= daysBefore(cutoffDay, 1)) break;
      try {
        await this.transactions.run(async (trx) => {
          if (!(await partitions.claimDay(trx, day))) return;
          const tickets = await partitions.ticketsOfDay(trx, day);
          const kpis = foldKpis(tickets, await partitions.printFailedOfDay(trx, day));
          for (const row of kpis.values()) await kpi.addToDaily(trx, row);
          await partitions.dropTicketDay(trx, day);
          report.tickets += tickets.length;
          report.kpiDays += kpis.size;
        });
      } catch (e) {
        // A lock not granted in time (a long query on tickets): the next purge folds the day.
        this.log.warn({ day, err: String(e) }, 'day partition not dropped');
        return;
      }
    }
    for (const day of await partitions.days('ticket_events')) {
      if (day >= daysBefore(cutoffDay, 2)) break;
      try {
        await this.transactions.run((trx) => partitions.dropEventDay(trx, day));
      } catch (e) {
        this.log.warn({ day, err: String(e) }, 'day partition not dropped');
        return;
      }
    }
  }

  async dailyKpis(fromDay: string, toDay: string): Promise<DailyKpi[]> {
    const rows = await this.repositories.kpi.dailyBetween(fromDay, toDay);
    return rows.map((r) => ({
      day: r.day,
      serviceId: r.service_id,
      tickets: Number(r.tickets),
      called: Number(r.called),
      completed: Number(r.completed),
      noShows: Number(r.no_shows),
      transferred: Number(r.transferred),
      printed: Number(r.printed),
      printFailed: Number(r.print_failed),
      meanWaitMs: Number(r.wait_count) > 0 ? Math.round(Number(r.wait_ms_total) / Number(r.wait_count)) : null,
    }));
  }
}
