/**
 * SQLite online backups and their restore. A real server takes check-ins from kiosk clients while
 * a backup runs (SQLite's backup API, in the same process); the backup holds every ticket
 * acknowledged before it began, passes SQLite's integrity check and is owner-only. Backups beyond
 * BACKUP_KEEP are removed. A server started through its real entry point on a restored copy
 * answers with every acknowledged ticket and goes on numbering after the last one.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckInReceipt, Result } from '@kiosk/protocol';
import { freePort } from '../support/free-port';
import { startServer, type RunningServer } from '../support/server-harness';
import {
  checkInRequest,
  connectAgents,
  enrollAgent,
  expectKeptAndContinuing,
  LOAD_TEST_LIMITS,
  spawnServer,
  type Acked,
  type AgentSocket,
  type ServerProcess,
} from '../support/server-process';

const require = createRequire(import.meta.url);
const dirs: string[] = [];
let server: RunningServer | undefined;
let restored: ServerProcess | undefined;
let sockets: AgentSocket[] = [];

afterAll(async () => {
  for (const s of sockets) s.close();
  restored?.child.kill('SIGKILL');
  await restored?.exited();
  await server?.stop();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** `n` check-ins, `sockets.length` in flight at a time; `midway` runs once `after` are acknowledged. */
async function checkIns(n: number, from: number, after: number, midway: () => void): Promise<Acked[]> {
  const acked: Acked[] = [];
  let next = from;
  await Promise.all(
    sockets.map(async (sock) => {
      while (next < from + n) {
        const request = checkInRequest(next++);
        const r = await new Promise<Result<CheckInReceipt>>((resolve) => sock.emit('checkin:submit', request, resolve));
        if (!r.ok) throw new Error(`check-in refused: ${r.error.code}`);
        acked.push({ request, receipt: r.value });
        if (acked.length === after) midway();
      }
    }),
  );
  return acked;
}

describe('SQLite online backup and restore', () => {
  it('backs up under load, keeps the newest, and a server on the restored copy has every ticket', async () => {
    const backupDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-backups-'));
    fs.rmSync(backupDir, { recursive: true });
    dirs.push(backupDir);
    server = await startServer({
      ...LOAD_TEST_LIMITS,
      BOOTSTRAP_PAIRING_CODE: 'BACKUPCODE12',
      BACKUP_DIR: backupDir,
      BACKUP_KEEP: '2',
      BACKUP_INTERVAL_MINUTES: '0',
    });
    const backups = server.app.backups;
    if (!backups) throw new Error('no backups on a SQLite file');
    const credential = await enrollAgent(server.url, 'BACKUPCODE12', 'kiosk-backup');
    sockets = await connectAgents(server.url, credential, 8);

    // A backup taken while check-ins go on.
    let underLoad: Promise<Result<{ file: string }>> | undefined;
    const first = await checkIns(400, 0, 150, () => {
      underLoad = backups.runNow();
    });
    const during = await underLoad;
    if (!during?.ok) throw new Error('backup under load failed');
    const { default: SQLite } = (await import(require.resolve('better-sqlite3'))) as {
      default: new (
        f: string,
        o?: { readonly?: boolean },
      ) => {
        pragma(s: string, o?: { simple: boolean }): unknown;
        prepare(s: string): { all(): { id: string; number: string }[] };
        close(): void;
      };
    };
    const copy = new SQLite(during.value.file, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    const inCopy = new Map(
      copy
        .prepare('select id, number from tickets')
        .all()
        .map((t) => [t.id, t.number]),
    );
    copy.close();
    const acknowledgedFirst = first.slice(0, 150);
    expect(acknowledgedFirst.filter((a) => inCopy.get(a.receipt.ticketId) !== a.receipt.ticket.number)).toEqual([]);

    // Owner-only files in an owner-only folder; only the newest BACKUP_KEEP stay.
    expect(fs.statSync(backupDir).mode & 0o777).toBe(0o700);
    const more = [await backups.runNow(), await backups.runNow()];
    const files = backups.list();
    expect(files).toHaveLength(2);
    expect(files).not.toContain(during.value.file);
    for (const f of files) expect(fs.statSync(f).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(backupDir).filter((f) => f.endsWith('.partial'))).toEqual([]);
    const latest = more[1];
    if (!latest?.ok) throw new Error('backup failed');
    const metrics = await server.app.metrics.registry.getSingleMetricAsString(
      'kiosk_backup_last_success_timestamp_seconds',
    );
    expect(Number(/ (\d+(?:\.\d+)?)$/mu.exec(metrics)?.[1] ?? 0)).toBeGreaterThan(0);

    // Restore: the newest backup becomes the database of a server started by its entry point.
    const restoreDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-restore-'));
    dirs.push(restoreDir);
    const database = path.join(restoreDir, 'kiosk.sqlite');
    fs.copyFileSync(latest.value.file, database);
    restored = await spawnServer({ port: await freePort(), databaseFile: database });
    // The restored server knows the kiosk's credential, every acknowledged ticket, and goes on.
    await expectKeptAndContinuing(restored.url, credential, first, expect);
  });
});
