/**
 * Queues: call next with a priority interleave (PRIORITY_RATIO priority calls, then one normal
 * call while both wait, so normal tickets never starve), and the staff view of the queue.
 */
import type { CalledTicket, QueueEntry, PriorityClass, TicketStatus } from '@kiosk/protocol';
import type { Db } from '../db/database';
import type { TicketTable } from '../db/schema';
import { facilityDay, type Clock } from '../clock';

export interface QueueDeps {
  db: Db;
  clock: Clock;
  timeZone: string;
  priorityRatio: number;
  onCalled: (call: CalledTicket, entry: QueueEntry) => void;
  onPrintStatus: (entry: QueueEntry) => void;
}

function toEntry(
  t: Pick<TicketTable, 'id' | 'number' | 'service_id' | 'status' | 'priority' | 'issued_at' | 'print_status'>,
): QueueEntry {
  return {
    ticketId: t.id,
    number: t.number,
    serviceId: t.service_id,
    status: t.status as TicketStatus,
    priority: t.priority as PriorityClass,
    issuedAt: t.issued_at,
    printStatus: t.print_status as QueueEntry['printStatus'],
  };
}

export class QueueService {
  constructor(private readonly deps: QueueDeps) {}

  private today(): string {
    return facilityDay(this.deps.clock.now(), this.deps.timeZone);
  }

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
      .where('tickets.status', 'in', ['waiting', 'called'])
      .orderBy('tickets.issued_at');
    if (serviceId) q = q.where('tickets.service_id', '=', serviceId);
    const rows = await q.execute();
    return rows.map((r) => {
      const masked = (JSON.parse(r.receipt_json) as { ticket?: { maskedName?: string } }).ticket?.maskedName;
      return { ...toEntry(r), ...(masked ? { maskedName: masked } : {}) };
    });
  }

  /** Calls the next ticket of a service to a counter or room; null when nobody waits. */
  async callNext(serviceId: string, counter: string, actor: string): Promise<CalledTicket | null> {
    const { db, clock } = this.deps;
    const day = this.today();
    for (let attempt = 0; attempt < 5; attempt++) {
      const result = await db.kysely.transaction().execute(async (trx) => {
        const waiting = trx
          .selectFrom('tickets')
          .selectAll()
          .where('service_id', '=', serviceId)
          .where('day', '=', day)
          .where('status', '=', 'waiting')
          .orderBy('seq')
          .limit(1);
        const nextPriority = await waiting.where('priority', '!=', 'normal').executeTakeFirst();
        const nextNormal = await waiting.where('priority', '=', 'normal').executeTakeFirst();
        if (!nextPriority && !nextNormal) return null;
        const state = await trx
          .selectFrom('queue_state')
          .select('priority_streak')
          .where('service_id', '=', serviceId)
          .where('day', '=', day)
          .executeTakeFirst();
        const streak = state?.priority_streak ?? 0;
        const takePriority =
          nextPriority !== undefined && (nextNormal === undefined || streak < this.deps.priorityRatio);
        const ticket = takePriority ? nextPriority : nextNormal;
        if (!ticket) return null;
        const newStreak = takePriority ? (nextNormal === undefined ? 0 : streak + 1) : 0;
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
          .values({ service_id: serviceId, day, priority_streak: newStreak })
          .onConflict((oc) => oc.columns(['service_id', 'day']).doUpdateSet({ priority_streak: newStreak }))
          .execute();
        await trx
          .insertInto('ticket_events')
          .values({ ticket_id: ticket.id, type: 'called', at, actor, detail: counter })
          .execute();
        const service = await trx.selectFrom('services').select('room').where('id', '=', serviceId).executeTakeFirst();
        const call: CalledTicket = {
          ticketId: ticket.id,
          number: ticket.number,
          serviceId,
          room: service?.room ?? '',
          counter,
          calledAt: at,
        };
        return { call, entry: toEntry({ ...ticket, status: 'called' }) };
      });
      if (result === 'retry') continue;
      if (result === null) return null;
      this.deps.onCalled(result.call, result.entry);
      return result.call;
    }
    return null;
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
      await trx
        .insertInto('ticket_events')
        .values({ ticket_id: ticketId, type: `print-${state}`, at, actor: agentId, detail: reason ?? null })
        .execute();
      return { ...ticket, print_status: printStatus };
    });
    if (!row) return false;
    this.deps.onPrintStatus(toEntry(row));
    return true;
  }
}
