/** Statistics for the admin page: one facility day, from tickets while they exist, else from the kept daily KPIs. */
import type { AdminStats } from '@kiosk/protocol';
import type { Repositories } from '../repositories';
import { facilityDay, localHour, type Clock } from '../clock';

export class StatsService {
  constructor(
    private readonly repositories: Pick<Repositories, 'kpi' | 'catalogue'>,
    private readonly clock: Clock,
    private readonly timeZone: string,
  ) {}

  async day(day = facilityDay(this.clock.now(), this.timeZone)): Promise<AdminStats> {
    const { kpi } = this.repositories;
    const active = await this.repositories.catalogue.activeServiceIds();
    const tickets = await kpi.ticketsOfDay(day);
    const per = new Map<string, { tickets: number; called: number; noShows: number; waitMs: number; waits: number }>();
    const byHour = new Map<number, number>();
    for (const t of tickets) {
      const s = per.get(t.service_id) ?? { tickets: 0, called: 0, noShows: 0, waitMs: 0, waits: 0 };
      s.tickets += 1;
      if (t.called_at) {
        s.called += 1;
        const wait = Date.parse(t.called_at) - Date.parse(t.issued_at);
        if (Number.isFinite(wait) && wait >= 0) {
          s.waitMs += wait;
          s.waits += 1;
        }
      }
      if (t.status === 'no-show') s.noShows += 1;
      per.set(t.service_id, s);
      // A transfer is not a new check-in.
      if (t.transferred_from === null) {
        const h = localHour(t.issued_at, this.timeZone);
        byHour.set(h, (byHour.get(h) ?? 0) + 1);
      }
    }
    if (tickets.length === 0) {
      const kept = await kpi.dailyOf(day);
      for (const k of kept)
        per.set(k.service_id, {
          tickets: Number(k.tickets),
          called: Number(k.called),
          noShows: Number(k.no_shows),
          waitMs: Number(k.wait_ms_total),
          waits: Number(k.wait_count),
        });
    }
    const ids = new Set([...active, ...per.keys()]);
    const services = [...ids].map((serviceId) => {
      const s = per.get(serviceId) ?? { tickets: 0, called: 0, noShows: 0, waitMs: 0, waits: 0 };
      return {
        serviceId,
        tickets: s.tickets,
        called: s.called,
        noShows: s.noShows,
        meanWaitMs: s.waits > 0 ? Math.round(s.waitMs / s.waits) : null,
      };
    });
    const called = services.reduce((a, s) => a + s.called, 0);
    const noShows = services.reduce((a, s) => a + s.noShows, 0);
    return {
      day,
      checkInsByHour: [...byHour.entries()].sort((a, b) => a[0] - b[0]).map(([hour, checkIns]) => ({ hour, checkIns })),
      services,
      noShowRate: called > 0 ? noShows / called : null,
    };
  }
}
