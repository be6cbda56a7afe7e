/**
 * The CSCA trust store: imported files (master lists, certificates, CRLs) and what each kiosk
 * agent reported it applied of the pushed set. Certificates are public data: nothing is sealed.
 */
import type { Db } from '../db/database';
import type { AgentTrustStateTable, TrustFileTable } from '../db/schema';

export class TrustStoreRepository {
  constructor(private readonly db: Db) {}

  async insert(row: TrustFileTable): Promise<void> {
    await this.db.kysely.insertInto('trust_files').values(row).execute();
  }

  /** Every file, oldest first, without its uploaded bytes. */
  async list(): Promise<Omit<TrustFileTable, 'content'>[]> {
    return this.db.kysely
      .selectFrom('trust_files')
      .select(['id', 'name', 'kind', 'sha256', 'trust_json', 'summary_json', 'uploaded_by', 'uploaded_at'])
      .orderBy('uploaded_at')
      .orderBy('id')
      .execute();
  }

  async bySha256(sha256: string): Promise<{ id: string } | undefined> {
    return this.db.kysely.selectFrom('trust_files').select('id').where('sha256', '=', sha256).executeTakeFirst();
  }

  /** False when there was no such file. */
  async delete(id: string): Promise<boolean> {
    const r = await this.db.kysely.deleteFrom('trust_files').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  }

  async saveAgentState(row: AgentTrustStateTable): Promise<void> {
    await this.db.kysely
      .insertInto('agent_trust_states')
      .values(row)
      .onConflict((oc) =>
        oc.column('agent_id').doUpdateSet({
          revision: row.revision,
          anchors: row.anchors,
          crls: row.crls,
          local_anchors: row.local_anchors,
          reported_at: row.reported_at,
        }),
      )
      .execute();
  }

  /** Each enrolled, unrevoked agent with the trust state it reported last (none yet: nulls). */
  async agentStates() {
    return this.db.kysely
      .selectFrom('agents')
      .leftJoin('agent_trust_states', 'agent_trust_states.agent_id', 'agents.id')
      .select([
        'agents.id as agent_id',
        'agents.name as name',
        'agent_trust_states.revision as revision',
        'agent_trust_states.anchors as anchors',
        'agent_trust_states.crls as crls',
        'agent_trust_states.local_anchors as local_anchors',
        'agent_trust_states.reported_at as reported_at',
      ])
      .where('agents.revoked_at', 'is', null)
      .orderBy('agents.name')
      .execute();
  }
}
