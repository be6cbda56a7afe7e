import type { ServiceInfo } from '@kiosk/protocol';
import type { Db } from '../db/database';

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
