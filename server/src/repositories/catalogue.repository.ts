/**
 * The facility's catalogue and configuration: departments, services (prefix, room, floor),
 * weekly opening hours and settings. Methods taking `trx` run inside the caller's unit of work
 * (see executor.ts).
 */
import type { Insertable, Updateable } from 'kysely';
import type { Db } from '../db/database';
import type { DepartmentTable, KioskBrandingTable, ServiceTable } from '../db/schema';
import type { Executor } from './executor';
import { prepare } from './prepared';

const serviceNamed = prepare((db, a: { serviceId: string }) =>
  db
    .selectFrom('services')
    .innerJoin('departments', 'departments.id', 'services.department_id')
    .select(['services.id', 'services.name_vi', 'services.room', 'departments.name_vi as dept_vi'])
    .where('services.id', '=', a.serviceId),
);

export interface WeeklyHours {
  weekday: number;
  opens: string;
  closes: string;
}

export class CatalogueRepository {
  constructor(private readonly db: Db) {}

  // ---- services --------------------------------------------------------------------------------

  /** Active services with their department's names, in display order (or the one asked for). */
  async activeServices(only?: string) {
    let q = this.db.kysely
      .selectFrom('services')
      .innerJoin('departments', 'departments.id', 'services.department_id')
      .select([
        'services.id',
        'services.department_id',
        'services.prefix',
        'services.name_vi',
        'services.name_en',
        'services.room',
        'services.floor',
        'departments.name_vi as dept_vi',
        'departments.name_en as dept_en',
      ])
      .where('services.active', '=', 1);
    if (only !== undefined) q = q.where('services.id', '=', only);
    return q.orderBy('services.sort').execute();
  }

  /** Ids of the active services, in display order. */
  async activeServiceIds(): Promise<string[]> {
    const rows = await this.db.kysely
      .selectFrom('services')
      .select('id')
      .where('active', '=', 1)
      .orderBy('sort')
      .execute();
    return rows.map((r) => r.id);
  }

  /** An active service with what a ticket prints of it (prefix, room, floor, department) and its name. */
  async activeService(serviceId: string) {
    return this.db.kysely
      .selectFrom('services')
      .innerJoin('departments', 'departments.id', 'services.department_id')
      .select([
        'services.id',
        'services.prefix',
        'services.name_vi',
        'services.room',
        'services.floor',
        'departments.name_vi as dept_vi',
      ])
      .where('services.id', '=', serviceId)
      .where('services.active', '=', 1)
      .executeTakeFirst();
  }

  /** Every service, active or not, in display order. */
  async allServices(): Promise<ServiceTable[]> {
    return this.db.kysely.selectFrom('services').selectAll().orderBy('sort').orderBy('id').execute();
  }

  async serviceExists(serviceId: string): Promise<boolean> {
    const row = await this.db.kysely.selectFrom('services').select('id').where('id', '=', serviceId).executeTakeFirst();
    return row !== undefined;
  }

  async insertService(service: ServiceTable): Promise<void> {
    await this.db.kysely.insertInto('services').values(service).execute();
  }

  /** Returns whether the service exists (and so was changed). */
  async updateService(serviceId: string, changes: Updateable<ServiceTable>): Promise<boolean> {
    const r = await this.db.kysely.updateTable('services').set(changes).where('id', '=', serviceId).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Whether any service exists (the demo hospital is seeded only into an empty catalogue). */
  async hasServices(): Promise<boolean> {
    const existing = await this.db.kysely.selectFrom('services').select('id').limit(1).execute();
    return existing.length > 0;
  }

  // ---- departments -----------------------------------------------------------------------------

  async departments(): Promise<DepartmentTable[]> {
    return this.db.kysely.selectFrom('departments').selectAll().orderBy('id').execute();
  }

  async departmentExists(departmentId: string): Promise<boolean> {
    const row = await this.db.kysely
      .selectFrom('departments')
      .select('id')
      .where('id', '=', departmentId)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Creates or renames a department. */
  async upsertDepartment(d: DepartmentTable): Promise<void> {
    await this.db.kysely
      .insertInto('departments')
      .values({ id: d.id, name_vi: d.name_vi, name_en: d.name_en })
      .onConflict((oc) => oc.column('id').doUpdateSet({ name_vi: d.name_vi, name_en: d.name_en }))
      .execute();
  }

  // ---- opening hours ---------------------------------------------------------------------------

  /** A service's weekly hours by weekday and opening time. */
  async openingHours(serviceId: string): Promise<WeeklyHours[]> {
    const rows = await this.db.kysely
      .selectFrom('opening_hours')
      .select(['weekday', 'opens', 'closes'])
      .where('service_id', '=', serviceId)
      .orderBy('weekday')
      .orderBy('opens')
      .execute();
    return rows.map((r) => ({ weekday: Number(r.weekday), opens: r.opens, closes: r.closes }));
  }

  /** A service's weekly hours, in no particular order (the check-in's test of "open now"). */
  async hoursOf(serviceId: string): Promise<WeeklyHours[]> {
    const hours = await this.db.kysely
      .selectFrom('opening_hours')
      .select(['weekday', 'opens', 'closes'])
      .where('service_id', '=', serviceId)
      .execute();
    return hours.map((h) => ({ weekday: Number(h.weekday), opens: h.opens, closes: h.closes }));
  }

  // ---- settings --------------------------------------------------------------------------------

  async setting(key: string): Promise<string | undefined> {
    const row = await this.db.kysely.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value;
  }

  async saveSetting(key: string, value: string, at: string): Promise<void> {
    await this.db.kysely
      .insertInto('settings')
      .values({ key, value, updated_at: at })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: at }))
      .execute();
  }

  // ---- the kiosk's look -------------------------------------------------------------------------

  async branding(): Promise<KioskBrandingTable | undefined> {
    return this.db.kysely.selectFrom('kiosk_branding').selectAll().where('id', '=', 'site').executeTakeFirst();
  }

  async saveBranding(row: Omit<KioskBrandingTable, 'id'>): Promise<void> {
    await this.db.kysely
      .insertInto('kiosk_branding')
      .values({ id: 'site', ...row })
      .onConflict((oc) => oc.column('id').doUpdateSet(row))
      .execute();
  }

  // ---- inside a unit of work -------------------------------------------------------------------

  /** Replaces a service's weekly hours (none: always open). */
  async replaceOpeningHours(trx: Executor, serviceId: string, hours: readonly WeeklyHours[]): Promise<void> {
    await trx.deleteFrom('opening_hours').where('service_id', '=', serviceId).execute();
    if (hours.length > 0)
      await trx
        .insertInto('opening_hours')
        .values(hours.map((h) => ({ service_id: serviceId, weekday: h.weekday, opens: h.opens, closes: h.closes })))
        .execute();
  }

  /** An active service's id and ticket prefix. */
  async activeServicePrefix(trx: Executor, serviceId: string) {
    return trx
      .selectFrom('services')
      .select(['id', 'prefix'])
      .where('id', '=', serviceId)
      .where('active', '=', 1)
      .executeTakeFirst();
  }

  async roomOf(trx: Executor, serviceId: string): Promise<string | undefined> {
    const service = await trx.selectFrom('services').select('room').where('id', '=', serviceId).executeTakeFirst();
    return service?.room;
  }

  /** A service with its names and department, as a check-in record names it; throws if there is none. */
  async serviceForRecord(trx: Executor, serviceId: string) {
    const [service] = await serviceNamed(trx, { serviceId });
    if (!service) throw new Error(`no service ${serviceId}`);
    return service;
  }

  /** Stores departments and services in one go (the demo hospital). */
  async seed(trx: Executor, departments: readonly DepartmentTable[], services: readonly Insertable<ServiceTable>[]) {
    await trx
      .insertInto('departments')
      .values([...departments])
      .execute();
    await trx
      .insertInto('services')
      .values([...services])
      .execute();
  }
}
