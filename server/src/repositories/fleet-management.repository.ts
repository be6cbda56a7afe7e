/**
 * Remote management of kiosks: configuration revisions with their acknowledgements, kiosk sites,
 * signed bundles, rollouts and their chosen kiosks.
 */
import type { Db } from '../db/database';
import type { Executor } from './executor';
import type { AgentBundleTable, AgentConfigTable, RolloutTable, RolloutTargetTable } from '../db/schema';

export class FleetManagementRepository {
  constructor(private readonly db: Db) {}

  // ---- configuration ---------------------------------------------------------------------------

  /** The kiosk's newest revision. */
  async latestConfig(agentId: string): Promise<AgentConfigTable | undefined> {
    return this.db.kysely
      .selectFrom('agent_configs')
      .selectAll()
      .where('agent_id', '=', agentId)
      .orderBy('revision', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  /** The newest revision of every kiosk. */
  async latestConfigs(): Promise<AgentConfigTable[]> {
    return this.db.kysely
      .selectFrom('agent_configs as c')
      .selectAll('c')
      .where((eb) =>
        eb(
          'c.revision',
          '=',
          eb
            .selectFrom('agent_configs as n')
            .select((e) => e.fn.max('n.revision').as('m'))
            .whereRef('n.agent_id', '=', 'c.agent_id'),
        ),
      )
      .execute();
  }

  /** Stores the next revision (one more than the newest) inside the caller's unit of work; returns its number. */
  async addConfig(
    trx: Executor,
    row: Omit<AgentConfigTable, 'revision' | 'report_json' | 'acknowledged_at'>,
  ): Promise<number> {
    {
      const last = await trx
        .selectFrom('agent_configs')
        .select((e) => e.fn.max('revision').as('m'))
        .where('agent_id', '=', row.agent_id)
        .executeTakeFirst();
      const revision = Number(last?.m ?? 0) + 1;
      await trx
        .insertInto('agent_configs')
        .values({ ...row, revision, report_json: null, acknowledged_at: null })
        .execute();
      return revision;
    }
  }

  async acknowledgeConfig(agentId: string, revision: number, reportJson: string, at: string): Promise<void> {
    await this.db.kysely
      .updateTable('agent_configs')
      .set({ report_json: reportJson, acknowledged_at: at })
      .where('agent_id', '=', agentId)
      .where('revision', '=', revision)
      .execute();
  }

  // ---- sites -----------------------------------------------------------------------------------

  async setSite(agentId: string, site: string | null): Promise<void> {
    await this.db.kysely.deleteFrom('agent_sites').where('agent_id', '=', agentId).execute();
    if (site !== null) await this.db.kysely.insertInto('agent_sites').values({ agent_id: agentId, site }).execute();
  }

  async sites(): Promise<Map<string, string>> {
    const rows = await this.db.kysely.selectFrom('agent_sites').selectAll().execute();
    return new Map(rows.map((r) => [r.agent_id, r.site]));
  }

  // ---- bundles ---------------------------------------------------------------------------------

  /** False when the version is already stored (a version is immutable once uploaded). */
  async addBundle(row: AgentBundleTable): Promise<boolean> {
    const known = await this.db.kysely
      .selectFrom('agent_bundles')
      .select('version')
      .where('version', '=', row.version)
      .executeTakeFirst();
    if (known) return false;
    await this.db.kysely.insertInto('agent_bundles').values(row).execute();
    return true;
  }

  async bundle(version: string): Promise<AgentBundleTable | undefined> {
    return this.db.kysely.selectFrom('agent_bundles').selectAll().where('version', '=', version).executeTakeFirst();
  }

  async bundles() {
    return this.db.kysely
      .selectFrom('agent_bundles')
      .select(['version', 'sha256', 'size_bytes', 'uploaded_at', 'uploaded_by'])
      .orderBy('uploaded_at', 'desc')
      .execute();
  }

  // ---- rollouts --------------------------------------------------------------------------------

  /** Inside the caller's unit of work. */
  async addRollout(trx: Executor, rollout: RolloutTable, targets: RolloutTargetTable[]): Promise<void> {
    await trx.insertInto('rollouts').values(rollout).execute();
    if (targets.length > 0) await trx.insertInto('rollout_targets').values(targets).execute();
  }

  async rollouts(limit: number): Promise<RolloutTable[]> {
    return this.db.kysely.selectFrom('rollouts').selectAll().orderBy('created_at', 'desc').limit(limit).execute();
  }

  async rollout(id: string): Promise<RolloutTable | undefined> {
    return this.db.kysely.selectFrom('rollouts').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async targetsOf(rolloutIds: readonly string[]): Promise<RolloutTargetTable[]> {
    if (rolloutIds.length === 0) return [];
    return this.db.kysely.selectFrom('rollout_targets').selectAll().where('rollout_id', 'in', rolloutIds).execute();
  }

  /** The kiosk's place in its newest rollout, with that rollout's version. */
  async latestTargetOf(agentId: string) {
    return this.db.kysely
      .selectFrom('rollout_targets as t')
      .innerJoin('rollouts as r', 'r.id', 't.rollout_id')
      .select(['t.rollout_id', 't.state', 't.reason', 't.updated_at', 'r.version', 'r.created_at'])
      .where('t.agent_id', '=', agentId)
      .orderBy('r.created_at', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  /** Every kiosk's place in its newest rollout. */
  async latestTargets() {
    const rows = await this.db.kysely
      .selectFrom('rollout_targets as t')
      .innerJoin('rollouts as r', 'r.id', 't.rollout_id')
      .select(['t.agent_id', 't.rollout_id', 't.state', 't.reason', 'r.version', 'r.created_at'])
      .orderBy('r.created_at', 'asc')
      .execute();
    const latest = new Map<string, (typeof rows)[number]>();
    for (const r of rows) latest.set(r.agent_id, r);
    return latest;
  }

  /** Updates a kiosk's state in a rollout; false when it is not one of the rollout's kiosks. */
  async setTargetState(
    rolloutId: string,
    agentId: string,
    state: string,
    reason: string | null,
    at: string,
  ): Promise<boolean> {
    const r = await this.db.kysely
      .updateTable('rollout_targets')
      .set({ state, reason, updated_at: at })
      .where('rollout_id', '=', rolloutId)
      .where('agent_id', '=', agentId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
}
