/**
 * Queues: call next with a priority interleave (PRIORITY_RATIO priority calls, then one normal
 * call while both wait, so normal tickets never starve), recall, skip (no-show after N skips),
 * complete, transfer to another service within the same visit, wait estimates, and the staff
 * view of the queue. Every transition is stored as a ticket event in the same transaction.
 */
import {
  checkInReceiptSchema,
  err,
  ok,
  ticketStatusUrl,
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
import type { Committer } from '../db/group-commit';
import type { TicketTable } from '../db/schema';
import type { Executor, Repositories } from '../repositories';
import type { TicketRow } from '../repositories/ticket.repository';
import { facilityDay, type Clock } from '../clock';
import { issueTicket } from './ticket-issue';
import { readStoredJson } from './stored-json';

export interface QueuePolicy {
  /** Priority calls in a row before one normal call, while both wait. */
  priorityRatio: number;
  /** Classes called as priority, in rank order. */
  priorityClasses: readonly Exclude<PriorityClass, 'normal'>[];
  ordering: 'fifo' | 'ranked';
  noShowAfterSkips: number;
  defaultServiceMs: number;
  /**
   * Booked patients (the appointment window): on time, called by their booked time ahead of
   * walk-ins of their lane; early, held until their window opens; late beyond it, walk-ins.
   */
  appointmentWindow?: { earlyMin: number; lateMin: number };
}

/** A waiting ticket as `chooseNext` sees it; `bookedAt` is the booked time of an arrived appointment. */
export interface Candidate {
  priority: string;
  seq: number;
  issued_at?: string;
  bookedAt?: string | null;
}

/** How a booked ticket stands at `now`: held (early), booked (called by booked time) or a walk-in. */
export function bookedStanding(
  t: Pick<Candidate, 'bookedAt' | 'issued_at'>,
  now: Date,
  window: { earlyMin: number; lateMin: number } | undefined,
): 'held' | 'booked' | 'walk-in' {
  if (!t.bookedAt || !window) return 'walk-in';
  const booked = Date.parse(t.bookedAt);
  if (!Number.isFinite(booked)) return 'walk-in';
  const arrived = t.issued_at ? Date.parse(t.issued_at) : now.getTime();
  if (arrived > booked + window.lateMin * 60_000) return 'walk-in';
  if (now.getTime() < booked - window.earlyMin * 60_000) return 'held';
  return 'booked';
}

export interface QueueDeps {
  repositories: Pick<Repositories, 'tickets' | 'visits' | 'catalogue'>;
  /** Each call and transition is one unit of work (one transaction each). */
  transactions: Committer;
  clock: Clock;
  timeZone: string;
  policy: QueuePolicy;
  onCalled: (call: CalledTicket, entry: QueueEntry) => void;
  onChanged: (entry: QueueEntry) => void;
  onIssued: (entry: QueueEntry) => void;
  /** The public base URL for patients' phones (PUBLIC_URL): a reprinted ticket's QR opens its status page. */
  publicUrl?: string;
}

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

/** The masked name on a visit's stored receipt (none when the receipt does not read as one). */
const maskedNameOf = (receiptJson: string): string | undefined => {
  const receipt = readStoredJson(checkInReceiptSchema, receiptJson);
  return receipt.ok ? receipt.value.ticket.maskedName : undefined;
};

/**
 * Picks the next ticket: pure, so the interleave and ranking rules are tested without a database.
 * Within each lane (priority, normal) booked patients on time come first by booked time, then
 * the rest by arrival; held (early) bookings wait; the priority interleave between lanes and the
 * ranking of priority classes are unchanged.
 */
export function chooseNext<T extends Candidate>(
  waiting: readonly T[],
  policy: Pick<QueuePolicy, 'priorityRatio' | 'priorityClasses' | 'ordering' | 'appointmentWindow'>,
  priorityStreak: number,
  now: Date = new Date(),
): { ticket: T; tookPriority: boolean; newStreak: number } | undefined {
  const rank = (p: string) => (policy.priorityClasses as readonly string[]).indexOf(p);
  // Issue time before seq: a kiosk's offline ticket, stored when the network came back, keeps the
  // place its issue time gives it (its number came from a block leased earlier).
  const byIssue = (a: T, b: T) =>
    (a.issued_at !== undefined && b.issued_at !== undefined && a.issued_at !== b.issued_at
      ? a.issued_at < b.issued_at
        ? -1
        : 1
      : 0) || a.seq - b.seq;
  const standing = new Map(waiting.map((t) => [t, bookedStanding(t, now, policy.appointmentWindow)]));
  const bookedTime = (t: T) => (standing.get(t) === 'booked' ? Date.parse(t.bookedAt ?? '') : Infinity);
  const order = (a: T, b: T) => {
    const ba = bookedTime(a);
    const bb = bookedTime(b);
    if (ba !== bb) return ba < bb ? -1 : 1;
    return byIssue(a, b);
  };
  const bySeq = waiting.filter((t) => standing.get(t) !== 'held').sort(order);
  const priority = bySeq.filter((t) => rank(t.priority) >= 0);
  const normal = bySeq.filter((t) => rank(t.priority) < 0);
  const nextPriority =
    policy.ordering === 'ranked'
      ? [...priority].sort((a, b) => rank(a.priority) - rank(b.priority) || order(a, b))[0]
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

const PACE_WINDOW_MS = 60 * 60_000;

export class QueueService {
  constructor(private readonly deps: QueueDeps) {}

  private today(): string {
    return facilityDay(this.deps.clock.now(), this.deps.timeZone);
  }

  private get tickets() {
    return this.deps.repositories.tickets;
  }

  /** Today's open tickets (waiting, called, skipped) as staff see them. */
  async list(serviceId?: string): Promise<QueueEntry[]> {
    const rows = await this.tickets.openOfDay(this.today(), serviceId);
    return rows.map((r) => ({
      ...toEntry(r, maskedNameOf(r.receipt_json)),
      identity: { source: r.identity_source, check: r.identity_check ?? null },
    }));
  }

  /** Calls the next ticket of a service to a counter or room; null when nobody waits. */
  async callNext(serviceId: string, counter: string, actor: string): Promise<CalledTicket | null> {
    const { clock, policy, transactions } = this.deps;
    const { tickets } = this;
    const day = this.today();
    for (let attempt = 0; attempt < 5; attempt++) {
      const result = await transactions.run(async (trx) => {
        // Ranked priority looks at every waiting priority ticket (up to 500); FIFO at the first.
        const heads = await tickets.waitingHeads(trx, {
          serviceId,
          day,
          priorityClasses: policy.priorityClasses,
          priorityLimit: policy.ordering === 'ranked' ? 500 : 1,
          withoutBooked: policy.appointmentWindow !== undefined,
        });
        // Booked patients waiting (arrived appointments): any of them may go ahead of the heads.
        const booked = policy.appointmentWindow ? await tickets.waitingBooked(trx, serviceId, day) : [];
        const candidates = [...booked, ...heads];
        const streak = await tickets.priorityStreak(trx, serviceId, day);
        const choice = chooseNext(candidates, policy, Number(streak ?? 0), clock.now());
        if (!choice) return null;
        const ticket = choice.ticket;
        const at = clock.now().toISOString();
        if (!(await tickets.markCalled(trx, ticket.id, at, counter))) return 'retry' as const;
        await tickets.savePriorityStreak(trx, serviceId, day, choice.newStreak);
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
      await this.tickets.markRecalled(trx, t.id, t.status, to, t.called_at ?? at);
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
      await this.tickets.markSkipped(trx, t.id, status, skips);
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
      await this.tickets.markCompleted(trx, t.id, at);
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
      const { catalogue, visits } = this.deps.repositories;
      const target = await catalogue.activeServicePrefix(trx, targetServiceId);
      if (!target) throw new Refused('unknown-service', `no active service ${targetServiceId}`);
      if (target.id === t.service_id) throw new Refused('invalid-transition', 'the ticket is already in this service');
      const newTicket = await issueTicket(this.tickets, trx, {
        visitId: t.visit_id,
        service: target,
        day,
        priority: keepPriority ? t.priority : 'normal',
        at,
        actor,
        eventDetail: `transfer:${t.id}`,
        transferredFrom: t.id,
        printStatus: 'none',
      });
      await this.tickets.markTransferred(trx, t.id, t.status, newTicket.id, at);
      await this.event(trx, t.id, 'transferred', at, actor, newTicket.id);
      const receipt = await visits.receiptOf(trx, t.visit_id);
      const masked = receipt !== undefined ? maskedNameOf(receipt) : undefined;
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
    const tickets = await this.tickets.ofVisit(visitId);
    if (tickets.length === 0) return err('unknown-visit', 'no such visit');
    const events = await this.tickets.eventsOf(tickets.map((t) => t.id));
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
    return this.tickets.visitIdOf(ticketId);
  }

  /**
   * Estimated wait for a new ticket per active service: waiting count × pace, where pace is the
   * mean gap between the service's calls in the last hour (parallel counters included), else the
   * mean called→completed time of its recent tickets, else DEFAULT_SERVICE_MINUTES.
   */
  async estimates(): Promise<ServiceWait[]> {
    const day = this.today();
    const now = this.deps.clock.now();
    const services = await this.deps.repositories.catalogue.activeServiceIds();
    const waitingBy = await this.tickets.waitingCounts(day);
    const out: ServiceWait[] = [];
    for (const id of services) {
      const { paceMs, basis } = await this.paceOf(id, day, now);
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

  /**
   * A service's pace: the mean gap between its calls in the last hour (parallel counters
   * included), else the mean called→completed time of its recent tickets, else the default.
   */
  async paceOf(
    serviceId: string,
    day: string = this.today(),
    now: Date = this.deps.clock.now(),
  ): Promise<{ paceMs: number; basis: ServiceWait['basis'] }> {
    const { tickets } = this;
    const calls = await tickets.recentCallTimes(serviceId, day, 11);
    const recent = meanGapMs(
      calls.map((c) => c ?? ''),
      PACE_WINDOW_MS,
      now,
    );
    if (recent !== undefined && recent > 0) return { paceMs: recent, basis: 'recent-calls' };
    const done = await tickets.recentServiceTimes(serviceId, 20);
    const durations = done
      .map((d) => Date.parse(d.completed_at ?? '') - Date.parse(d.called_at ?? ''))
      .filter((ms) => Number.isFinite(ms) && ms > 0);
    if (durations.length >= 3)
      return { paceMs: durations.reduce((a, b) => a + b, 0) / durations.length, basis: 'service-times' };
    return { paceMs: this.deps.policy.defaultServiceMs, basis: 'default' };
  }

  /** Today's waiting tickets per service. */
  async waitingByService(): Promise<Map<string, number>> {
    return this.tickets.waitingCounts(this.today());
  }

  async recentCalls(limit = 10): Promise<CalledTicket[]> {
    const rows = await this.tickets.recentCalls(this.today(), limit);
    return rows.map((r) => ({
      ticketId: r.id,
      number: r.number,
      serviceId: r.service_id,
      room: r.room,
      counter: r.counter ?? '',
      calledAt: r.called_at ?? '',
    }));
  }

  /**
   * What to print again for a ticket, and the kiosk that issued it (from the receipt as
   * acknowledged): 'unknown-ticket', or 'stored-receipt-invalid' when the receipt does not read.
   */
  async printable(ticketId: string): Promise<Result<{ ticket: Ticket; issuedBy: string | null }>> {
    const row = await this.tickets.receiptOf(ticketId);
    if (!row) return err('unknown-ticket', 'no such ticket');
    const receipt = readStoredJson(checkInReceiptSchema, row.receipt_json);
    if (!receipt.ok) return receipt;
    // The visit's receipt with this ticket's own number, code and room (a transfer's differ).
    const ticket: Ticket = {
      ...receipt.value.ticket,
      number: row.number,
      lookupCode: row.lookup_code,
      issuedAt: row.issued_at,
      room: row.room,
      floor: Number(row.floor),
      department: row.department_vi,
    };
    const { statusUrl: _stored, ...current } = ticket;
    const { publicUrl } = this.deps;
    return ok({
      ticket: publicUrl ? { ...current, statusUrl: ticketStatusUrl(publicUrl, row.lookup_code) } : current,
      issuedBy: row.agent_id,
    });
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
    const row = await this.deps.transactions.run(async (trx) => {
      const ticket = await this.tickets.byId(trx, ticketId);
      if (!ticket) return undefined;
      await this.tickets.setPrintStatus(trx, ticketId, printStatus);
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
    apply: (trx: Executor, ticket: TicketRow, at: string) => Promise<T>,
  ): Promise<Result<T>> {
    const at = this.deps.clock.now().toISOString();
    try {
      const value = await this.deps.transactions.run(async (trx) => {
        const ticket = await this.tickets.byId(trx, ticketId);
        if (!ticket) throw new Refused('unknown-ticket', 'no such ticket');
        if (!from.includes(ticket.status as TicketStatus))
          throw new Refused('invalid-transition', `a ${ticket.status} ticket cannot do this`);
        // Locks the row (PostgreSQL) so the guarded update below cannot interleave with another.
        if (!(await this.tickets.lock(trx, ticketId, ticket.status)))
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
    trx: Executor,
    ticketId: string,
    type: string,
    at: string,
    actor: string | null,
    detail: string | null,
  ): Promise<void> {
    await this.tickets.addEvent(trx, { ticketId, type, at, actor, detail });
  }

  private async callOf(
    trx: Executor,
    t: Pick<TicketRow, 'id' | 'number' | 'service_id' | 'counter'>,
    at: string,
  ): Promise<CalledTicket> {
    const room = await this.deps.repositories.catalogue.roomOf(trx, t.service_id);
    return {
      ticketId: t.id,
      number: t.number,
      serviceId: t.service_id,
      room: room ?? '',
      counter: t.counter ?? '',
      calledAt: at,
    };
  }
}
