/**
 * Kiosk fleet: single-use expiring pairing codes → a device credential (only its hash is
 * stored), revocation, heartbeats with device health.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { agentHeartbeatSchema, type AgentHeartbeat } from '@kiosk/protocol';
import type { Db } from '../db/database';
import type { Clock } from '../clock';
import { sha256 } from './auth.service';

const PAIRING_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export interface AgentIdentity {
  id: string;
  name: string;
}

export class FleetService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async createPairingCode(
    createdBy: string,
    ttlMs = 15 * 60_000,
    code?: string,
  ): Promise<{ code: string; expiresAt: string }> {
    const value = code ?? [...randomBytes(10)].map((b) => PAIRING_ALPHABET[b % PAIRING_ALPHABET.length]).join('');
    const expiresAt = new Date(this.clock.now().getTime() + ttlMs).toISOString();
    await this.db.kysely
      .insertInto('pairing_codes')
      .values({ code_hash: sha256(value), expires_at: expiresAt, used_at: null, created_by: createdBy })
      .onConflict((oc) => oc.column('code_hash').doNothing())
      .execute();
    return { code: value, expiresAt };
  }

  /** Consumes a pairing code; the credential is returned once and never stored in clear. */
  async enroll(code: string, name: string): Promise<{ agentId: string; credential: string } | 'invalid-code'> {
    const now = this.clock.now().toISOString();
    return this.db.kysely.transaction().execute(async (trx) => {
      const used = await trx
        .updateTable('pairing_codes')
        .set({ used_at: now })
        .where('code_hash', '=', sha256(code))
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      if (Number(used.numUpdatedRows) !== 1) return 'invalid-code' as const;
      const agentId = randomUUID();
      const secret = randomBytes(32).toString('base64url');
      await trx
        .insertInto('agents')
        .values({
          id: agentId,
          name,
          credential_hash: sha256(secret),
          created_at: now,
          revoked_at: null,
          last_seen_at: null,
          software_version: null,
          health_json: null,
        })
        .execute();
      return { agentId, credential: `${agentId}.${secret}` };
    });
  }

  async authenticate(credential: unknown): Promise<AgentIdentity | undefined> {
    if (typeof credential !== 'string' || credential.length > 200) return undefined;
    const dot = credential.indexOf('.');
    if (dot <= 0) return undefined;
    const id = credential.slice(0, dot);
    const row = await this.db.kysely
      .selectFrom('agents')
      .select(['id', 'name', 'credential_hash', 'revoked_at'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row || row.revoked_at !== null || row.credential_hash !== sha256(credential.slice(dot + 1))) return undefined;
    return { id: row.id, name: row.name };
  }

  async revoke(agentId: string): Promise<boolean> {
    const r = await this.db.kysely
      .updateTable('agents')
      .set({ revoked_at: this.clock.now().toISOString() })
      .where('id', '=', agentId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** The agent connected: it counts as seen now. */
  async touch(agentId: string): Promise<void> {
    await this.db.kysely
      .updateTable('agents')
      .set({ last_seen_at: this.clock.now().toISOString() })
      .where('id', '=', agentId)
      .execute();
  }

  async heartbeat(agentId: string, heartbeat: AgentHeartbeat): Promise<void> {
    const hb = agentHeartbeatSchema.parse(heartbeat);
    await this.db.kysely
      .updateTable('agents')
      .set({
        last_seen_at: this.clock.now().toISOString(),
        software_version: hb.softwareVersion,
        health_json: JSON.stringify(hb.devices),
      })
      .where('id', '=', agentId)
      .execute();
  }

  async list() {
    const rows = await this.db.kysely.selectFrom('agents').selectAll().orderBy('created_at').execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      revoked: r.revoked_at !== null,
      lastSeenAt: r.last_seen_at,
      softwareVersion: r.software_version,
      devices: r.health_json ? (JSON.parse(r.health_json) as unknown[]) : [],
    }));
  }
}
