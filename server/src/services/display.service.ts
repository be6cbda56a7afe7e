/**
 * Waiting-room displays: paired like kiosks (a single-use, expiring code entered on the screen →
 * a credential whose hash alone is stored), revocable, each showing chosen services; and the
 * board's look for every screen (hospital name, logo, notices), kept as a facility setting.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  boardSettingsSchema,
  err,
  ok,
  type BoardConfig,
  type BoardSettings,
  type DisplayConfig,
  type DisplayView,
  type Result,
  type ServiceInfo,
} from '@kiosk/protocol';
import type { Committer } from '../db/group-commit';
import type { DisplayTable } from '../db/schema';
import type { Repositories } from '../repositories';
import type { Clock } from '../clock';
import { sha256 } from './auth.service';
import { PAIRING_ALPHABET } from './fleet.service';
import { readStoredJson } from './stored-json';

const BOARD_SETTING = 'display.board';
const serviceIdsSchema = z.array(z.string()).max(50);
const emptyBoard: BoardSettings = { hospitalName: '', logoSvg: '', notices: [] };

export interface DisplayIdentity {
  id: string;
  name: string;
}

export class DisplayService {
  constructor(
    private readonly repositories: Pick<Repositories, 'displays' | 'catalogue'>,
    /** Pairing (the code used, the display stored) is one unit of work. */
    private readonly transactions: Committer,
    private readonly clock: Clock,
    private readonly defaults: { hospitalName: string; listServices: () => Promise<ServiceInfo[]> },
  ) {}

  private get displays() {
    return this.repositories.displays;
  }

  async createPairingCode(createdBy: string, ttlMs = 15 * 60_000): Promise<{ code: string; expiresAt: string }> {
    const code = [...randomBytes(8)].map((b) => PAIRING_ALPHABET[b % PAIRING_ALPHABET.length]).join('');
    const expiresAt = new Date(this.clock.now().getTime() + ttlMs).toISOString();
    await this.displays.insertPairingCode({
      code_hash: sha256(code),
      expires_at: expiresAt,
      used_at: null,
      created_by: createdBy,
    });
    return { code, expiresAt };
  }

  /** Consumes a code; the credential is returned once and never stored in clear. */
  async pair(code: string, name: string): Promise<Result<{ displayId: string; credential: string }>> {
    const now = this.clock.now().toISOString();
    const { displays } = this;
    const paired = await this.transactions.run(async (trx) => {
      if (!(await displays.usePairingCode(trx, sha256(code), now))) return undefined;
      const id = randomUUID();
      const secret = randomBytes(32).toString('base64url');
      await displays.insert(trx, {
        id,
        name,
        credential_hash: sha256(secret),
        service_ids: '[]',
        created_at: now,
        revoked_at: null,
        last_seen_at: null,
      });
      return { displayId: id, credential: `${id}.${secret}` };
    });
    return paired ? ok(paired) : err('invalid-pairing-code', 'unknown, used or expired code');
  }

  async authenticate(credential: unknown): Promise<DisplayIdentity | undefined> {
    if (typeof credential !== 'string' || credential.length > 200) return undefined;
    const dot = credential.indexOf('.');
    if (dot <= 0) return undefined;
    const row = await this.displays.byId(credential.slice(0, dot));
    if (!row || row.revoked_at !== null || row.credential_hash !== sha256(credential.slice(dot + 1))) return undefined;
    await this.displays.touch(row.id, this.clock.now().toISOString());
    return { id: row.id, name: row.name };
  }

  async list(): Promise<DisplayView[]> {
    return (await this.displays.list()).map((r) => this.view(r));
  }

  async configure(displayId: string, config: DisplayConfig): Promise<Result<DisplayView>> {
    const known = new Set((await this.defaults.listServices()).map((s) => s.id));
    const unknown = config.serviceIds.find((id) => !known.has(id));
    if (unknown !== undefined) return err('unknown-service', `no service ${unknown}`);
    const serviceIds = [...new Set(config.serviceIds)];
    if (!(await this.displays.configure(displayId, config.name, JSON.stringify(serviceIds))))
      return err('unknown-display', 'no such display');
    const row = await this.displays.byId(displayId);
    return row ? ok(this.view(row)) : err('unknown-display', 'no such display');
  }

  async revoke(displayId: string): Promise<boolean> {
    return this.displays.revoke(displayId, this.clock.now().toISOString());
  }

  async boardSettings(): Promise<BoardSettings> {
    const stored = await this.repositories.catalogue.setting(BOARD_SETTING);
    if (stored === undefined) return emptyBoard;
    const read = readStoredJson(boardSettingsSchema, stored);
    return read.ok ? read.value : emptyBoard;
  }

  async saveBoardSettings(settings: BoardSettings): Promise<BoardSettings> {
    await this.repositories.catalogue.saveSetting(
      BOARD_SETTING,
      JSON.stringify(settings),
      this.clock.now().toISOString(),
    );
    return settings;
  }

  /** What one screen shows: the facility's look and its services' rooms. */
  async boardConfig(displayId: string): Promise<BoardConfig | undefined> {
    const row = await this.displays.byId(displayId);
    if (!row || row.revoked_at !== null) return undefined;
    const { serviceIds } = this.view(row);
    const [board, services] = await Promise.all([this.boardSettings(), this.defaults.listServices()]);
    const shown = serviceIds.length === 0 ? services : services.filter((s) => serviceIds.includes(s.id));
    return {
      displayName: row.name,
      hospitalName: board.hospitalName || this.defaults.hospitalName,
      logoSvg: board.logoSvg,
      notices: board.notices,
      serviceIds,
      rooms: shown.map((s) => ({ serviceId: s.id, room: s.room, name: s.name })),
    };
  }

  private view(r: DisplayTable): DisplayView {
    const ids = readStoredJson(serviceIdsSchema, r.service_ids);
    return {
      id: r.id,
      name: r.name,
      serviceIds: ids.ok ? ids.value : [],
      revoked: r.revoked_at !== null,
      createdAt: r.created_at,
      lastSeenAt: r.last_seen_at,
    };
  }
}
