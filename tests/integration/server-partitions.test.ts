/**
 * PostgreSQL's day partitions: a server makes the partitions of tickets and ticket events for the
 * coming days at start; check-ins land in their day's partition (a day without one in the default
 * partition); retention folds a past day into the daily KPIs and drops its partitions whole.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckInRequest } from '@kiosk/protocol';
import { postgresAvailable, startPostgres, type PostgresCluster } from '../support/postgres';
import { startServer, type RunningServer } from '../support/server-harness';

const request = (n: number): CheckInRequest => ({
  checkInId: randomUUID(),
  identity: {
    source: 'cccd-qr',
    idNumber: `0791990${String(n).padStart(5, '0')}`,
    fullName: 'Bệnh Nhân Phân Vùng',
    dateOfBirth: '1970-03-03',
  },
  serviceId: 'nhi-khoa',
  priorityClaims: [],
  consent: true,
});

describe.skipIf(!postgresAvailable())('PostgreSQL day partitions', () => {
  let pg: PostgresCluster;
  let server: RunningServer;
  let nowMs = Date.parse('2026-01-05T03:00:00Z');
  const clock = { now: () => new Date(nowMs) };

  beforeAll(async () => {
    pg = await startPostgres({ fsync: false });
    const url = await pg.createDatabase('kiosk_partitions');
    server = await startServer({ DATABASE_URL: url, RETENTION_PURGE_INTERVAL_MINUTES: '0' }, { clock });
  });
  afterAll(async () => {
    await server?.stop();
    await pg?.stop();
  });

  const count = async (table: string) => {
    const { default: pgClient } = await import('pg');
    const db = new pgClient.Client({ connectionString: pg.url.replace(/\/postgres$/u, '/kiosk_partitions') });
    await db.connect();
    try {
      const exists = await db.query<{ t: string | null }>('select to_regclass($1) as t', [table]);
      if (!exists.rows[0]?.t) return undefined;
      const r = await db.query<{ n: string }>(`select count(*) as n from ${table}`);
      return Number(r.rows[0]?.n);
    } finally {
      await db.end();
    }
  };

  it('makes the coming days’ partitions and stores each check-in in its day’s', async () => {
    const { partitions } = server.app.repositories;
    expect(await partitions.days('tickets')).toEqual(
      expect.arrayContaining(['2026-01-04', '2026-01-05', '2026-01-12']),
    );
    expect(await partitions.days('ticket_events')).toEqual(expect.arrayContaining(['2026-01-05', '2026-01-12']));
    for (let i = 0; i < 5; i++) {
      const r = await server.app.services.checkIn.checkIn(request(i), null);
      expect(r.ok && r.value.ticket.number).toBe(`B00${i + 1}`);
    }
    expect(await count('tickets_p20260105')).toBe(5);
    expect(await count('ticket_events_p20260105')).toBe(5);
    expect(await count('tickets_default')).toBe(0);
  });

  it('a day without a partition goes to the default partition', async () => {
    nowMs = Date.parse('2026-03-10T03:00:00Z');
    const r = await server.app.services.checkIn.checkIn(request(100), null);
    expect(r.ok && r.value.ticket.number).toBe('B001');
    expect(await count('tickets_default')).toBe(1);
    // That day's partition can no longer be made (its row sits in the default one); the next day's can.
    const failed = await server.app.committer.run((trx) =>
      server.app.repositories.partitions.ensureDays(trx, ['2026-03-10', '2026-03-11']),
    );
    expect(failed).toEqual(['2026-03-10']);
    // Which the alert rules see.
    const gauge = await server.app.metrics.registry.getSingleMetricAsString('kiosk_db_default_partition_used');
    expect(gauge).toMatch(/^kiosk_db_default_partition_used 1$/mu);
    expect(await server.app.repositories.partitions.days('tickets')).toContain('2026-03-11');
  });

  it('retention folds a past day into the daily KPIs and drops its partitions', async () => {
    const { kysely } = server.app.services.db;
    const first = await kysely
      .selectFrom('tickets')
      .select('id')
      .where('day', '=', '2026-01-05')
      .orderBy('seq')
      .executeTakeFirstOrThrow();
    await server.app.repositories.tickets.recordEvent({
      ticketId: first.id,
      type: 'print-failed',
      at: '2026-01-05T03:00:01.000Z',
      actor: null,
      detail: null,
    });
    nowMs = Date.parse('2026-06-01T03:00:00Z');
    await server.app.services.retention.setRetentionDays(90);
    const report = await server.app.services.retention.purge();
    // The five tickets of 5 January go with their partition, then their visits and patients; 10 March is kept.
    expect(report).toMatchObject({ tickets: 5, visits: 5, patients: 5 });
    expect(await count('tickets_default')).toBe(1);
    expect(await count('tickets_p20260105')).toBeUndefined();
    expect(await count('ticket_events_p20260105')).toBeUndefined();
    expect(await server.app.repositories.partitions.days('tickets')).not.toContain('2026-01-05');
    expect(await server.app.services.retention.dailyKpis('2026-01-01', '2026-03-31')).toEqual([
      expect.objectContaining({ day: '2026-01-05', serviceId: 'nhi-khoa', tickets: 5, printFailed: 1 }),
    ]);
    // Numbering goes on where the day's series stands.
    nowMs = Date.parse('2026-06-01T04:00:00Z');
    const r = await server.app.services.checkIn.checkIn(request(200), null);
    expect(r.ok && r.value.ticket.number).toBe('B001');
  });
});
