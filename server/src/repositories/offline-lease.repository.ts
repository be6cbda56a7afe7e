/**
 * Offline check-in: leases (blocks of a service's daily number series granted to a kiosk) and each
 * kiosk's journal backlog. Methods taking `trx` run inside the caller's unit of work.
 */
import type { Db } from '../db/database';
import type { OfflineLeaseTable } from '../db/schema';
import type { Executor } from './executor';

export class OfflineLeaseRepository {
  constructor(private readonly db: Db) {}

  /**
   * Takes `count` numbers out of a service's daily series at once: the series moves past them, so
   * no other issuer (kiosk, counter, server instance) ever draws one. Returns the block's first seq.
   */
  async takeBlock(trx: Executor, serviceId: string, day: string, count: number): Promise<number> {
    const series = await trx
      .insertInto('ticket_series')
      .values({ service_id: serviceId, day, last_seq: count })
      .onConflict((oc) =>
        oc.columns(['service_id', 'day']).doUpdateSet((eb) => ({ last_seq: eb('ticket_series.last_seq', '+', count) })),
      )
      .returning('last_seq')
      .executeTakeFirstOrThrow();
    return Number(series.last_seq) - count + 1;
  }

  async insert(trx: Executor, lease: OfflineLeaseTable): Promise<void> {
    await trx.insertInto('offline_leases').values(lease).execute();
  }

  /** A kiosk's leases of a day, oldest first. */
  async ofAgent(agentId: string, day: string): Promise<OfflineLeaseTable[]> {
    const rows = await this.db.kysely
      .selectFrom('offline_leases')
      .selectAll()
      .where('agent_id', '=', agentId)
      .where('day', '=', day)
      .orderBy('first_seq')
      .execute();
    return rows.map((r) => ({ ...r, first_seq: Number(r.first_seq), last_seq: Number(r.last_seq) }));
  }

  /** Whether `seq` of a service's day lies in a block granted to this kiosk. */
  async covers(trx: Executor, agentId: string, serviceId: string, day: string, seq: number): Promise<boolean> {
    const row = await trx
      .selectFrom('offline_leases')
      .select('id')
      .where('agent_id', '=', agentId)
      .where('service_id', '=', serviceId)
      .where('day', '=', day)
      .where('first_seq', '<=', seq)
      .where('last_seq', '>=', seq)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** A ticket of a service's day with this display number (another check-in's), if any. */
  async ticketNumbered(trx: Executor, serviceId: string, day: string, number: string): Promise<string | undefined> {
    const row = await trx
      .selectFrom('tickets')
      .select('id')
      .where('service_id', '=', serviceId)
      .where('day', '=', day)
      .where('number', '=', number)
      .executeTakeFirst();
    return row?.id;
  }

  /**
   * The waiting ticket a kiosk's check-in got online (its answer came after the kiosk had issued
   * the ticket offline) takes the number the patient holds: seq, number, issue time and lookup
   * code of the offline ticket, and the visit's receipt says so. False when that ticket is no
   * longer waiting (it was called meanwhile) or was not issued by this kiosk.
   */
  async adoptOnline(
    trx: Executor,
    a: {
      checkInId: string;
      agentId: string;
      seq: number;
      number: string;
      issuedAt: string;
      lookupCode: string;
      printStatus: string;
      receiptJson: (ticketId: string) => string;
    },
  ): Promise<string | undefined> {
    const visit = await trx
      .selectFrom('visits')
      .innerJoin('tickets', 'tickets.visit_id', 'visits.id')
      .select(['visits.id as visitId', 'tickets.id as ticketId', 'tickets.status', 'tickets.transferred_from'])
      .where('visits.check_in_id', '=', a.checkInId)
      .where('visits.agent_id', '=', a.agentId)
      .executeTakeFirst();
    if (!visit || visit.status !== 'waiting' || visit.transferred_from !== null) return undefined;
    const updated = await trx
      .updateTable('tickets')
      .set({
        seq: a.seq,
        number: a.number,
        issued_at: a.issuedAt,
        lookup_code: a.lookupCode,
        print_status: a.printStatus,
      })
      .where('id', '=', visit.ticketId)
      .where('status', '=', 'waiting')
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) return undefined;
    await trx
      .updateTable('visits')
      .set({ receipt_json: a.receiptJson(visit.ticketId) })
      .where('id', '=', visit.visitId)
      .execute();
    return visit.ticketId;
  }

  async saveBacklog(agentId: string, backlog: number, oldestAt: string | null, at: string): Promise<void> {
    await this.db.kysely
      .insertInto('agent_offline_backlog')
      .values({ agent_id: agentId, backlog, oldest_at: oldestAt, updated_at: at })
      .onConflict((oc) => oc.column('agent_id').doUpdateSet({ backlog, oldest_at: oldestAt, updated_at: at }))
      .execute();
  }

  /** Every kiosk's last reported backlog. */
  async backlogs(): Promise<Map<string, { backlog: number; oldestAt: string | null; updatedAt: string }>> {
    const rows = await this.db.kysely.selectFrom('agent_offline_backlog').selectAll().execute();
    return new Map(
      rows.map((r) => [r.agent_id, { backlog: Number(r.backlog), oldestAt: r.oldest_at, updatedAt: r.updated_at }]),
    );
  }
}
