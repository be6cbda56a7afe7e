/**
 * Kiosk agents (device credentials as hashes, revocation, heartbeats with device health) and
 * their single-use pairing codes. Methods taking `trx` run inside the caller's unit of work (see
 * executor.ts).
 */
import type { Db } from '../db/database';
import type { AgentHeartbeatTable, AgentTable, PairingCodeTable } from '../db/schema';
import type { Executor } from './executor';
import { usePairingCode } from './pairing-codes';

export class AgentRepository {
  constructor(private readonly db: Db) {}

  /** Stores a pairing code unless the same code is already stored. */
  async insertPairingCode(code: PairingCodeTable): Promise<void> {
    await this.db.kysely
      .insertInto('pairing_codes')
      .values(code)
      .onConflict((oc) => oc.column('code_hash').doNothing())
      .execute();
  }

  /** What authenticating an agent needs. */
  async credentialOf(agentId: string) {
    return this.db.kysely
      .selectFrom('agents')
      .select(['id', 'name', 'credential_hash', 'revoked_at'])
      .where('id', '=', agentId)
      .executeTakeFirst();
  }

  /** Returns whether the agent exists. */
  async revoke(agentId: string, at: string): Promise<boolean> {
    const r = await this.db.kysely
      .updateTable('agents')
      .set({ revoked_at: at })
      .where('id', '=', agentId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async touch(agentId: string, at: string): Promise<void> {
    await this.db.kysely.updateTable('agents').set({ last_seen_at: at }).where('id', '=', agentId).execute();
  }

  /** A heartbeat: seen at `at`, with its software version and device health (JSON). */
  async saveHeartbeat(agentId: string, at: string, softwareVersion: string, healthJson: string): Promise<void> {
    await this.db.kysely
      .updateTable('agents')
      .set({
        last_seen_at: at,
        software_version: softwareVersion,
        health_json: healthJson,
      })
      .where('id', '=', agentId)
      .execute();
  }

  /** One agent's row. */
  async byId(agentId: string): Promise<AgentTable | undefined> {
    return this.db.kysely.selectFrom('agents').selectAll().where('id', '=', agentId).executeTakeFirst();
  }

  /** The agent's latest heartbeat sample. */
  async lastSample(agentId: string) {
    return this.db.kysely
      .selectFrom('agent_heartbeats')
      .select(['id', 'at', 'software_version', 'ready', 'total', 'problems'])
      .where('agent_id', '=', agentId)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  /** Stores a heartbeat sample and drops the agent's samples beyond the newest `keep`. */
  async addSample(sample: Omit<AgentHeartbeatTable, 'id'>, keep: number): Promise<void> {
    await this.db.kysely.insertInto('agent_heartbeats').values(sample).execute();
    const edge = await this.db.kysely
      .selectFrom('agent_heartbeats')
      .select('id')
      .where('agent_id', '=', sample.agent_id)
      .orderBy('id', 'desc')
      .offset(keep)
      .limit(1)
      .executeTakeFirst();
    if (edge)
      await this.db.kysely
        .deleteFrom('agent_heartbeats')
        .where('agent_id', '=', sample.agent_id)
        .where('id', '<=', edge.id)
        .execute();
  }

  /** The agent's heartbeat samples, oldest first. */
  async samples(agentId: string) {
    return this.db.kysely
      .selectFrom('agent_heartbeats')
      .select(['at', 'software_version', 'ready', 'total', 'problems'])
      .where('agent_id', '=', agentId)
      .orderBy('id')
      .execute();
  }

  /** Every enrolled agent, oldest first. */
  async list(): Promise<AgentTable[]> {
    return this.db.kysely.selectFrom('agents').selectAll().orderBy('created_at').execute();
  }

  /** Agents not revoked and not seen since `limit` (never seen: enrolled before it). */
  async silentSince(limit: string) {
    return this.db.kysely
      .selectFrom('agents')
      .select(['id', 'last_seen_at', 'created_at'])
      .where('revoked_at', 'is', null)
      .where((eb) =>
        eb.or([eb('last_seen_at', '<', limit), eb.and([eb('last_seen_at', 'is', null), eb('created_at', '<', limit)])]),
      )
      .execute();
  }

  // ---- inside a unit of work -------------------------------------------------------------------

  /** Marks an unused, unexpired pairing code used at `now`; false when there is no such code. */
  usePairingCode(trx: Executor, codeHash: string, now: string): Promise<boolean> {
    return usePairingCode(trx, 'pairing_codes', codeHash, now);
  }

  async insert(trx: Executor, agent: AgentTable): Promise<void> {
    await trx.insertInto('agents').values(agent).execute();
  }
}
