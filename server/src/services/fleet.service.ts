/**
 * Kiosk fleet: single-use expiring pairing codes → a device credential (only its hash is
 * stored), revocation, heartbeats with device health.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  agentHeartbeatSchema,
  type AgentHeartbeat,
  type DeviceHealth,
  type HeartbeatSample,
  type KioskDetail,
} from '@kiosk/protocol';
import { z } from 'zod';
import type { Committer } from '../db/group-commit';
import type { AgentRepository } from '../repositories/agent.repository';
import type { AlertRepository } from '../repositories/alert.repository';
import { toAlert } from './alert.service';
import type { Clock } from '../clock';
import { sha256 } from './auth.service';
import { readStoredJson } from './stored-json';

export const PAIRING_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** Heartbeat history: a sample a minute at most (sooner when the devices change), a day per kiosk. */
export const HEARTBEAT_SAMPLE_MS = 60_000;
export const HEARTBEAT_SAMPLES_KEPT = 1440;
const problemsSchema = z.array(z.string().max(200)).max(64);

/** `class:state(:reason)` of each device that is not ready or busy. */
export const deviceProblems = (devices: readonly DeviceHealth[]): string[] =>
  devices
    .filter((d) => d.state !== 'ready' && d.state !== 'busy')
    .map((d) => [d.class, d.state, ...(d.reason ? [d.reason] : [])].join(':'));

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
    private readonly alerts?: AlertRepository,
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
    const at = this.clock.now().toISOString();
    await this.agents.saveHeartbeat(agentId, at, hb.softwareVersion, JSON.stringify(hb.devices));
    await this.sample(agentId, at, hb);
  }

  /** Keeps a heartbeat in the history when the last sample is a minute old or said something else. */
  private async sample(agentId: string, at: string, hb: AgentHeartbeat): Promise<void> {
    const problems = JSON.stringify(deviceProblems(hb.devices));
    const ready = hb.devices.filter((d) => d.state === 'ready' || d.state === 'busy').length;
    const last = await this.agents.lastSample(agentId);
    const same =
      last &&
      last.problems === problems &&
      last.software_version === hb.softwareVersion &&
      Number(last.total) === hb.devices.length &&
      Date.parse(at) - Date.parse(last.at) < HEARTBEAT_SAMPLE_MS;
    if (same) return;
    await this.agents.addSample(
      { agent_id: agentId, at, software_version: hb.softwareVersion, ready, total: hb.devices.length, problems },
      HEARTBEAT_SAMPLES_KEPT,
    );
  }

  /** One kiosk with its devices, its heartbeat history and its latest alerts; undefined when unknown. */
  async detail(agentId: string): Promise<KioskDetail | undefined> {
    const row = await this.agents.byId(agentId);
    if (!row) return undefined;
    const samples = await this.agents.samples(agentId);
    const heartbeats: HeartbeatSample[] = samples.map((s) => {
      const problems = readStoredJson(problemsSchema, s.problems);
      return {
        at: s.at,
        softwareVersion: s.software_version,
        ready: Number(s.ready),
        total: Number(s.total),
        problems: problems.ok ? problems.value : [],
      };
    });
    const alerts = this.alerts ? (await this.alerts.latestOf(agentId, 20)).map(toAlert) : [];
    return {
      id: row.id,
      name: row.name,
      revoked: row.revoked_at !== null,
      createdAt: row.created_at,
      lastSeenAt: row.last_seen_at,
      softwareVersion: row.software_version,
      devices: row.health_json ? this.storedDevices(row.health_json) : [],
      heartbeats,
      alerts,
    };
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
