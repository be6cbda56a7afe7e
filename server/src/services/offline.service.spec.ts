import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type Db } from '../db/database';
import { directCommitter } from '../db/group-commit';
import { createRepositories, type Repositories } from '../repositories';
import { seedDemoFacility } from '../demo-seed';
import { createLogger } from '../logger';
import { endOfFacilityDay, OfflineService } from './offline.service';

const TZ = 'Asia/Ho_Chi_Minh';
const now = new Date('2026-11-22T01:00:00.000Z'); // 08:00 in Hồ Chí Minh City

describe('offline leases', () => {
  let db: Db;
  let repos: Repositories;
  let offline: OfflineService;
  beforeAll(async () => {
    db = await openDatabase('sqlite::memory:');
    await migrateToLatest(db);
    repos = createRepositories(db);
    await seedDemoFacility(repos.catalogue, directCommitter(db));
    offline = new OfflineService({
      repositories: repos,
      transactions: directCommitter(db),
      checkIn: { storeOffline: () => Promise.reject(new Error('not used')) },
      clock: { now: () => now },
      timeZone: TZ,
      hospitalName: 'BV',
      blockSize: 10,
      lowWater: 4,
      onConflict: async () => undefined,
      log: createLogger('silent'),
    });
  });
  afterAll(async () => db.close());

  it('end at the first minute of the next facility day', () => {
    expect(endOfFacilityDay(now, TZ).toISOString()).toBe('2026-11-22T17:00:00.000Z');
  });

  it('take disjoint blocks out of the day series for every kiosk, past the numbers issued online', async () => {
    const trx = db.kysely;
    const online = await repos.tickets.nextSeq(trx, 'noi-tong-quat', '2026-11-22');
    const [a, b, c] = await Promise.all(['k1', 'k2', 'k3'].map((k) => offline.leases(k, { remaining: [] })));
    const blocks = [a, b, c].map((l) => l?.find((x) => x.serviceId === 'noi-tong-quat'));
    const ranges = blocks.map((l) => [l?.firstSeq ?? 0, l?.lastSeq ?? 0] as const).sort((x, y) => x[0] - y[0]);
    expect(ranges[0]?.[0]).toBeGreaterThan(online);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]?.[0]).toBeGreaterThan(ranges[i - 1]?.[1] ?? 0);
    expect(ranges.every(([f, l]) => l - f + 1 === 10)).toBe(true);
    // Numbers issued online afterwards come after every leased block.
    expect(await repos.tickets.nextSeq(trx, 'noi-tong-quat', '2026-11-22')).toBe((ranges[2]?.[1] ?? 0) + 1);
  });

  it('tops up only services running low, and answers every lease held today', async () => {
    const held = await offline.leases('k1', { remaining: [] });
    const services = new Set(held.map((l) => l.serviceId));
    const remaining = [...services].map((serviceId) => ({
      serviceId,
      day: '2026-11-22',
      count: serviceId === 'noi-tong-quat' ? 3 : 10,
    }));
    const after = await offline.leases('k1', { remaining });
    expect(after.filter((l) => l.serviceId === 'noi-tong-quat')).toHaveLength(2);
    expect(after.length).toBe(held.length + 1);
  });
});
