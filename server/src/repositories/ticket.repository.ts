/**
 * Tickets, their events, the daily number series and the queue's priority streak. Methods taking
 * `trx` run inside the caller's unit of work (see executor.ts).
 */
import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { TicketTable } from '../db/schema';
import type { Executor } from './executor';
import { insertRow, prepare, type InsertTail } from './prepared';
import type { TicketPlaceCounts } from './ticket-status.repository';

/** The next number of a service's daily series (see `TicketRepository.nextSeq`). */
const nextInSeries = prepare((db, a: { serviceId: string; day: string }) =>
  db
    .insertInto('ticket_series')
    .values({ service_id: a.serviceId, day: a.day, last_seq: 1 })
    .onConflict((oc) =>
      oc.columns(['service_id', 'day']).doUpdateSet((eb) => ({ last_seq: eb('ticket_series.last_seq', '+', 1) })),
    )
    .returning('last_seq'),
);

/** A service's waiting tickets per priority (the trigger-kept counters) and its priority streak. */
const lineCounters = prepare((db, a: { serviceId: string; day: string }) =>
  db
    .selectFrom('queue_waiting as q')
    .leftJoin('queue_state as qs', (j) => j.onRef('qs.service_id', '=', 'q.service_id').onRef('qs.day', '=', 'q.day'))
    .select(['q.priority', 'q.waiting', 'qs.priority_streak'])
    .where('q.service_id', '=', a.serviceId)
    .where('q.day', '=', a.day),
);

/** A ticket whose lookup code is taken is not stored (PostgreSQL: unique per day, see partitions.migration.ts). */
const codeTaken: InsertTail = {
  name: 'code-taken',
  finish: (q) => q.onConflict((oc) => oc.column('lookup_code').doNothing()),
};
const codeTakenByDay: InsertTail = {
  name: 'code-taken-by-day',
  finish: (q) => q.onConflict((oc) => oc.columns(['lookup_code', 'day']).doNothing()),
};

export type TicketRow = TicketTable;

/**
 * A new ticket's place from its service's waiting counters per priority as read when it was the
 * newest of the series: every ticket counted was issued before it, but itself when the counters
 * already hold it (`counted`, read after its insert) — not when they were read before (`not-counted`).
 */
export function placeAtIssue(
  rows: readonly { priority: string; waiting: number | string }[],
  streak: number,
  priority: string,
  own: 'counted' | 'not-counted',
): TicketPlaceCounts {
  const counts = rows.map((r) => {
    const waiting = Number(r.waiting);
    if (r.priority !== priority) return { priority: r.priority, total: waiting, before: waiting };
    return own === 'counted'
      ? { priority, total: waiting, before: waiting - 1 }
      : { priority, total: waiting + 1, before: waiting };
  });
  if (own === 'not-counted' && !rows.some((r) => r.priority === priority))
    counts.push({ priority, total: 1, before: 0 });
  return { priority, streak, counts };
}

export interface TicketEvent {
  ticketId: string;
  type: string;
  at: string;
  actor: string | null;
  detail: string | null;
}

export class TicketRepository {
  constructor(private readonly db: Db) {}

  // ---- the queue as staff see it -------------------------------------------------------------

  /** A day's open tickets (waiting, called, skipped) with their visit's stored receipt and identity attestation, oldest first. */
  async openOfDay(day: string, serviceId?: string) {
    let q = this.db.kysely
      .selectFrom('tickets')
      .innerJoin('visits', 'visits.id', 'tickets.visit_id')
      .select([
        'tickets.id',
        'tickets.number',
        'tickets.service_id',
        'tickets.status',
        'tickets.priority',
        'tickets.issued_at',
        'tickets.print_status',
        'visits.receipt_json',
        'visits.identity_source',
        'visits.identity_check',
      ])
      .where('tickets.day', '=', day)
      .where('tickets.status', 'in', ['waiting', 'called', 'skipped'])
      .orderBy('tickets.issued_at');
    if (serviceId) q = q.where('tickets.service_id', '=', serviceId);
    return q.execute();
  }

  /** A day's waiting tickets per service. */
  async waitingCounts(day: string): Promise<Map<string, number>> {
    const rows = await this.db.kysely
      .selectFrom('tickets')
      .select(['service_id', (eb) => eb.fn.countAll<string | number>().as('n')])
      .where('day', '=', day)
      .where('status', '=', 'waiting')
      .groupBy('service_id')
      .execute();
    return new Map(rows.map((r) => [r.service_id, Number(r.n)]));
  }

  /** The latest call times of a service on a day, newest first. */
  async recentCallTimes(serviceId: string, day: string, limit: number): Promise<(string | null)[]> {
    const rows = await this.db.kysely
      .selectFrom('tickets')
      .select('called_at')
      .where('service_id', '=', serviceId)
      .where('day', '=', day)
      .where('called_at', 'is not', null)
      .orderBy('called_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => r.called_at);
  }

  /** Called and completed times of a service's latest completed tickets, newest first. */
  async recentServiceTimes(serviceId: string, limit: number) {
    return (
      this.db.kysely
        .selectFrom('tickets')
        .select(['called_at', 'completed_at'])
        .where('service_id', '=', serviceId)
        // A literal, so the completed tickets' own index (partial) answers it.
        .where('status', '=', sql.lit('completed'))
        .where('called_at', 'is not', null)
        .orderBy('completed_at', 'desc')
        .limit(limit)
        .execute()
    );
  }

  /** A day's latest calls with their service's room, newest first. */
  async recentCalls(day: string, limit: number) {
    return this.db.kysely
      .selectFrom('tickets')
      .innerJoin('services', 'services.id', 'tickets.service_id')
      .select([
        'tickets.id',
        'tickets.number',
        'tickets.service_id',
        'services.room',
        'tickets.counter',
        'tickets.called_at',
      ])
      .where('tickets.day', '=', day)
      .where('tickets.called_at', 'is not', null)
      .orderBy('tickets.called_at', 'desc')
      .limit(limit)
      .execute();
  }

  /** The stored receipt of a ticket's visit and the kiosk that issued it. */
  async receiptOf(ticketId: string) {
    return this.db.kysely
      .selectFrom('tickets')
      .innerJoin('visits', 'visits.id', 'tickets.visit_id')
      .innerJoin('services', 'services.id', 'tickets.service_id')
      .innerJoin('departments', 'departments.id', 'services.department_id')
      .select([
        'visits.receipt_json',
        'visits.agent_id',
        'tickets.number',
        'tickets.lookup_code',
        'tickets.issued_at',
        'services.room',
        'services.floor',
        'departments.name_vi as department_vi',
      ])
      .where('tickets.id', '=', ticketId)
      .executeTakeFirst();
  }

  // ---- visits' tickets and history -----------------------------------------------------------

  /** Every ticket of a visit, in issue order. */
  async ofVisit(visitId: string): Promise<TicketRow[]> {
    return this.db.kysely
      .selectFrom('tickets')
      .selectAll()
      .where('visit_id', '=', visitId)
      .orderBy('issued_at')
      .orderBy('seq')
      .execute();
  }

  /** The first ticket of a visit. */
  async firstOfVisit(visitId: string): Promise<string | undefined> {
    const row = await this.db.kysely
      .selectFrom('tickets')
      .select('id')
      .where('visit_id', '=', visitId)
      .orderBy('issued_at')
      .executeTakeFirst();
    return row?.id;
  }

  async visitIdOf(ticketId: string): Promise<string | undefined> {
    const row = await this.db.kysely
      .selectFrom('tickets')
      .select('visit_id')
      .where('id', '=', ticketId)
      .executeTakeFirst();
    return row?.visit_id;
  }

  /** The stored events of some tickets, in the order they were stored. */
  async eventsOf(ticketIds: readonly string[]) {
    return this.db.kysely
      .selectFrom('ticket_events')
      .select(['ticket_id', 'type', 'at', 'actor', 'detail', 'id'])
      .where('ticket_id', 'in', ticketIds)
      .orderBy('id')
      .execute();
  }

  // ---- inside a unit of work -----------------------------------------------------------------

  async byId(trx: Executor, ticketId: string): Promise<TicketRow | undefined> {
    return trx.selectFrom('tickets').selectAll().where('id', '=', ticketId).executeTakeFirst();
  }

  /**
   * The heads of a service's waiting line on a day, by issue time (a kiosk's offline tickets, stored
   * later, take their place by when they were issued), then sequence: with priority classes, up to
   * `priorityLimit` priority tickets and then the first normal one; without, the first ticket.
   */
  async waitingHeads(
    trx: Executor,
    q: {
      serviceId: string;
      day: string;
      priorityClasses: readonly string[];
      priorityLimit: number;
      /** Leave out booked patients' tickets (the caller reads them with `waitingBooked`). */
      withoutBooked?: boolean;
    },
  ): Promise<TicketRow[]> {
    let base = trx
      .selectFrom('tickets')
      .selectAll()
      .where('service_id', '=', q.serviceId)
      .where('day', '=', q.day)
      .where('status', '=', 'waiting')
      .orderBy('issued_at')
      .orderBy('seq');
    if (q.withoutBooked)
      base = base.where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('appointments')
              .select('appointments.id')
              .whereRef('appointments.visit_id', '=', 'tickets.visit_id')
              .where('appointments.status', '=', 'arrived'),
          ),
        ),
      );
    // The kept counters say which priorities have anyone waiting: a line without priority
    // tickets is not walked to its end looking for one (nor one without normal tickets).
    const counters = await lineCounters(trx, { serviceId: q.serviceId, day: q.day });
    const waiting = new Set(counters.filter((c) => Number(c.waiting) > 0).map((c) => c.priority));
    if (waiting.size === 0) return [];
    const classes = q.priorityClasses.filter((p) => waiting.has(p));
    const others = [...waiting].some((p) => !q.priorityClasses.includes(p));
    const heads: TicketRow[] = [];
    if (classes.length > 0)
      heads.push(...(await base.where('priority', 'in', classes).limit(q.priorityLimit).execute()));
    if (others)
      heads.push(
        ...(await (q.priorityClasses.length > 0 ? base.where('priority', 'not in', [...q.priorityClasses]) : base)
          .limit(1)
          .execute()),
      );
    return heads;
  }

  /** A service's waiting tickets of booked patients (their appointment arrived), with the booked time. */
  async waitingBooked(
    trx: Executor,
    serviceId: string,
    day: string,
  ): Promise<(TicketRow & { bookedAt: string | null })[]> {
    const rows = await trx
      .selectFrom('tickets')
      .innerJoin('appointments', 'appointments.visit_id', 'tickets.visit_id')
      .selectAll('tickets')
      .select('appointments.starts_at as bookedAt')
      .where('tickets.service_id', '=', serviceId)
      .where('tickets.day', '=', day)
      .where('tickets.status', '=', 'waiting')
      // Today's arrived appointments are few: read from them (by day and status), not the line.
      .where('appointments.day', '=', day)
      .where('appointments.status', '=', 'arrived')
      .orderBy('appointments.starts_at')
      .limit(200)
      .execute();
    return rows;
  }

  /** Priority calls in a row so far for a service's day (undefined before its first call). */
  async priorityStreak(trx: Executor, serviceId: string, day: string): Promise<number | undefined> {
    const state = await trx
      .selectFrom('queue_state')
      .select('priority_streak')
      .where('service_id', '=', serviceId)
      .where('day', '=', day)
      .executeTakeFirst();
    return state?.priority_streak;
  }

  async savePriorityStreak(trx: Executor, serviceId: string, day: string, streak: number): Promise<void> {
    await trx
      .insertInto('queue_state')
      .values({ service_id: serviceId, day, priority_streak: streak })
      .onConflict((oc) => oc.columns(['service_id', 'day']).doUpdateSet({ priority_streak: streak }))
      .execute();
  }

  /** A waiting ticket becomes called; false when it was no longer waiting. */
  async markCalled(trx: Executor, ticketId: string, at: string, counter: string): Promise<boolean> {
    const updated = await trx
      .updateTable('tickets')
      .set({ status: 'called', called_at: at, counter })
      .where('id', '=', ticketId)
      .where('status', '=', 'waiting')
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) === 1;
  }

  /**
   * Rewrites a ticket's status with itself if it is still `status`: on PostgreSQL this locks the
   * row until the unit of work ends. False when the status changed meanwhile.
   */
  async lock(trx: Executor, ticketId: string, status: string): Promise<boolean> {
    const claimed = await trx
      .updateTable('tickets')
      .set({ status })
      .where('id', '=', ticketId)
      .where('status', '=', status)
      .executeTakeFirst();
    return Number(claimed.numUpdatedRows) === 1;
  }

  async markRecalled(trx: Executor, ticketId: string, from: string, counter: string, calledAt: string): Promise<void> {
    await trx
      .updateTable('tickets')
      .set({ status: 'called', counter, called_at: calledAt })
      .where('id', '=', ticketId)
      .where('status', '=', from)
      .executeTakeFirst();
  }

  /** A called ticket becomes `status` ('skipped' or 'no-show') with its new skip count. */
  async markSkipped(trx: Executor, ticketId: string, status: string, skips: number): Promise<void> {
    await trx
      .updateTable('tickets')
      .set({ status, skip_count: skips })
      .where('id', '=', ticketId)
      .where('status', '=', 'called')
      .executeTakeFirst();
  }

  async markCompleted(trx: Executor, ticketId: string, at: string): Promise<void> {
    await trx
      .updateTable('tickets')
      .set({ status: 'completed', completed_at: at })
      .where('id', '=', ticketId)
      .where('status', '=', 'called')
      .executeTakeFirst();
  }

  async markTransferred(trx: Executor, ticketId: string, from: string, to: string, at: string): Promise<void> {
    await trx
      .updateTable('tickets')
      .set({ status: 'transferred', transferred_to: to, completed_at: at })
      .where('id', '=', ticketId)
      .where('status', '=', from)
      .executeTakeFirst();
  }

  async setPrintStatus(trx: Executor, ticketId: string, printStatus: string): Promise<void> {
    await trx.updateTable('tickets').set({ print_status: printStatus }).where('id', '=', ticketId).execute();
  }

  async addEvent(trx: Executor, e: TicketEvent): Promise<void> {
    await insertRow(trx, 'ticket_events', {
      ticket_id: e.ticketId,
      type: e.type,
      at: e.at,
      actor: e.actor,
      detail: e.detail,
    });
  }

  /**
   * The next number of a service's daily series. The upsert takes the series row's lock until the
   * transaction ends, so concurrent issuers (on any server instance) get unique, gap-free numbers.
   */
  async nextSeq(trx: Executor, serviceId: string, day: string): Promise<number> {
    const [series] = await nextInSeries(trx, { serviceId, day });
    if (!series) throw new Error('the series row was not returned');
    return Number(series.last_seq);
  }

  /**
   * What places a ticket just issued in this unit of work (`placeInOrder`): its service's waiting
   * tickets per priority, with every one of them issued before it but itself (it is the newest of
   * the series while the unit holds the series row), and the priority streak. One read of the kept
   * counters, no count of tickets.
   */
  async lineAtIssue(trx: Executor, serviceId: string, day: string, priority: string): Promise<TicketPlaceCounts> {
    const rows = await lineCounters(trx, { serviceId, day });
    return placeAtIssue(rows, Number(rows[0]?.priority_streak ?? 0), priority, 'counted');
  }

  /**
   * Stores a new ticket; false (nothing stored) when its lookup code is already taken. On
   * PostgreSQL tickets are partitioned by day and the code is unique per day (partitions.migration.ts).
   */
  async insertUnlessCodeTaken(trx: Executor, row: TicketRow): Promise<boolean> {
    const { count } = await insertRow(trx, 'tickets', row, this.db.dialect === 'postgres' ? codeTakenByDay : codeTaken);
    return count !== 0;
  }

  // ---- on its own ----------------------------------------------------------------------------

  /** `addEvent` outside any unit of work (a note such as the EMR's "finish at the counter"). */
  async recordEvent(e: TicketEvent): Promise<void> {
    await this.addEvent(this.db.kysely, e);
  }
}
