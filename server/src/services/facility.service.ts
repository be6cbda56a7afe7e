/** Departments, services (prefix, room, floor), opening hours: read by kiosks, edited by admins. */
import {
  err,
  ok,
  type DepartmentInput,
  type OpeningHours,
  type Result,
  type ServiceInfo,
  type ServiceInput,
} from '@kiosk/protocol';
import type { z } from 'zod';
import type { servicePatchSchema } from '@kiosk/protocol';
import type { Db } from '../db/database';

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

/** Local weekday (0 = Sunday) and HH:MM of an instant in a time zone. */
const weekTimeFormatters = new Map<string, Intl.DateTimeFormat>();

export function localWeekTime(at: Date, timeZone: string): { weekday: number; hhmm: string } {
  // Checked on every check-in: one formatter per time zone, kept (building one is the costly part).
  let formatter = weekTimeFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    weekTimeFormatters.set(timeZone, formatter);
  }
  const parts = formatter.formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday'));
  return { weekday, hhmm: `${get('hour')}:${get('minute')}` };
}

export class FacilityService {
  constructor(
    private readonly db: Db,
    private readonly today: () => string,
  ) {}

  async listServices(): Promise<ServiceInfo[]> {
    const rows = await this.db.kysely
      .selectFrom('services')
      .innerJoin('departments', 'departments.id', 'services.department_id')
      .select([
        'services.id',
        'services.prefix',
        'services.name_vi',
        'services.name_en',
        'services.room',
        'services.floor',
        'departments.name_vi as dept_vi',
        'departments.name_en as dept_en',
      ])
      .where('services.active', '=', 1)
      .orderBy('services.sort')
      .execute();
    const waiting = await this.db.kysely
      .selectFrom('tickets')
      .select(['service_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('day', '=', this.today())
      .where('status', '=', 'waiting')
      .groupBy('service_id')
      .execute();
    const byService = new Map(waiting.map((w) => [w.service_id, Number(w.n)]));
    return rows.map((r) => ({
      id: r.id,
      prefix: r.prefix,
      name: { vi: r.name_vi, en: r.name_en },
      department: { vi: r.dept_vi, en: r.dept_en },
      room: r.room,
      floor: r.floor,
      waiting: byService.get(r.id) ?? 0,
    }));
  }

  async listDepartments(): Promise<DepartmentInput[]> {
    const rows = await this.db.kysely.selectFrom('departments').selectAll().orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, nameVi: r.name_vi, nameEn: r.name_en }));
  }

  /** Creates or renames a department. */
  async upsertDepartment(d: DepartmentInput): Promise<DepartmentInput> {
    await this.db.kysely
      .insertInto('departments')
      .values({ id: d.id, name_vi: d.nameVi, name_en: d.nameEn })
      .onConflict((oc) => oc.column('id').doUpdateSet({ name_vi: d.nameVi, name_en: d.nameEn }))
      .execute();
    return d;
  }

  async listAllServices(): Promise<ServiceAdminView[]> {
    const rows = await this.db.kysely.selectFrom('services').selectAll().orderBy('sort').orderBy('id').execute();
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
    const { kysely } = this.db;
    if (!(await kysely.selectFrom('departments').select('id').where('id', '=', input.departmentId).executeTakeFirst()))
      return err('unknown-department', 'no such department');
    if (await kysely.selectFrom('services').select('id').where('id', '=', input.id).executeTakeFirst())
      return err('conflict', 'a service with this id exists');
    await kysely
      .insertInto('services')
      .values({
        id: input.id,
        department_id: input.departmentId,
        prefix: input.prefix,
        name_vi: input.nameVi,
        name_en: input.nameEn,
        room: input.room,
        floor: input.floor,
        sort: input.sort,
        active: input.active ? 1 : 0,
      })
      .execute();
    return ok({ ...input });
  }

  async updateService(id: string, patch: z.infer<typeof servicePatchSchema>): Promise<Result<ServiceAdminView>> {
    const { kysely } = this.db;
    if (
      patch.departmentId !== undefined &&
      !(await kysely.selectFrom('departments').select('id').where('id', '=', patch.departmentId).executeTakeFirst())
    )
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
      const r = await kysely.updateTable('services').set(set).where('id', '=', id).executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return err('unknown-service', 'no such service');
    }
    const found = (await this.listAllServices()).find((x) => x.id === id);
    return found ? ok(found) : err('unknown-service', 'no such service');
  }

  async openingHours(serviceId: string): Promise<OpeningHours['hours']> {
    const rows = await this.db.kysely
      .selectFrom('opening_hours')
      .select(['weekday', 'opens', 'closes'])
      .where('service_id', '=', serviceId)
      .orderBy('weekday')
      .orderBy('opens')
      .execute();
    return rows.map((r) => ({ weekday: Number(r.weekday), opens: r.opens, closes: r.closes }));
  }

  /** Replaces a service's weekly hours; an empty list means always open. */
  async setOpeningHours(serviceId: string, hours: OpeningHours['hours']): Promise<Result<OpeningHours['hours']>> {
    const exists = await this.db.kysely
      .selectFrom('services')
      .select('id')
      .where('id', '=', serviceId)
      .executeTakeFirst();
    if (!exists) return err('unknown-service', 'no such service');
    await this.db.kysely.transaction().execute(async (trx) => {
      await trx.deleteFrom('opening_hours').where('service_id', '=', serviceId).execute();
      if (hours.length > 0)
        await trx
          .insertInto('opening_hours')
          .values(hours.map((h) => ({ service_id: serviceId, weekday: h.weekday, opens: h.opens, closes: h.closes })))
          .execute();
    });
    return ok(await this.openingHours(serviceId));
  }

  async service(id: string) {
    return this.db.kysely
      .selectFrom('services')
      .innerJoin('departments', 'departments.id', 'services.department_id')
      .select(['services.id', 'services.prefix', 'services.room', 'services.floor', 'departments.name_vi as dept_vi'])
      .where('services.id', '=', id)
      .where('services.active', '=', 1)
      .executeTakeFirst();
  }
}
