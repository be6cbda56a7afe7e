/**
 * Fleet alerts: at most one open alert per kind, subject and device (a partial unique index), so
 * several server instances may raise the same condition at once.
 */
import type { Db } from '../db/database';
import type { AlertTable } from '../db/schema';

export class AlertRepository {
  constructor(private readonly db: Db) {}

  /** Newest first, at most 500; open ones only unless `includeResolved`. */
  async list(includeResolved: boolean): Promise<AlertTable[]> {
    let q = this.db.kysely.selectFrom('alerts').selectAll().orderBy('since', 'desc').limit(500);
    if (!includeResolved) q = q.where('resolved_at', 'is', null);
    return q.execute();
  }

  /** A subject's latest alerts, open or resolved, newest first. */
  async latestOf(subject: string, limit: number): Promise<AlertTable[]> {
    return this.db.kysely
      .selectFrom('alerts')
      .selectAll()
      .where('subject', '=', subject)
      .orderBy('since', 'desc')
      .limit(limit)
      .execute();
  }

  /** Open alerts by kind. */
  async openCounts(): Promise<Map<string, number>> {
    const rows = await this.db.kysely
      .selectFrom('alerts')
      .select(['kind', (eb) => eb.fn.countAll<string | number>().as('n')])
      .where('resolved_at', 'is', null)
      .groupBy('kind')
      .execute();
    return new Map(rows.map((r) => [r.kind, Number(r.n)]));
  }

  /** Stores the alert unless the same one is open; returns whether it was stored. */
  async insertUnlessOpen(alert: AlertTable): Promise<boolean> {
    const r = await this.db.kysely
      .insertInto('alerts')
      .values(alert)
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  /** A subject's open alerts, of some kinds (all when omitted) and one device ('' for none) when given. */
  async openOf(subject: string, kinds?: readonly string[], deviceId?: string): Promise<AlertTable[]> {
    let q = this.db.kysely
      .selectFrom('alerts')
      .selectAll()
      .where('subject', '=', subject)
      .where('resolved_at', 'is', null);
    if (kinds) q = q.where('kind', 'in', [...kinds]);
    if (deviceId !== undefined) q = q.where('device_id', '=', deviceId);
    return q.execute();
  }

  /** Kind and device of a subject's open alerts of some kinds. */
  async openKindsOf(subject: string, kinds: readonly string[]) {
    return this.db.kysely
      .selectFrom('alerts')
      .select(['kind', 'device_id'])
      .where('subject', '=', subject)
      .where('resolved_at', 'is', null)
      .where('kind', 'in', [...kinds])
      .execute();
  }

  /** Resolves an open alert at `at`; false when it was already resolved. */
  async resolve(alertId: string, at: string): Promise<boolean> {
    const r = await this.db.kysely
      .updateTable('alerts')
      .set({ resolved_at: at })
      .where('id', '=', alertId)
      .where('resolved_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
}
