/**
 * What the ticket's public status page reads (a ticket by its lookup code, its service's waiting
 * line) and the patient's opt-ins to be told about it. The phone number is sealed here and
 * opened only to send; nothing else of the patient is read.
 */
import type { Db } from '../db/database';
import type { NotifySubscriptionTable, TicketTable } from '../db/schema';
import type { ColumnCipher } from './column-cipher';
import { prepare } from './prepared';

/** The kept counters of a ticket's line, and the tickets of its priority issued after it (see `countsAround`). */
const linePlace = prepare((db, a: { serviceId: string; day: string; ticketId: string }) =>
  db
    .selectFrom('tickets as own')
    .innerJoin('ticket_series as ts', (j) => j.on('ts.service_id', '=', a.serviceId).on('ts.day', '=', a.day))
    .innerJoin('queue_waiting as q', (j) => j.on('q.service_id', '=', a.serviceId).on('q.day', '=', a.day))
    .leftJoin('queue_state as qs', (j) => j.on('qs.service_id', '=', a.serviceId).on('qs.day', '=', a.day))
    .select((eb) => [
      'q.priority',
      'q.waiting',
      'own.priority as own_priority',
      'own.service_id',
      'own.status',
      'qs.priority_streak',
      eb
        .case()
        .when('ts.last_seq', '>', eb.ref('own.seq'))
        .then(
          eb
            .selectFrom('tickets as l')
            .select(eb.fn.countAll<number | string>().as('n'))
            .where('l.service_id', '=', a.serviceId)
            .where('l.day', '=', a.day)
            .whereRef('l.seq', '>', 'own.seq')
            .where('l.status', '=', 'waiting')
            .whereRef('l.priority', '=', 'q.priority'),
        )
        .else(0)
        .end()
        .as('later'),
    ])
    .where('own.id', '=', a.ticketId)
    .where('own.day', '=', a.day),
);

/** How many of a service's waiting tickets of one priority there are, and how many of them came before a ticket. */
export interface PriorityCount {
  priority: string;
  /** Waiting tickets of this priority. */
  total: number;
  /** Of those, the ones issued before the ticket asked about (a lower `seq`). */
  before: number;
}

/** A waiting ticket's priority, its service's priority streak, and the waiting tickets per priority around it. */
export interface TicketPlaceCounts {
  priority: string;
  streak: number;
  counts: PriorityCount[];
}

/** A ticket's own columns as the status page reads them, with its service's room, floor and names. */
export interface StatusTicketRow extends Pick<
  TicketTable,
  | 'id'
  | 'visit_id'
  | 'service_id'
  | 'day'
  | 'seq'
  | 'number'
  | 'priority'
  | 'status'
  | 'lookup_code'
  | 'issued_at'
  | 'called_at'
  | 'counter'
  | 'transferred_to'
> {
  room: string;
  floor: number;
  name_vi: string;
  name_en: string;
}

export interface Subscription {
  id: string;
  ticketId: string;
  visitId: string;
  serviceId: string;
  day: string;
  channel: string;
  pushJson: string | null;
  /** Opened. */
  phone: string | null;
  nearSentAt: string | null;
  calledSentAt: string | null;
}

const PHONE = 'notify_subscriptions.phone';

export class TicketStatusRepository {
  constructor(
    private readonly db: Db,
    private readonly cipher: ColumnCipher,
  ) {}

  private tickets() {
    return this.db.kysely
      .selectFrom('tickets')
      .innerJoin('services', 'services.id', 'tickets.service_id')
      .select([
        'tickets.id',
        'tickets.visit_id',
        'tickets.service_id',
        'tickets.day',
        'tickets.seq',
        'tickets.number',
        'tickets.priority',
        'tickets.status',
        'tickets.lookup_code',
        'tickets.issued_at',
        'tickets.called_at',
        'tickets.counter',
        'tickets.transferred_to',
        'services.room',
        'services.floor',
        'services.name_vi',
        'services.name_en',
      ]);
  }

  async byCode(code: string): Promise<StatusTicketRow | undefined> {
    return this.tickets().where('tickets.lookup_code', '=', code).executeTakeFirst();
  }

  async byId(ticketId: string): Promise<StatusTicketRow | undefined> {
    return this.tickets().where('tickets.id', '=', ticketId).executeTakeFirst();
  }

  /** A service's waiting tickets on a day (their order is the queue policy's, not the query's). */
  async waiting(serviceId: string, day: string): Promise<{ id: string; seq: number; priority: string }[]> {
    const rows = await this.db.kysely
      .selectFrom('tickets')
      .select(['id', 'seq', 'priority'])
      .where('service_id', '=', serviceId)
      .where('day', '=', day)
      .where('status', '=', 'waiting')
      .execute();
    return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
  }

  /**
   * A waiting ticket's priority, its service's priority streak, and the service's waiting tickets
   * per priority with how many of each were issued before it: what `placeInOrder` needs. The
   * totals are the trigger-kept counters (`queue_waiting`); the tickets issued after this one are
   * taken off them, read by the day's series index (none for a ticket just issued); one statement.
   * Undefined when the ticket is not waiting in that service on that day.
   */
  async countsAround(serviceId: string, day: string, ticketId: string): Promise<TicketPlaceCounts | undefined> {
    // The ticket is found by its key alone (id, day) and its service and state checked here, so no
    // planner takes a service index for it; the later tickets are counted only when the day's
    // series went past this ticket (never for a ticket just issued on its own).
    const rows = await linePlace(this.db.kysely, { serviceId, day, ticketId });
    const [first] = rows;
    if (!first || first.service_id !== serviceId || first.status !== 'waiting') return undefined;
    return {
      priority: first.own_priority,
      streak: Number(first.priority_streak ?? 0),
      counts: rows.map((r) => ({
        priority: r.priority,
        total: Number(r.waiting),
        before: Number(r.waiting) - Number(r.later ?? 0) - (r.priority === first.own_priority ? 1 : 0),
      })),
    };
  }

  async priorityStreak(serviceId: string, day: string): Promise<number> {
    const row = await this.db.kysely
      .selectFrom('queue_state')
      .select('priority_streak')
      .where('service_id', '=', serviceId)
      .where('day', '=', day)
      .executeTakeFirst();
    return Number(row?.priority_streak ?? 0);
  }

  /** Whether some other ticket of the visit is still open (the visit goes on). */
  async visitOpen(visitId: string): Promise<boolean> {
    const row = await this.db.kysely
      .selectFrom('tickets')
      .select('id')
      .where('visit_id', '=', visitId)
      .where('status', 'in', ['waiting', 'called', 'skipped'])
      .executeTakeFirst();
    return row !== undefined;
  }

  // ---- opt-ins -------------------------------------------------------------------------------

  async addSubscription(s: Omit<Subscription, 'nearSentAt' | 'calledSentAt'>, at: string): Promise<void> {
    await this.db.kysely
      .insertInto('notify_subscriptions')
      .values({
        id: s.id,
        ticket_id: s.ticketId,
        visit_id: s.visitId,
        service_id: s.serviceId,
        day: s.day,
        channel: s.channel,
        push_json: s.pushJson,
        phone: this.cipher.seal(PHONE, s.phone),
        near_sent_at: null,
        called_sent_at: null,
        created_at: at,
      })
      .execute();
  }

  private toSubscription = (r: NotifySubscriptionTable): Subscription => ({
    id: r.id,
    ticketId: r.ticket_id,
    visitId: r.visit_id,
    serviceId: r.service_id,
    day: r.day,
    channel: r.channel,
    pushJson: r.push_json,
    phone: this.cipher.open(PHONE, r.phone),
    nearSentAt: r.near_sent_at,
    calledSentAt: r.called_sent_at,
  });

  /** The opt-ins of a service's tickets on a day, for a queue change of that service. */
  async subscriptionsOfService(serviceId: string, day: string): Promise<Subscription[]> {
    const rows = await this.db.kysely
      .selectFrom('notify_subscriptions')
      .selectAll()
      .where('service_id', '=', serviceId)
      .where('day', '=', day)
      .execute();
    return rows.map(this.toSubscription);
  }

  async subscriptionsOfTicket(ticketId: string): Promise<Subscription[]> {
    const rows = await this.db.kysely
      .selectFrom('notify_subscriptions')
      .selectAll()
      .where('ticket_id', '=', ticketId)
      .execute();
    return rows.map(this.toSubscription);
  }

  /**
   * Claims one notification of a subscription: true for exactly one caller (every server
   * instance hears the same queue event), so each patient is told once per kind.
   */
  async claim(id: string, kind: 'near' | 'called', at: string): Promise<boolean> {
    const column = kind === 'near' ? 'near_sent_at' : 'called_sent_at';
    const r = await this.db.kysely
      .updateTable('notify_subscriptions')
      .set({ [column]: at })
      .where('id', '=', id)
      .where(column, 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /**
   * A recall calls again: a call notice sent before this call (`calledAt`) no longer counts, so
   * the call is told again. A notice sent at or after it already told this call.
   */
  async releaseCalled(ticketId: string, calledAt: string): Promise<void> {
    await this.db.kysely
      .updateTable('notify_subscriptions')
      .set({ called_sent_at: null })
      .where('ticket_id', '=', ticketId)
      .where('called_sent_at', '<', calledAt)
      .execute();
  }

  /** A transfer: the opt-ins follow the visit to its new ticket and service. */
  async moveToTicket(fromTicketId: string, to: { id: string; serviceId: string; day: string }): Promise<void> {
    await this.db.kysely
      .updateTable('notify_subscriptions')
      .set({ ticket_id: to.id, service_id: to.serviceId, day: to.day, near_sent_at: null, called_sent_at: null })
      .where('ticket_id', '=', fromTicketId)
      .execute();
  }

  async deleteSubscription(id: string): Promise<void> {
    await this.db.kysely.deleteFrom('notify_subscriptions').where('id', '=', id).execute();
  }

  async deleteOfTicket(ticketId: string): Promise<number> {
    const r = await this.db.kysely
      .deleteFrom('notify_subscriptions')
      .where('ticket_id', '=', ticketId)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /** The visit ended: every opt-in and phone number given for it goes. */
  async deleteOfVisit(visitId: string): Promise<number> {
    const r = await this.db.kysely
      .deleteFrom('notify_subscriptions')
      .where('visit_id', '=', visitId)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /** The end-of-day sweep: opt-ins of days before `today`. */
  async deleteBefore(today: string): Promise<number> {
    const r = await this.db.kysely.deleteFrom('notify_subscriptions').where('day', '<', today).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /** Stored rows as they are (sealed), for the data-at-rest tests. */
  async rawPhones(): Promise<(string | null)[]> {
    const rows = await this.db.kysely.selectFrom('notify_subscriptions').select('phone').execute();
    return rows.map((r) => r.phone);
  }
}
