/**
 * Two server processes behind HAProxy (deploy/haproxy/haproxy.cfg) on one PostgreSQL database.
 * The benchmark's load generator (its own process) drives kiosk agents through HAProxy; once
 * check-ins are being answered, instance 1 is killed with SIGKILL. HAProxy marks it down and its
 * agents reconnect through HAProxy to instance 2, sending the check-ins that got no answer again
 * with the same check-in id. Afterwards: every acknowledged ticket is stored with the number it was
 * acknowledged with, no check-in has two tickets, each service's series is 1…N without a gap, and
 * nothing was stored that no kiosk heard of.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadCommand, LoadResult } from '../bench/server-load-generator';
import { freePort } from '../support/free-port';
import { haproxyAvailable, startHaproxy, type Haproxy } from '../support/haproxy';
import { postgresAvailable, startPostgres, type PostgresCluster } from '../support/postgres';
import { login } from '../support/server-harness';
import { enrollAgent, LOAD_TEST_LIMITS, spawnServer, type ServerProcess } from '../support/server-process';

const here = path.dirname(fileURLToPath(import.meta.url));
const TOTAL = 600;
const KILL_AFTER = 150;
const SERVICES = ['nhi-khoa', 'noi-tong-quat'];

describe.skipIf(!postgresAvailable() || !haproxyAvailable())('HAProxy, two instances, one killed under load', () => {
  let pg: PostgresCluster;
  let databaseUrl: string;
  const servers: ServerProcess[] = [];
  let lb: Haproxy;
  let generator: ChildProcess | undefined;

  beforeAll(async () => {
    pg = await startPostgres({ fsync: false });
    databaseUrl = await pg.createDatabase('kiosk_failover');
    const ports = [await freePort(), await freePort()] as const;
    const env = { ...LOAD_TEST_LIMITS, DATABASE_URL: databaseUrl, RETENTION_PURGE_INTERVAL_MINUTES: '0' };
    // One after the other: the first migrates and seeds the demo hospital.
    servers.push(
      await spawnServer({ port: ports[0], databaseFile: '', env: { ...env, BOOTSTRAP_PAIRING_CODE: 'FAILOVER1234' } }),
    );
    servers.push(await spawnServer({ port: ports[1], databaseFile: '', env }));
    lb = await startHaproxy([`127.0.0.1:${ports[0]}`, `127.0.0.1:${ports[1]}`]);
  });
  afterAll(async () => {
    generator?.kill();
    await lb?.stop();
    for (const s of servers) {
      s.child.kill('SIGKILL');
      await s.exited();
    }
    await pg?.stop();
  });

  it('kills instance 1 under load: no acknowledged ticket lost, no duplicate, no gap', async () => {
    const credential = await enrollAgent(lb.url, 'FAILOVER1234', 'kiosk-failover');
    const staffToken = await login(lb.url, 'tiepdon', 'tiepdon-demo');
    const victim = servers[0];
    if (!victim) throw new Error('no instance');
    const child = fork(path.join(here, '../bench/server-load-generator.ts'), [], { execArgv: ['--import', 'tsx'] });
    generator = child;
    let killedAtOk: number | undefined;
    const result = await new Promise<LoadResult>((resolve, reject) => {
      child.on('message', (m: { type: string; ok?: number; result?: LoadResult; message?: string }) => {
        if (m.type === 'progress' && killedAtOk === undefined && (m.ok ?? 0) >= KILL_AFTER) {
          killedAtOk = m.ok;
          victim.child.kill('SIGKILL');
        } else if (m.type === 'result' && m.result) resolve(m.result);
        else if (m.type === 'error') reject(new Error(m.message));
      });
      const cmd: LoadCommand = {
        type: 'checkins',
        url: lb.url,
        credential,
        staffToken,
        clients: 16,
        serviceIds: SERVICES,
        total: TOTAL,
        resendAfterMs: 3000,
        progressEvery: 10,
        collect: true,
      };
      child.send(cmd);
    });
    child.kill();
    generator = undefined;

    expect(killedAtOk).toBeDefined();
    expect(result.ok).toBe(TOTAL);
    expect(result.failed).toBe(0);
    // The killed instance's agents came back through HAProxy, which now sends nothing to it.
    expect(result.reconnects ?? 0).toBeGreaterThan(0);
    // Some check-ins were in flight on the killed instance and were sent again.
    expect(result.resent ?? 0).toBeGreaterThan(0);
    await expect.poll(async () => (await lb.states())['s1'], { timeout: 15_000 }).toMatch(/^DOWN/u);
    expect((await lb.states())['s2']).toMatch(/^UP/u);

    const acked = new Map<string, { ticketId: string; number: string }>();
    for (const r of result.receipts ?? []) {
      const seen = acked.get(r.checkInId);
      // A check-in sent again is answered with its first ticket.
      if (seen) expect({ ticketId: r.ticketId, number: r.number }).toEqual(seen);
      else acked.set(r.checkInId, { ticketId: r.ticketId, number: r.number });
    }
    expect(acked.size).toBe(TOTAL);

    const { default: pgClient } = await import('pg');
    const db = new pgClient.Client({ connectionString: databaseUrl });
    await db.connect();
    const { rows } = await db.query<{
      check_in_id: string;
      id: string;
      number: string;
      service_id: string;
      seq: number;
    }>('select v.check_in_id, t.id, t.number, t.service_id, t.seq from tickets t join visits v on v.id = t.visit_id');
    await db.end();
    const stored = new Map<string, { ticketId: string; number: string }[]>();
    for (const r of rows)
      stored.set(r.check_in_id, [...(stored.get(r.check_in_id) ?? []), { ticketId: r.id, number: r.number }]);
    const lost = [...acked].filter(([id, t]) => JSON.stringify(stored.get(id)) !== JSON.stringify([t]));
    expect(lost).toEqual([]);
    // Nothing stored that no kiosk was told about: every check-in that got through was answered.
    expect(rows.length).toBe(acked.size);
    for (const service of SERVICES) {
      const seqs = rows
        .filter((r) => r.service_id === service)
        .map((r) => Number(r.seq))
        .sort((x, y) => x - y);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    }
  });
});
