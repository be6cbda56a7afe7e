/**
 * Figures and retention: a day's tickets for the statistics, the per-day, per-service KPIs kept
 * after a purge, and the purge itself (visits past retention with their tickets, consents and
 * patients). Methods taking `trx` run inside the caller's unit of work (see executor.ts).
 */
import type { Db } from '../db/database';
import type { KpiDailyTable, TicketTable } from '../db/schema';
import type { Executor } from './executor';

export class KpiRepository {
  constructor(private readonly db: Db) {}

  // ---- statistics ------------------------------------------------------------------------------

  /** What the statistics need of every ticket of a day. */
  async ticketsOfDay(day: string) {
    return this.db.kysely
      .selectFrom('tickets')
      .select(['service_id', 'issued_at', 'called_at', 'status', 'transferred_from'])
      .where('day', '=', day)
      .execute();
  }

  /** What a report needs of every ticket of a range of facility days (inclusive), with its visit's service type. */
  /** Booked appointments marked no-show, per facility day and service. */
  async appointmentNoShowsBetween(fromDay: string, toDay: string) {
    return this.db.kysely
      .selectFrom('appointments')
      .select(['day', 'service_id', (eb) => eb.fn.countAll<string | number>().as('n')])
      .where('status', '=', 'noshow')
      .where('day', '>=', fromDay)
      .where('day', '<=', toDay)
      .groupBy(['day', 'service_id'])
      .execute();
  }

  async ticketsBetween(fromDay: string, toDay: string) {
    return this.db.kysely
      .selectFrom('tickets')
      .innerJoin('visits', 'visits.id', 'tickets.visit_id')
      .select([
        'tickets.day',
        'tickets.service_id',
        'tickets.issued_at',
        'tickets.called_at',
        'tickets.status',
        'tickets.transferred_from',
        'visits.service_type',
      ])
      .where('tickets.day', '>=', fromDay)
      .where('tickets.day', '<=', toDay)
      .orderBy('tickets.day')
      .execute();
  }

  /** The kept KPIs of one day. */
  async dailyOf(day: string): Promise<KpiDailyTable[]> {
    return this.db.kysely.selectFrom('kpi_daily').selectAll().where('day', '=', day).execute();
  }

  /** The kept KPIs of a range of days (inclusive), by day and service. */
  async dailyBetween(fromDay: string, toDay: string): Promise<KpiDailyTable[]> {
    return this.db.kysely
      .selectFrom('kpi_daily')
      .selectAll()
      .where('day', '>=', fromDay)
      .where('day', '<=', toDay)
      .orderBy('day')
      .orderBy('service_id')
      .execute();
  }

  // ---- retention: outside a unit of work -------------------------------------------------------

  /** Deletes patients untouched since `cutoff` that have no visit; returns how many. */
  async deletePatientsWithoutVisits(cutoff: string): Promise<number> {
    const orphans = await this.db.kysely
      .deleteFrom('patients')
      .where('updated_at', '<', cutoff)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('visits').select('visits.id').whereRef('visits.patient_id', '=', 'patients.id'))),
      )
      .executeTakeFirst();
    return Number(orphans.numDeletedRows);
  }

  // ---- retention: inside a unit of work --------------------------------------------------------

  /**
   * Up to `limit` visits created before `cutoff`, oldest first. On PostgreSQL other instances
   * purge too: the rows are locked, and rows another transaction holds are skipped.
   */
  async visitsBefore(trx: Executor, cutoff: string, limit: number) {
    let pick = trx
      .selectFrom('visits')
      .select(['id', 'patient_id'])
      .where('created_at', '<', cutoff)
      .orderBy('created_at')
      .limit(limit);
    if (this.db.dialect === 'postgres') pick = pick.forUpdate().skipLocked();
    return pick.execute();
  }

  async ticketsOfVisits(trx: Executor, visitIds: readonly string[]): Promise<TicketTable[]> {
    return trx.selectFrom('tickets').selectAll().where('visit_id', 'in', visitIds).execute();
  }

  /** Ticket id and type of every event of some tickets. */
  async eventTypesOf(trx: Executor, ticketIds: readonly string[]) {
    return trx.selectFrom('ticket_events').select(['ticket_id', 'type']).where('ticket_id', 'in', ticketIds).execute();
  }

  /** Adds a day's figures for a service to the kept KPIs. */
  async addToDaily(trx: Executor, row: KpiDailyTable & { wait_ms_total: number }): Promise<void> {
    await trx
      .insertInto('kpi_daily')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['day', 'service_id']).doUpdateSet((eb) => ({
          tickets: eb('kpi_daily.tickets', '+', row.tickets),
          called: eb('kpi_daily.called', '+', row.called),
          completed: eb('kpi_daily.completed', '+', row.completed),
          no_shows: eb('kpi_daily.no_shows', '+', row.no_shows),
          transferred: eb('kpi_daily.transferred', '+', row.transferred),
          printed: eb('kpi_daily.printed', '+', row.printed),
          print_failed: eb('kpi_daily.print_failed', '+', row.print_failed),
          wait_ms_total: eb('kpi_daily.wait_ms_total', '+', row.wait_ms_total),
          wait_count: eb('kpi_daily.wait_count', '+', row.wait_count),
        })),
      )
      .execute();
  }

  /** Deletes tickets with their events. */
  async deleteTickets(trx: Executor, ticketIds: readonly string[]): Promise<void> {
    await trx.deleteFrom('ticket_events').where('ticket_id', 'in', ticketIds).execute();
    await trx.deleteFrom('tickets').where('id', 'in', ticketIds).execute();
  }

  /**
   * Deletes visits with what was stored for them: consent events, notification opt-ins (phone
   * numbers), identity conflicts, the appointments they arrived for; their payments stay (no
   * personal data; accounting records) without the link to the visit.
   */
  async deleteVisits(trx: Executor, visitIds: readonly string[]): Promise<void> {
    await trx.deleteFrom('consent_events').where('visit_id', 'in', visitIds).execute();
    await trx.deleteFrom('notify_subscriptions').where('visit_id', 'in', visitIds).execute();
    await trx.deleteFrom('identity_conflicts').where('visit_id', 'in', visitIds).execute();
    await trx.deleteFrom('appointments').where('visit_id', 'in', visitIds).execute();
    await trx.updateTable('payments').set({ visit_id: null }).where('visit_id', 'in', visitIds).execute();
    await trx.deleteFrom('visits').where('id', 'in', visitIds).execute();
  }

  /** Which of these patients still have a visit. */
  async patientsWithVisits(trx: Executor, patientIds: readonly string[]): Promise<Set<string>> {
    const kept = await trx.selectFrom('visits').select('patient_id').where('patient_id', 'in', patientIds).execute();
    return new Set(kept.map((k) => k.patient_id));
  }

  /** Deletes patients with all their consent events. */
  async deletePatients(trx: Executor, patientIds: readonly string[]): Promise<void> {
    await trx.deleteFrom('consent_events').where('patient_id', 'in', patientIds).execute();
    await trx.deleteFrom('identity_conflicts').where('patient_id', 'in', patientIds).execute();
    await trx.deleteFrom('patients').where('id', 'in', patientIds).execute();
  }
}
