/**
 * Kiosk fleet: single-use expiring pairing codes → a device credential (only its hash is
 * stored), revocation, heartbeats with device health.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { agentHeartbeatSchema, type AgentHeartbeat, type DeviceHealth } from '@kiosk/protocol';
import type { Committer } from '../db/group-commit';
import type { AgentRepository } from '../repositories/agent.repository';
import type { Clock } from '../clock';
import { sha256 } from './auth.service';
import { readStoredJson } from './stored-json';

const PAIRING_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export interface AgentIdentity {
  id: string;
  name: string;
}

export class FleetService {
  constructor(
    private readonly agents: AgentRepository,
    /** Enrolment (the code used, the agent stored) is one unit of work. */
    private readonly transactions: Committer,
    private readonly clock: Clock,
  ) {}

  async createPairingCode(
    createdBy: string,
    ttlMs = 15 * 60_000,
    code?: string,
  ): Promise<{ code: string; expiresAt: string }> {
    const value = code ?? [...randomBytes(10)].map((b) => PAIRING_ALPHABET[b % PAIRING_ALPHABET.length]).join('');
    const expiresAt = new Date(this.clock.now().getTime() + ttlMs).toISOString();
    await this.agents.insertPairingCode({
      code_hash: sha256(value),
      expires_at: expiresAt,
      used_at: null,
      created_by: createdBy,
    });
    return { code: value, expiresAt };
  }

  /** Consumes a pairing code; the credential is returned once and never stored in clear. */
  async enroll(code: string, name: string): Promise<{ agentId: string; credential: string } | 'invalid-code'> {
    const now = this.clock.now().toISOString();
    const { agents } = this;
    return this.transactions.run(async (trx) => {
      if (!(await agents.usePairingCode(trx, sha256(code), now))) return 'invalid-code' as const;
      const agentId = randomUUID();
      const secret = randomBytes(32).toString('base64url');
      await agents.insert(trx, {
        id: agentId,
        name,
        credential_hash: sha256(secret),
        created_at: now,
        revoked_at: null,
        last_seen_at: null,
        software_version: null,
        health_json: null,
      });
      return { agentId, credential: `${agentId}.${secret}` };
    });
  }

  async authenticate(credential: unknown): Promise<AgentIdentity | undefined> {
    if (typeof credential !== 'string' || credential.length > 200) return undefined;
    const dot = credential.indexOf('.');
    if (dot <= 0) return undefined;
    const id = credential.slice(0, dot);
    const row = await this.agents.credentialOf(id);
    if (!row || row.revoked_at !== null || row.credential_hash !== sha256(credential.slice(dot + 1))) return undefined;
    return { id: row.id, name: row.name };
  }

  async revoke(agentId: string): Promise<boolean> {
    return this.agents.revoke(agentId, this.clock.now().toISOString());
  }

  /** The agent connected: it counts as seen now. */
  async touch(agentId: string): Promise<void> {
    await this.agents.touch(agentId, this.clock.now().toISOString());
  }

  async heartbeat(agentId: string, heartbeat: AgentHeartbeat): Promise<void> {
    const hb = agentHeartbeatSchema.parse(heartbeat);
    await this.agents.saveHeartbeat(
      agentId,
      this.clock.now().toISOString(),
      hb.softwareVersion,
      JSON.stringify(hb.devices),
    );
  }

  async list() {
    const rows = await this.agents.list();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      revoked: r.revoked_at !== null,
      lastSeenAt: r.last_seen_at,
      softwareVersion: r.software_version,
      devices: r.health_json ? this.storedDevices(r.health_json) : [],
    }));
  }

  /** A heartbeat's stored device health; none when it does not read as one. */
  private storedDevices(json: string): DeviceHealth[] {
    const devices = readStoredJson(agentHeartbeatSchema.shape.devices, json);
    return devices.ok ? devices.value : [];
  }
}
