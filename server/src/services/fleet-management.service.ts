/**
 * Kiosks managed remotely: restart, configuration revisions (stored, delivered, acknowledged
 * setting by setting), diagnostics on demand, signed bundles and rollouts staged by share and by
 * site. A kiosk offline when something is asked of it gets it when it connects again: the newest
 * unacknowledged revision, and an update it was chosen for and has not started.
 */
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  configApplyReportSchema,
  err,
  kioskRemoteConfigSchema,
  ok,
  parseBundleManifest,
  type AgentDiagnostics,
  type BundleInfo,
  type BundleUpload,
  type ConfigApplyCommand,
  type ConfigApplyReport,
  type KioskConfigState,
  type KioskManagement,
  type KioskRemoteConfig,
  type Result,
  type RolloutReport,
  type RolloutStart,
  type RolloutState,
  type RolloutView,
  type SoftwareUpdateCommand,
} from '@kiosk/protocol';
import type { Committer } from '../db/group-commit';
import type { AgentRepository } from '../repositories/agent.repository';
import type { FleetManagementRepository } from '../repositories/fleet-management.repository';
import type { AgentConfigTable } from '../db/schema';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import { readStoredJson } from './stored-json';

/** What the server asks of one kiosk agent, on whichever instance holds its socket. */
export interface AgentChannel {
  restart(agentId: string, reason?: string): Promise<Result<{ exitCode: number }>>;
  applyConfig(agentId: string, command: ConfigApplyCommand): Promise<Result<ConfigApplyReport>>;
  diagnostics(agentId: string): Promise<Result<AgentDiagnostics>>;
  offerUpdate(agentId: string, command: SoftwareUpdateCommand): Promise<Result<{ accepted: true }>>;
}

/** States after which a kiosk is not offered the rollout again when it reconnects. */
const SETTLED: readonly string[] = ['refused', 'staged', 'adopted', 'rolled-back'];
/** Answers meaning the kiosk will never take an update as it is: the rollout is refused there. */
const REFUSING = new Set(['no-launcher', 'not-supported', 'validation-failed']);

/** A stable rank per rollout: the same kiosks are chosen however often the share is computed. */
const rank = (rolloutId: string, agentId: string) =>
  createHash('sha256').update(`${rolloutId}:${agentId}`).digest('hex');

export class FleetManagementService {
  /** Late-bound: the socket layer is built after the services. */
  channel: AgentChannel | undefined;

  constructor(
    private readonly repo: FleetManagementRepository,
    private readonly agents: AgentRepository,
    private readonly transactions: Committer,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  private now = () => this.clock.now().toISOString();
  private offline = () => err('kiosk-offline', 'that kiosk is not connected');

  private async activeAgent(agentId: string): Promise<Result<null>> {
    const row = await this.agents.byId(agentId);
    if (!row) return err('unknown-agent', 'no such kiosk');
    if (row.revoked_at !== null) return err('agent-revoked', 'that kiosk is revoked');
    return ok(null);
  }

  // ---- restart and diagnostics -----------------------------------------------------------------

  async restart(agentId: string, reason?: string): Promise<Result<{ exitCode: number }>> {
    const known = await this.activeAgent(agentId);
    if (!known.ok) return known;
    return this.channel ? this.channel.restart(agentId, reason) : this.offline();
  }

  async diagnostics(agentId: string): Promise<Result<AgentDiagnostics>> {
    const known = await this.activeAgent(agentId);
    if (!known.ok) return known;
    return this.channel ? this.channel.diagnostics(agentId) : this.offline();
  }

  // ---- configuration ---------------------------------------------------------------------------

  private configView(row: AgentConfigTable): KioskConfigState {
    const config = readStoredJson(kioskRemoteConfigSchema, row.config_json);
    const report = row.report_json ? readStoredJson(configApplyReportSchema, row.report_json) : undefined;
    return {
      revision: Number(row.revision),
      config: config.ok ? config.value : {},
      createdAt: row.created_at,
      createdBy: row.created_by,
      report: report?.ok ? report.value : null,
      acknowledgedAt: row.acknowledged_at,
    };
  }

  async configState(agentId: string): Promise<KioskConfigState | null> {
    const row = await this.repo.latestConfig(agentId);
    return row ? this.configView(row) : null;
  }

  /** Stores a new revision and delivers it if the kiosk is connected (else when it connects). */
  async pushConfig(agentId: string, config: KioskRemoteConfig, actor: string): Promise<Result<KioskConfigState>> {
    const known = await this.activeAgent(agentId);
    if (!known.ok) return known;
    await this.transactions.run((trx) =>
      this.repo.addConfig(trx, {
        agent_id: agentId,
        config_json: JSON.stringify(config),
        created_at: this.now(),
        created_by: actor,
      }),
    );
    await this.deliverConfig(agentId);
    const state = await this.configState(agentId);
    return state ? ok(state) : err('internal-error', 'the revision was not stored');
  }

  /** Sends the newest revision unless the kiosk acknowledged it already. */
  async deliverConfig(agentId: string): Promise<void> {
    const row = await this.repo.latestConfig(agentId);
    if (!row || row.acknowledged_at !== null || !this.channel) return;
    const view = this.configView(row);
    const r = await this.channel.applyConfig(agentId, { revision: view.revision, config: view.config });
    if (!r.ok) {
      if (r.error.code !== 'kiosk-offline')
        this.log.warn({ agentId, revision: view.revision, code: r.error.code }, 'configuration not delivered');
      return;
    }
    await this.repo.acknowledgeConfig(agentId, r.value.revision, JSON.stringify(r.value), this.now());
  }

  async setSite(agentId: string, site: string | null): Promise<Result<null>> {
    const known = await this.agents.byId(agentId);
    if (!known) return err('unknown-agent', 'no such kiosk');
    await this.repo.setSite(agentId, site);
    return ok(null);
  }

  // ---- bundles and rollouts --------------------------------------------------------------------

  /**
   * Stores an uploaded bundle once its manifest reads and names the tarball's size and digest.
   * The signature is the kiosks' to check, against the key they trust: the server only hosts.
   */
  async uploadBundle(upload: BundleUpload, actor: string): Promise<Result<BundleInfo>> {
    const manifest = parseBundleManifest(upload.manifest);
    if (!manifest.ok) return manifest;
    const tarball = Buffer.from(upload.tarball, 'base64');
    const sha256 = createHash('sha256').update(tarball).digest('hex');
    if (tarball.length !== manifest.value.sizeBytes || sha256 !== manifest.value.sha256)
      return err('checksum-mismatch', 'the tarball does not match its manifest');
    const row = {
      version: manifest.value.version,
      manifest: upload.manifest,
      signature: upload.signature,
      sha256,
      size_bytes: tarball.length,
      tarball_base64: upload.tarball,
      uploaded_at: this.now(),
      uploaded_by: actor,
    };
    if (!(await this.repo.addBundle(row))) return err('conflict', `version ${row.version} is already uploaded`);
    return ok({
      version: row.version,
      sha256,
      sizeBytes: row.size_bytes,
      uploadedAt: row.uploaded_at,
      uploadedBy: actor,
    });
  }

  async bundles(): Promise<BundleInfo[]> {
    return (await this.repo.bundles()).map((b) => ({
      version: b.version,
      sha256: b.sha256,
      sizeBytes: Number(b.size_bytes),
      uploadedAt: b.uploaded_at,
      uploadedBy: b.uploaded_by,
    }));
  }

  /** What a kiosk downloads: the manifest's exact text, its signature, the tarball. */
  async download(version: string): Promise<Result<BundleUpload>> {
    const b = await this.repo.bundle(version);
    return b
      ? ok({ manifest: b.manifest, signature: b.signature, tarball: b.tarball_base64 })
      : err('unknown-bundle', 'no such version');
  }

  /**
   * Chooses the kiosks (of the named sites, then the share of them by a stable rank per rollout),
   * stores them as pending, and offers the update to those connected.
   */
  async startRollout(start: RolloutStart, actor: string): Promise<Result<RolloutView>> {
    const bundle = await this.repo.bundle(start.version);
    if (!bundle) return err('unknown-bundle', 'upload that version first');
    const id = randomUUID();
    const sites = await this.repo.sites();
    const eligible = (await this.agents.list()).filter(
      (a) => a.revoked_at === null && (!start.sites || start.sites.includes(sites.get(a.id) ?? '')),
    );
    const share = Math.ceil((eligible.length * (start.percent ?? 100)) / 100);
    const chosen = [...eligible].sort((a, b) => rank(id, a.id).localeCompare(rank(id, b.id))).slice(0, share);
    const at = this.now();
    await this.transactions.run((trx) =>
      this.repo.addRollout(
        trx,
        {
          id,
          version: start.version,
          percent: start.percent ?? null,
          sites_json: start.sites ? JSON.stringify(start.sites) : null,
          created_at: at,
          created_by: actor,
        },
        chosen.map((a) => ({ rollout_id: id, agent_id: a.id, state: 'pending', reason: null, updated_at: at })),
      ),
    );
    await Promise.all(chosen.map((a) => this.offer(a.id, id, start.version, bundle.sha256)));
    const view = (await this.rollouts(50)).find((r) => r.id === id);
    return view ? ok(view) : err('internal-error', 'the rollout was not stored');
  }

  private async offer(agentId: string, rolloutId: string, version: string, sha256: string): Promise<void> {
    if (!this.channel) return;
    const r = await this.channel.offerUpdate(agentId, { rolloutId, version, sha256 });
    if (r.ok) await this.advance(agentId, rolloutId, 'offered', null, ['pending']);
    else if (REFUSING.has(r.error.code))
      await this.repo.setTargetState(rolloutId, agentId, 'refused', r.error.code, this.now());
  }

  /** Moves a kiosk's state forward only from the states named (a late answer never undoes a report). */
  private async advance(
    agentId: string,
    rolloutId: string,
    state: RolloutState,
    reason: string | null,
    from: readonly string[],
  ): Promise<void> {
    const latest = await this.repo.latestTargetOf(agentId);
    if (latest?.rollout_id === rolloutId && from.includes(latest.state))
      await this.repo.setTargetState(rolloutId, agentId, state, reason, this.now());
  }

  /** A kiosk told where it is in a rollout. */
  async report(agentId: string, report: RolloutReport): Promise<Result<null>> {
    const updated = await this.repo.setTargetState(
      report.rolloutId,
      agentId,
      report.state,
      report.reason ?? null,
      this.now(),
    );
    if (updated) this.log.info({ agentId, version: report.version, state: report.state }, 'rollout step');
    return updated ? ok(null) : err('unknown-rollout', 'this kiosk is not part of that rollout');
  }

  /** A kiosk connected: its newest configuration, and the update it was chosen for and has not begun. */
  async agentConnected(agentId: string): Promise<void> {
    await this.deliverConfig(agentId);
    const target = await this.repo.latestTargetOf(agentId);
    if (!target || SETTLED.includes(target.state)) return;
    const bundle = await this.repo.bundle(target.version);
    if (bundle) await this.offer(agentId, target.rollout_id, target.version, bundle.sha256);
  }

  async rollouts(limit = 20): Promise<RolloutView[]> {
    const rows = await this.repo.rollouts(limit);
    const targets = await this.repo.targetsOf(rows.map((r) => r.id));
    const names = new Map((await this.agents.list()).map((a) => [a.id, a.name]));
    const sites = z.array(z.string());
    return rows.map((r) => {
      const parsedSites = r.sites_json ? readStoredJson(sites, r.sites_json) : undefined;
      return {
        id: r.id,
        version: r.version,
        percent: r.percent === null ? null : Number(r.percent),
        sites: parsedSites?.ok ? parsedSites.value : null,
        createdAt: r.created_at,
        createdBy: r.created_by,
        targets: targets
          .filter((t) => t.rollout_id === r.id)
          .map((t) => ({
            agentId: t.agent_id,
            agentName: names.get(t.agent_id) ?? t.agent_id,
            state: t.state as RolloutState,
            reason: t.reason,
            updatedAt: t.updated_at,
          })),
      };
    });
  }

  /** The remote-management columns of the fleet view, by kiosk. */
  async overview(): Promise<Map<string, KioskManagement>> {
    const [sites, configs, targets] = await Promise.all([
      this.repo.sites(),
      this.repo.latestConfigs(),
      this.repo.latestTargets(),
    ]);
    const ids = new Set([...sites.keys(), ...configs.map((c) => c.agent_id), ...targets.keys()]);
    const byAgent = new Map<string, KioskManagement>();
    for (const id of ids) {
      const config = configs.find((c) => c.agent_id === id);
      const target = targets.get(id);
      byAgent.set(id, {
        site: sites.get(id) ?? null,
        config: config ? { revision: Number(config.revision), acknowledged: config.acknowledged_at !== null } : null,
        rollout: target
          ? { version: target.version, state: target.state as RolloutState, reason: target.reason }
          : null,
      });
    }
    return byAgent;
  }
}
