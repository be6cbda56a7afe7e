/**
 * Queues: call next with a priority interleave (PRIORITY_RATIO priority calls, then one normal
 * call while both wait, so normal tickets never starve), recall, skip (no-show after N skips),
 * complete, transfer to another service within the same visit, wait estimates, and the staff
 * view of the queue. Every transition is stored as a ticket event in the same transaction.
 */
import { newRowId, pooledRandomBytes } from '../db/row-id';
import {
  err,
  ok,
  type CalledTicket,
  type PriorityClass,
  type QueueEntry,
  type Result,
  type ServiceWait,
  type Ticket,
  type TicketStatus,
  type TransferResult,
  type VisitHistory,
} from '@kiosk/protocol';
import type { Kysely, Transaction } from 'kysely';
import type { Db } from '../db/database';
import type { Database, TicketTable } from '../db/schema';
import { facilityDay, type Clock } from '../clock';

export interface QueuePolicy {
  /** Priority calls in a row before one normal call, while both wait. */
  priorityRatio: number;
  /** Classes called as priority, in rank order. */
  priorityClasses: readonly Exclude<PriorityClass, 'normal'>[];
  ordering: 'fifo' | 'ranked';
  noShowAfterSkips: number;
  defaultServiceMs: number;
}

export interface QueueDeps {
  db: Db;
  clock: Clock;
  timeZone: string;
  policy: QueuePolicy;
  onCalled: (call: CalledTicket, entry: QueueEntry) => void;
  onChanged: (entry: QueueEntry) => void;
  onIssued: (entry: QueueEntry) => void;
}

type TicketRow = TicketTable;

export function toEntry(
  t: Pick<TicketTable, 'id' | 'number' | 'service_id' | 'status' | 'priority' | 'issued_at' | 'print_status'>,
  maskedName?: string,
): QueueEntry {
  return {
    ticketId: t.id,
    number: t.number,
    serviceId: t.service_id,
    status: t.status as TicketStatus,
    priority: t.priority as PriorityClass,
    issuedAt: t.issued_at,
    printStatus: t.print_status as QueueEntry['printStatus'],
    ...(maskedName ? { maskedName } : {}),
  };
}

const maskedNameOf = (receiptJson: string): string | undefined =>
  (JSON.parse(receiptJson) as { ticket?: { maskedName?: string } }).ticket?.maskedName;

/** Picks the next ticket: pure, so the interleave and ranking rules are tested without a database. */
export function chooseNext<T extends { priority: string; seq: number }>(
  waiting: readonly T[],
  policy: Pick<QueuePolicy, 'priorityRatio' | 'priorityClasses' | 'ordering'>,
  priorityStreak: number,
): { ticket: T; tookPriority: boolean; newStreak: number } | undefined {
  const rank = (p: string) => (policy.priorityClasses as readonly string[]).indexOf(p);
  const bySeq = [...waiting].sort((a, b) => a.seq - b.seq);
  const priority = bySeq.filter((t) => rank(t.priority) >= 0);
  const normal = bySeq.filter((t) => rank(t.priority) < 0);
  const nextPriority =
    policy.ordering === 'ranked'
      ? [...priority].sort((a, b) => rank(a.priority) - rank(b.priority) || a.seq - b.seq)[0]
      : priority[0];
  const nextNormal = normal[0];
  if (!nextPriority && !nextNormal) return undefined;
  const takePriority =
    nextPriority !== undefined && (nextNormal === undefined || priorityStreak < policy.priorityRatio);
  if (takePriority && nextPriority)
    return { ticket: nextPriority, tookPriority: true, newStreak: nextNormal === undefined ? 0 : priorityStreak + 1 };
  if (nextNormal) return { ticket: nextNormal, tookPriority: false, newStreak: 0 };
  return undefined;
}

/** Mean gap between consecutive call times (ISO strings, any order) within the window. */
export function meanGapMs(times: readonly string[], windowMs: number, now: Date): number | undefined {
  const ms = times
    .map((t) => Date.parse(t))
    .filter((t) => Number.isFinite(t) && now.getTime() - t <= windowMs)
    .sort((a, b) => a - b);
  if (ms.length < 3) return undefined;
  const first = ms[0] ?? 0;
  const last = ms[ms.length - 1] ?? 0;
  return (last - first) / (ms.length - 1);
}

class Refused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const LOOKUP_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
/** The same 32 characters in code order, for the part of a lookup code that must sort. */
const SORTED_ALPHABET = [...LOOKUP_ALPHABET].sort().join('');
const MINUTE_MS = 60_000;

/**
 * The code a ticket's QR carries: 12 of 32 letters and digits, no look-alikes. The first four
 * count minutes (they wrap every two years) and sort, so the unique index takes the codes issued
 * together on its last pages instead of one random page each; eight random characters (40 bits)
 * follow. Should a code of the same minute be drawn twice, issueTicket throws TicketCodeTaken and
 * the check-in runs again.
 */
export const lookupCode = (now: number = Date.now()): string => {
  let minutes = Math.floor(now / MINUTE_MS) % 32 ** 4;
  let code = '';
  for (let i = 0; i < 4; i++) {
    code = (SORTED_ALPHABET[minutes % 32] ?? '') + code;
    minutes = Math.floor(minutes / 32);
  }
  for (const b of pooledRandomBytes(8)) code += LOOKUP_ALPHABET[b % LOOKUP_ALPHABET.length];
  return code;
};

/** The drawn lookup code is taken: run the unit of work again (it draws a new one). */
export class TicketCodeTaken extends Error {
  constructor() {
    super('ticket lookup code taken');
  }
}

const PACE_WINDOW_MS = 60 * 60_000;

export class QueueService {
  constructor(private readonly deps: QueueDeps) {}

  private today(): string {
    return facilityDay(this.deps.clock.now(), this.deps.timeZone);
  }

  /** Today's open tickets (waiting, called, skipped) as staff see them. */
  async list(serviceId?: string): Promise<QueueEntry[]> {
    let q = this.deps.db.kysely
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
      ])
      .where('tickets.day', '=', this.today())
      .where('tickets.status', 'in', ['waiting', 'called', 'skipped'])
      .orderBy('tickets.issued_at');
    if (serviceId) q = q.where('tickets.service_id', '=', serviceId);
    const rows = await q.execute();
    return rows.map((r) => toEntry(r, maskedNameOf(r.receipt_json)));
  }

  /** Calls the next ticket of a service to a counter or room; null when nobody waits. */
  async callNext(serviceId: string, counter: string, actor: string): Promise<CalledTicket | null> {
    const { db, clock, policy } = this.deps;
    const day = this.today();
    for (let attempt = 0; attempt < 5; attempt++) {
      const result = await db.kysely.transaction().execute(async (trx) => {
        const base = trx
          .selectFrom('tickets')
          .selectAll()
          .where('service_id', '=', serviceId)
          .where('day', '=', day)
          .where('status', '=', 'waiting')
          .orderBy('seq');
        const classes = [...policy.priorityClasses];
        const candidates: TicketRow[] = [];
        if (classes.length > 0) {
          const pri = base.where('priority', 'in', classes);
          candidates.push(...(await (policy.ordering === 'ranked' ? pri.limit(500) : pri.limit(1)).execute()));
          candidates.push(...(await base.where('priority', 'not in', classes).limit(1).execute()));
        } else {
          candidates.push(...(await base.limit(1).execute()));
        }
        const state = await trx
          .selectFrom('queue_state')
          .select('priority_streak')
          .where('service_id', '=', serviceId)
          .where('day', '=', day)
          .executeTakeFirst();
        const choice = chooseNext(candidates, policy, Number(state?.priority_streak ?? 0));
        if (!choice) return null;
        const ticket = choice.ticket;
        const at = clock.now().toISOString();
        const updated = await trx
          .updateTable('tickets')
          .set({ status: 'called', called_at: at, counter })
          .where('id', '=', ticket.id)
          .where('status', '=', 'waiting')
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1) return 'retry' as const;
        await trx
          .insertInto('queue_state')
          .values({ service_id: serviceId, day, priority_streak: choice.newStreak })
          .onConflict((oc) => oc.columns(['service_id', 'day']).doUpdateSet({ priority_streak: choice.newStreak }))
          .execute();
        await this.event(trx, ticket.id, 'called', at, actor, counter);
        const call = await this.callOf(trx, { ...ticket, counter }, at);
        return { call, entry: toEntry({ ...ticket, status: 'called' }) };
      });
      if (result === 'retry') continue;
      if (result === null) return null;
      this.deps.onCalled(result.call, result.entry);
      return result.call;
    }
    return null;
  }

  /** Calls a called or skipped ticket again; the display announces it again. */
  async recall(ticketId: string, counter: string | undefined, actor: string): Promise<Result<CalledTicket>> {
    const r = await this.transition(ticketId, ['called', 'skipped'], async (trx, t, at) => {
      const to = counter ?? t.counter ?? '';
      await trx
        .updateTable('tickets')
        .set({ status: 'called', counter: to, called_at: t.called_at ?? at })
        .where('id', '=', t.id)
        .where('status', '=', t.status)
        .executeTakeFirst();
      await this.event(trx, t.id, 'recalled', at, actor, to);
      const call = await this.callOf(trx, { ...t, counter: to }, at);
      return { row: { ...t, status: 'called', counter: to }, call };
    });
    if (!r.ok) return r;
    this.deps.onCalled(r.value.call, toEntry(r.value.row));
    return ok(r.value.call);
  }

  /** The called patient did not come: 'skipped', or 'no-show' once the skip limit is reached. */
  async skip(ticketId: string, actor: string): Promise<Result<QueueEntry>> {
    const r = await this.transition(ticketId, ['called'], async (trx, t, at) => {
      const skips = Number(t.skip_count) + 1;
      const status = skips >= this.deps.policy.noShowAfterSkips ? 'no-show' : 'skipped';
      await trx
        .updateTable('tickets')
        .set({ status, skip_count: skips })
        .where('id', '=', t.id)
        .where('status', '=', 'called')
        .executeTakeFirst();
      await this.event(trx, t.id, 'skipped', at, actor, String(skips));
      if (status === 'no-show') await this.event(trx, t.id, 'no-show', at, actor, String(skips));
      return { row: { ...t, status, skip_count: skips } };
    });
    if (!r.ok) return r;
    const entry = toEntry(r.value.row);
    this.deps.onChanged(entry);
    return ok(entry);
  }

  async complete(ticketId: string, actor: string): Promise<Result<QueueEntry>> {
    const r = await this.transition(ticketId, ['called'], async (trx, t, at) => {
      await trx
        .updateTable('tickets')
        .set({ status: 'completed', completed_at: at })
        .where('id', '=', t.id)
        .where('status', '=', 'called')
        .executeTakeFirst();
      await this.event(trx, t.id, 'completed', at, actor, null);
      return { row: { ...t, status: 'completed', completed_at: at } };
    });
    if (!r.ok) return r;
    const entry = toEntry(r.value.row);
    this.deps.onChanged(entry);
    return ok(entry);
  }

  /**
   * Ends the ticket as 'transferred' and issues a new one, with the next number of the target
   * service's daily series, in the same visit: the visit's history spans every service it passed.
   */
  async transfer(
    ticketId: string,
    targetServiceId: string,
    keepPriority: boolean,
    actor: string,
  ): Promise<Result<TransferResult>> {
    const day = this.today();
    const r = await this.transition(ticketId, ['waiting', 'called', 'skipped'], async (trx, t, at) => {
      const target = await trx
        .selectFrom('services')
        .select(['id', 'prefix'])
        .where('id', '=', targetServiceId)
        .where('active', '=', 1)
        .executeTakeFirst();
      if (!target) throw new Refused('unknown-service', `no active service ${targetServiceId}`);
      if (target.id === t.service_id) throw new Refused('invalid-transition', 'the ticket is already in this service');
      const newTicket = await issueTicket(trx, {
        visitId: t.visit_id,
        service: target,
        day,
        priority: keepPriority ? t.priority : 'normal',
        at,
        actor,
        eventDetail: `transfer:${t.id}`,
        transferredFrom: t.id,
      });
      await trx
        .updateTable('tickets')
        .set({ status: 'transferred', transferred_to: newTicket.id, completed_at: at })
        .where('id', '=', t.id)
        .where('status', '=', t.status)
        .executeTakeFirst();
      await this.event(trx, t.id, 'transferred', at, actor, newTicket.id);
      const visit = await trx
        .selectFrom('visits')
        .select('receipt_json')
        .where('id', '=', t.visit_id)
        .executeTakeFirst();
      const masked = visit ? maskedNameOf(visit.receipt_json) : undefined;
      return { row: { ...t, status: 'transferred' }, to: newTicket, masked };
    });
    if (!r.ok) return r;
    const from = toEntry(r.value.row, r.value.masked);
    const to = toEntry(r.value.to, r.value.masked);
    this.deps.onChanged(from);
    this.deps.onIssued(to);
    return ok({ from, to });
  }

  /** Every ticket of a visit with its stored events, oldest first. No personal data. */
  async visitHistory(visitId: string): Promise<Result<VisitHistory>> {
    const { kysely } = this.deps.db;
    const tickets = await kysely
      .selectFrom('tickets')
      .selectAll()
      .where('visit_id', '=', visitId)
      .orderBy('issued_at')
      .orderBy('seq')
      .execute();
    if (tickets.length === 0) return err('unknown-visit', 'no such visit');
    const events = await kysely
      .selectFrom('ticket_events')
      .select(['ticket_id', 'type', 'at', 'actor', 'detail', 'id'])
      .where(
        'ticket_id',
        'in',
        tickets.map((t) => t.id),
      )
      .orderBy('id')
      .execute();
    return ok({
      visitId,
      tickets: tickets.map((t) => ({
        ...toEntry(t),
        events: events
          .filter((e) => e.ticket_id === t.id)
          .map((e) => ({ ticketId: e.ticket_id, type: e.type, at: e.at, actor: e.actor, detail: e.detail })),
      })),
    });
  }

  /** The visit of a ticket, with every ticket it had and every stored transition. */
  async historyOfTicket(ticketId: string): Promise<Result<VisitHistory>> {
    const visitId = await this.visitOf(ticketId);
    if (!visitId) return err('unknown-ticket', 'no such ticket');
    return this.visitHistory(visitId);
  }

  /** The visit a ticket belongs to, for history look-ups by ticket. */
  async visitOf(ticketId: string): Promise<string | undefined> {
    const row = await this.deps.db.kysely
      .selectFrom('tickets')
      .select('visit_id')
      .where('id', '=', ticketId)
      .executeTakeFirst();
    return row?.visit_id;
  }

  /**
   * Estimated wait for a new ticket per active service: waiting count × pace, where pace is the
   * mean gap between the service's calls in the last hour (parallel counters included), else the
   * mean called→completed time of its recent tickets, else DEFAULT_SERVICE_MINUTES.
   */
  async estimates(): Promise<ServiceWait[]> {
    const { kysely } = this.deps.db;
    const day = this.today();
    const now = this.deps.clock.now();
    const services = await kysely.selectFrom('services').select('id').where('active', '=', 1).orderBy('sort').execute();
    const waiting = await kysely
      .selectFrom('tickets')
      .select(['service_id', (eb) => eb.fn.countAll<string | number>().as('n')])
      .where('day', '=', day)
      .where('status', '=', 'waiting')
      .groupBy('service_id')
      .execute();
    const waitingBy = new Map(waiting.map((w) => [w.service_id, Number(w.n)]));
    const out: ServiceWait[] = [];
    for (const { id } of services) {
      const calls = await kysely
        .selectFrom('tickets')
        .select('called_at')
        .where('service_id', '=', id)
        .where('day', '=', day)
        .where('called_at', 'is not', null)
        .orderBy('called_at', 'desc')
        .limit(11)
        .execute();
      let basis: ServiceWait['basis'] = 'default';
      let paceMs =
        meanGapMs(
          calls.map((c) => c.called_at ?? ''),
          PACE_WINDOW_MS,
          now,
        ) ?? 0;
      if (paceMs > 0) basis = 'recent-calls';
      else {
        const done = await kysely
          .selectFrom('tickets')
          .select(['called_at', 'completed_at'])
          .where('service_id', '=', id)
          .where('status', '=', 'completed')
          .where('called_at', 'is not', null)
          .orderBy('completed_at', 'desc')
          .limit(20)
          .execute();
        const durations = done
          .map((d) => Date.parse(d.completed_at ?? '') - Date.parse(d.called_at ?? ''))
          .filter((ms) => Number.isFinite(ms) && ms > 0);
        if (durations.length >= 3) {
          paceMs = durations.reduce((a, b) => a + b, 0) / durations.length;
          basis = 'service-times';
        } else paceMs = this.deps.policy.defaultServiceMs;
      }
      const n = waitingBy.get(id) ?? 0;
      out.push({
        serviceId: id,
        waiting: n,
        paceMs: Math.round(paceMs),
        estimatedWaitMs: Math.round(n * paceMs),
        basis,
      });
    }
    return out;
  }

  /** Today's waiting tickets per service. */
  async waitingByService(): Promise<Map<string, number>> {
    const rows = await this.deps.db.kysely
      .selectFrom('tickets')
      .select(['service_id', (eb) => eb.fn.countAll<string | number>().as('n')])
      .where('day', '=', this.today())
      .where('status', '=', 'waiting')
      .groupBy('service_id')
      .execute();
    return new Map(rows.map((r) => [r.service_id, Number(r.n)]));
  }

  async recentCalls(limit = 10): Promise<CalledTicket[]> {
    const rows = await this.deps.db.kysely
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
      .where('tickets.day', '=', this.today())
      .where('tickets.called_at', 'is not', null)
      .orderBy('tickets.called_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      ticketId: r.id,
      number: r.number,
      serviceId: r.service_id,
      room: r.room,
      counter: r.counter ?? '',
      calledAt: r.called_at ?? '',
    }));
  }

  /** What to print again for a ticket, and the kiosk that issued it (from the receipt as acknowledged). */
  async printable(ticketId: string): Promise<{ ticket: Ticket; issuedBy: string | null } | undefined> {
    const row = await this.deps.db.kysely
      .selectFrom('tickets')
      .innerJoin('visits', 'visits.id', 'tickets.visit_id')
      .select(['visits.receipt_json', 'visits.agent_id'])
      .where('tickets.id', '=', ticketId)
      .executeTakeFirst();
    if (!row) return undefined;
    const receipt = JSON.parse(row.receipt_json) as { ticket: Ticket };
    return { ticket: receipt.ticket, issuedBy: row.agent_id };
  }

  /** A ticket counts as printed only when the printer confirmed it. */
  async recordPrint(
    ticketId: string,
    state: 'confirmed' | 'failed',
    reason: string | undefined,
    agentId: string,
  ): Promise<boolean> {
    const at = this.deps.clock.now().toISOString();
    const printStatus = state === 'confirmed' ? 'printed' : 'failed';
    const row = await this.deps.db.kysely.transaction().execute(async (trx) => {
      const ticket = await trx.selectFrom('tickets').selectAll().where('id', '=', ticketId).executeTakeFirst();
      if (!ticket) return undefined;
      await trx.updateTable('tickets').set({ print_status: printStatus }).where('id', '=', ticketId).execute();
      await this.event(trx, ticketId, `print-${state}`, at, agentId, reason ?? null);
      return { ...ticket, print_status: printStatus };
    });
    if (!row) return false;
    this.deps.onChanged(toEntry(row));
    return true;
  }

  /**
   * Runs one guarded transition in a transaction: the ticket must exist and be in one of `from`.
   * A concurrent transition that got there first shows up as 'invalid-transition'.
   */
  private async transition<T extends { row: TicketRow }>(
    ticketId: string,
    from: readonly TicketStatus[],
    apply: (trx: Transaction<Database>, ticket: TicketRow, at: string) => Promise<T>,
  ): Promise<Result<T>> {
    const at = this.deps.clock.now().toISOString();
    try {
      const value = await this.deps.db.kysely.transaction().execute(async (trx) => {
        const ticket = await trx.selectFrom('tickets').selectAll().where('id', '=', ticketId).executeTakeFirst();
        if (!ticket) throw new Refused('unknown-ticket', 'no such ticket');
        if (!from.includes(ticket.status as TicketStatus))
          throw new Refused('invalid-transition', `a ${ticket.status} ticket cannot do this`);
        // Locks the row (PostgreSQL) so the guarded update below cannot interleave with another.
        const claimed = await trx
          .updateTable('tickets')
          .set({ status: ticket.status })
          .where('id', '=', ticketId)
          .where('status', '=', ticket.status)
          .executeTakeFirst();
        if (Number(claimed.numUpdatedRows) !== 1)
          throw new Refused('invalid-transition', 'the ticket changed meanwhile');
        return apply(trx, ticket, at);
      });
      return ok(value);
    } catch (e) {
      if (e instanceof Refused) return err(e.code, e.message);
      throw e;
    }
  }

  private async event(
    trx: Transaction<Database>,
    ticketId: string,
    type: string,
    at: string,
    actor: string | null,
    detail: string | null,
  ): Promise<void> {
    await trx.insertInto('ticket_events').values({ ticket_id: ticketId, type, at, actor, detail }).execute();
  }

  private async callOf(
    trx: Transaction<Database>,
    t: Pick<TicketRow, 'id' | 'number' | 'service_id' | 'counter'>,
    at: string,
  ): Promise<CalledTicket> {
    const service = await trx.selectFrom('services').select('room').where('id', '=', t.service_id).executeTakeFirst();
    return {
      ticketId: t.id,
      number: t.number,
      serviceId: t.service_id,
      room: service?.room ?? '',
      counter: t.counter ?? '',
      calledAt: at,
    };
  }
}

export interface NewTicket {
  id?: string;
  visitId: string;
  service: { id: string; prefix: string };
  day: string;
  priority: TicketRow['priority'];
  at: string;
  actor: string | null;
  /** Stored with the 'issued' event (e.g. where a transfer came from). */
  eventDetail?: string | null;
  transferredFrom?: string;
}

/**
 * Issues a ticket inside the caller's transaction: its 'issued' event, the next number of the
 * service's daily series, the ticket row. The event goes first: on PostgreSQL the series row stays
 * locked from the upsert to the commit, so the less that follows it, the more issuers run in
 * parallel. `beforeInsert` runs once the number is known (a check-in stores its visit then).
 */
export async function issueTicket(
  trx: Kysely<Database>,
  t: NewTicket,
  beforeInsert?: (ticket: TicketRow) => Promise<void>,
): Promise<TicketRow> {
  const id = t.id ?? newRowId();
  await trx
    .insertInto('ticket_events')
    .values({ ticket_id: id, type: 'issued', at: t.at, actor: t.actor, detail: t.eventDetail ?? null })
    .execute();
  const seq = await nextSeq(trx, t.service.id, t.day);
  const row: TicketRow = {
    id,
    visit_id: t.visitId,
    service_id: t.service.id,
    day: t.day,
    seq,
    number: formatNumber(t.service.prefix, seq),
    priority: t.priority,
    status: 'waiting',
    // Printed by the kiosk that issued it, or at the counter: pending until a printer confirms.
    print_status: 'pending',
    lookup_code: lookupCode(Date.parse(t.at)),
    issued_at: t.at,
    called_at: null,
    counter: null,
    skip_count: 0,
    completed_at: null,
    transferred_from: t.transferredFrom ?? null,
    transferred_to: null,
  };
  await beforeInsert?.(row);
  const inserted = await trx
    .insertInto('tickets')
    .values(row)
    .onConflict((oc) => oc.column('lookup_code').doNothing())
    .executeTakeFirst();
  // The code may already be printed in what beforeInsert stored: the whole unit runs again.
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) throw new TicketCodeTaken();
  return row;
}

export const formatNumber = (prefix: string, seq: number) => `${prefix}${String(seq).padStart(3, '0')}`;

/**
 * The next number of a service's daily series. The upsert takes the series row's lock until the
 * transaction ends, so concurrent issuers (on any server instance) get unique, gap-free numbers.
 */
export async function nextSeq(trx: Kysely<Database>, serviceId: string, day: string): Promise<number> {
  const series = await trx
    .insertInto('ticket_series')
    .values({ service_id: serviceId, day, last_seq: 1 })
    .onConflict((oc) =>
      oc.columns(['service_id', 'day']).doUpdateSet((eb) => ({ last_seq: eb('ticket_series.last_seq', '+', 1) })),
    )
    .returning('last_seq')
    .executeTakeFirstOrThrow();
  return Number(series.last_seq);
}
