/** Departments, services (prefix, room, floor), opening hours: read by kiosks, edited by admins. */
import {
  checkBranding,
  emptyBranding,
  err,
  kioskLanguageSettingsSchema,
  type KioskBranding,
  ok,
  type DepartmentInput,
  type KioskLanguageSettings,
  type KioskLanguages,
  type LocalText,
  type OpeningHours,
  type Result,
  type ServiceInfo,
  type ServiceInput,
} from '@kiosk/protocol';
import type { z } from 'zod';
import type { servicePatchSchema } from '@kiosk/protocol';
import type { Committer } from '../db/group-commit';
import type { Repositories } from '../repositories';
import { readStoredJson } from './stored-json';
import { KeptFor } from './kept-for';

export const LANGUAGES_SETTING = 'kiosk.languages';
/** Until the facility configures more: the two languages every catalogue row names. */
const defaultLanguages: KioskLanguageSettings = { languages: ['vi', 'en'], spokenGuidance: false, names: {} };

export interface ServiceAdminView {
  id: string;
  departmentId: string;
  prefix: string;
  nameVi: string;
  nameEn: string;
  room: string;
  floor: number;
  sort: number;
  active: boolean;
}

/** How long a service's names are kept for its tickets (other instances see an admin's change within that time). */
const NAMES_CACHE_MS = 2000;

export class FacilityService {
  private readonly names = new KeptFor<Pick<ServiceInfo, 'name' | 'department'> | undefined>(NAMES_CACHE_MS);

  constructor(
    private readonly repositories: Pick<Repositories, 'catalogue' | 'tickets'>,
    /** Replacing opening hours is one unit of work. */
    private readonly transactions: Committer,
    private readonly today: () => string,
  ) {}

  private get catalogue() {
    return this.repositories.catalogue;
  }

  async listServices(): Promise<ServiceInfo[]> {
    const [rows, byService, { names }] = await Promise.all([
      this.catalogue.activeServices(),
      this.repositories.tickets.waitingCounts(this.today()),
      this.languageSettings(),
    ]);
    return this.named(rows, names, byService);
  }

  /**
   * One active service's names (in every language the kiosk offers), for its ticket: without
   * counting every service's line as the full list does.
   */
  async serviceNames(serviceId: string): Promise<Pick<ServiceInfo, 'name' | 'department'> | undefined> {
    return this.names.get(serviceId, async () => {
      const [rows, { names }] = await Promise.all([this.catalogue.activeServices(serviceId), this.languageSettings()]);
      const [one] = this.named(rows, names, new Map());
      return one ? { name: one.name, department: one.department } : undefined;
    });
  }

  /** Forgets cached names (an admin changed the services or their languages on this instance). */
  forgetNames(): void {
    this.names.clear();
  }

  private named(
    rows: Awaited<ReturnType<Repositories['catalogue']['activeServices']>>,
    names: KioskLanguageSettings['names'],
    byService: ReadonlyMap<string, number>,
  ): ServiceInfo[] {
    // Names in the further languages, from the facility's language settings.
    const more = (kind: 'services' | 'departments', id: string, base: LocalText): LocalText => {
      const out: LocalText = { ...base };
      for (const [lang, byId] of Object.entries(names)) {
        const name = byId[kind][id];
        if (name && lang !== 'vi' && lang !== 'en') out[lang] = name;
      }
      return out;
    };
    return rows.map((r) => ({
      id: r.id,
      prefix: r.prefix,
      name: more('services', r.id, { vi: r.name_vi, en: r.name_en }),
      department: more('departments', r.department_id, { vi: r.dept_vi, en: r.dept_en }),
      room: r.room,
      floor: r.floor,
      waiting: byService.get(r.id) ?? 0,
    }));
  }

  /** The kiosk's languages, spoken guidance and the names in further languages. */
  async languageSettings(): Promise<KioskLanguageSettings> {
    const stored = await this.catalogue.setting(LANGUAGES_SETTING);
    if (stored === undefined) return defaultLanguages;
    const read = readStoredJson(kioskLanguageSettingsSchema, stored);
    return read.ok ? read.value : defaultLanguages;
  }

  async saveLanguageSettings(settings: KioskLanguageSettings, at: string): Promise<KioskLanguageSettings> {
    await this.catalogue.saveSetting(LANGUAGES_SETTING, JSON.stringify(settings), at);
    return settings;
  }

  /** What a kiosk page needs to offer its languages. */
  async kioskLanguages(): Promise<KioskLanguages> {
    const { languages, spokenGuidance } = await this.languageSettings();
    return { languages, spokenGuidance };
  }

  /** The kiosk's look as the admin set it (nothing set: empty, the kiosk's own look). */
  async branding(): Promise<KioskBranding> {
    const row = await this.catalogue.branding();
    if (!row) return emptyBranding;
    const mime = row.logo_mime === 'image/png' || row.logo_mime === 'image/svg+xml' ? row.logo_mime : null;
    return {
      hospitalName: { vi: row.hospital_name_vi, en: row.hospital_name_en },
      primaryColor: row.primary_color,
      logo: mime && row.logo_base64 ? { mime, dataBase64: row.logo_base64 } : null,
    };
  }

  /** Stores the kiosk's look once it passes `checkBranding` (contrast, logo size and content). */
  async saveBranding(b: KioskBranding, by: string, at: string): Promise<Result<KioskBranding>> {
    const checked = checkBranding(b);
    if (!checked.ok) return checked;
    const v = checked.value;
    await this.catalogue.saveBranding({
      hospital_name_vi: v.hospitalName.vi,
      hospital_name_en: v.hospitalName.en,
      primary_color: v.primaryColor,
      logo_mime: v.logo?.mime ?? null,
      logo_base64: v.logo?.dataBase64 ?? null,
      updated_at: at,
      updated_by: by,
    });
    return ok(v);
  }

  async listDepartments(): Promise<DepartmentInput[]> {
    const rows = await this.catalogue.departments();
    return rows.map((r) => ({ id: r.id, nameVi: r.name_vi, nameEn: r.name_en }));
  }

  /** Creates or renames a department. */
  async upsertDepartment(d: DepartmentInput): Promise<DepartmentInput> {
    await this.catalogue.upsertDepartment({ id: d.id, name_vi: d.nameVi, name_en: d.nameEn });
    return d;
  }

  async listAllServices(): Promise<ServiceAdminView[]> {
    const rows = await this.catalogue.allServices();
    return rows.map((r) => ({
      id: r.id,
      departmentId: r.department_id,
      prefix: r.prefix,
      nameVi: r.name_vi,
      nameEn: r.name_en,
      room: r.room,
      floor: Number(r.floor),
      sort: Number(r.sort),
      active: Number(r.active) === 1,
    }));
  }

  async createService(input: ServiceInput): Promise<Result<ServiceAdminView>> {
    const { catalogue } = this;
    if (!(await catalogue.departmentExists(input.departmentId))) return err('unknown-department', 'no such department');
    if (await catalogue.serviceExists(input.id)) return err('conflict', 'a service with this id exists');
    await catalogue.insertService({
      id: input.id,
      department_id: input.departmentId,
      prefix: input.prefix,
      name_vi: input.nameVi,
      name_en: input.nameEn,
      room: input.room,
      floor: input.floor,
      sort: input.sort,
      active: input.active ? 1 : 0,
    });
    return ok({ ...input });
  }

  async updateService(id: string, patch: z.infer<typeof servicePatchSchema>): Promise<Result<ServiceAdminView>> {
    const { catalogue } = this;
    if (patch.departmentId !== undefined && !(await catalogue.departmentExists(patch.departmentId)))
      return err('unknown-department', 'no such department');
    const set = {
      ...(patch.departmentId !== undefined ? { department_id: patch.departmentId } : {}),
      ...(patch.prefix !== undefined ? { prefix: patch.prefix } : {}),
      ...(patch.nameVi !== undefined ? { name_vi: patch.nameVi } : {}),
      ...(patch.nameEn !== undefined ? { name_en: patch.nameEn } : {}),
      ...(patch.room !== undefined ? { room: patch.room } : {}),
      ...(patch.floor !== undefined ? { floor: patch.floor } : {}),
      ...(patch.sort !== undefined ? { sort: patch.sort } : {}),
      ...(patch.active !== undefined ? { active: patch.active ? 1 : 0 } : {}),
    };
    if (Object.keys(set).length > 0) {
      if (!(await catalogue.updateService(id, set))) return err('unknown-service', 'no such service');
    }
    const found = (await this.listAllServices()).find((x) => x.id === id);
    return found ? ok(found) : err('unknown-service', 'no such service');
  }

  async openingHours(serviceId: string): Promise<OpeningHours['hours']> {
    return this.catalogue.openingHours(serviceId);
  }

  /** Replaces a service's weekly hours; an empty list means always open. */
  async setOpeningHours(serviceId: string, hours: OpeningHours['hours']): Promise<Result<OpeningHours['hours']>> {
    if (!(await this.catalogue.serviceExists(serviceId))) return err('unknown-service', 'no such service');
    await this.transactions.run((trx) => this.catalogue.replaceOpeningHours(trx, serviceId, hours));
    return ok(await this.openingHours(serviceId));
  }

  async service(id: string) {
    return this.catalogue.activeService(id);
  }
}
