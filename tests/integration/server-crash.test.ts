/**
 * Durability on SQLite. The server runs as a child process (its real entry point) and kiosk
 * clients issue check-ins under load; then
 * - the process is killed with SIGKILL, or
 * - the power is cut: the database lives on a real ext4 file system on a loop device, the server
 *   is frozen and the device image copied at that instant — what was not synced is not in the copy
 *   (the first power-cut test proves the copy really loses unsynced writes).
 * After a restart every acknowledged ticket is there, the series has no gap, and numbering
 * continues without duplicates.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port';
import { canSimulatePowerCut, createPowerCutDisk, recoverFiles, type PowerCutDisk } from '../support/loop-disk';
import {
  connectAgents,
  enrollAgent,
  expectKeptAndContinuing,
  loadUntil,
  LOAD_TEST_LIMITS,
  spawnServer,
  type ServerProcess,
} from '../support/server-process';

const CLIENTS = 8;
const INTERRUPT_AFTER_ACKS = 300;
const dirs: string[] = [];
const servers: ServerProcess[] = [];
const tmp = (prefix: string) => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
};
const start = async (databaseFile: string, env: Record<string, string> = {}) => {
  const s = await spawnServer({ port: await freePort(), databaseFile, env: { ...LOAD_TEST_LIMITS, ...env } });
  servers.push(s);
  return s;
};
afterEach(async () => {
  for (const s of servers.splice(0)) {
    if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    await s.exited();
  }
});
afterAll(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('SQLite durability across kill -9', () => {
  it('keeps every acknowledged ticket and continues the series without duplicates', async () => {
    const file = path.join(tmp('kiosk-crash-'), 'kiosk.sqlite');
    const first = await start(file, { BOOTSTRAP_PAIRING_CODE: 'CRASHCODE123' });
    const credential = await enrollAgent(first.url, 'CRASHCODE123', 'kiosk-crash');
    const sockets = await connectAgents(first.url, credential, CLIENTS);
    const acked = await loadUntil(sockets, INTERRUPT_AFTER_ACKS, () => first.child.kill('SIGKILL'));
    await first.exited();
    for (const s of sockets) s.close();
    expect(acked.length).toBeGreaterThanOrEqual(INTERRUPT_AFTER_ACKS);

    const second = await start(file);
    await expectKeptAndContinuing(second.url, credential, acked, expect);
  });
});

describe.skipIf(!canSimulatePowerCut())('SQLite durability across a power cut', () => {
  let disk: PowerCutDisk | undefined;
  afterEach(() => {
    disk?.unmount();
    disk = undefined;
  });

  it('the simulated power cut loses what was written but never synced', async () => {
    const dir = tmp('kiosk-powercut-');
    disk = createPowerCutDisk(dir);
    const file = path.join(disk.mountPoint, 'probe.sqlite');
    // 200 commits with synchronous=FULL, then 300 with synchronous=OFF, then it waits.
    const script = `
      const db = new (require(${JSON.stringify(createRequire(import.meta.url).resolve('better-sqlite3'))}))(${JSON.stringify(file)});
      db.pragma('journal_mode = WAL'); db.pragma('wal_autocheckpoint = 0');
      db.exec('create table t (id integer primary key)');
      const ins = db.prepare('insert into t (id) values (?)');
      db.pragma('synchronous = FULL'); for (let i = 1; i <= 200; i++) ins.run(i);
      db.pragma('synchronous = OFF'); for (let i = 201; i <= 500; i++) ins.run(i);
      console.log(db.prepare('select count(*) as n from t').get().n);
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const written = await new Promise<string>((resolve) =>
      child.stdout.once('data', (d: Buffer) => resolve(String(d))),
    );
    child.kill('SIGSTOP');
    const image = disk.cutPower();
    child.kill('SIGKILL');
    expect(written.trim()).toBe('500');

    const recovered = tmp('kiosk-powercut-recovered-');
    recoverFiles(image, ['probe.sqlite', 'probe.sqlite-wal'], recovered);
    const { default: SQLite } = await import('better-sqlite3');
    const db = new SQLite(path.join(recovered, 'probe.sqlite'));
    expect(db.prepare('select count(*) as n from t').get()).toEqual({ n: 200 });
    db.close();
  });

  it('keeps every acknowledged ticket and continues the series without duplicates', async () => {
    const dir = tmp('kiosk-powercut-');
    disk = createPowerCutDisk(dir);
    const first = await start(path.join(disk.mountPoint, 'kiosk.sqlite'), { BOOTSTRAP_PAIRING_CODE: 'POWERCODE123' });
    const credential = await enrollAgent(first.url, 'POWERCODE123', 'kiosk-power');
    const sockets = await connectAgents(first.url, credential, CLIENTS);
    let image = '';
    const acked = await loadUntil(sockets, INTERRUPT_AFTER_ACKS, () => {
      // The server freezes mid-load and the disk is taken as it stands.
      first.child.kill('SIGSTOP');
      image = disk?.cutPower() ?? '';
    });
    // Acknowledgements already on the wire still arrive; they count too.
    await new Promise((r) => setTimeout(r, 300));
    first.child.kill('SIGKILL');
    await first.exited();
    for (const s of sockets) s.close();
    expect(acked.length).toBeGreaterThanOrEqual(INTERRUPT_AFTER_ACKS);

    const recovered = tmp('kiosk-powercut-recovered-');
    expect(recoverFiles(image, ['kiosk.sqlite', 'kiosk.sqlite-wal'], recovered)).toContain('kiosk.sqlite');
    const second = await start(path.join(recovered, 'kiosk.sqlite'));
    await expectKeptAndContinuing(second.url, credential, [...acked], expect);
  });
});
