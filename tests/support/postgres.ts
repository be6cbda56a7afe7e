/**
 * A throwaway PostgreSQL cluster for tests: `initdb` into a fresh directory under /tmp, `pg_ctl`
 * on a free loopback port, trust auth on loopback only. As root the binaries run as `postgres`.
 * `available()` says whether the binaries exist, so suites can skip rather than fail elsewhere.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';

export interface PostgresCluster {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  url: string;
  port: number;
  /** The cluster's data directory (its postmaster.pid names the server process). */
  dataDir: string;
  /** Creates a fresh database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

function binDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!fs.existsSync(base)) return undefined;
  const versions = fs
    .readdirSync(base)
    .filter((v) => fs.existsSync(path.join(base, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(base, versions[0], 'bin') : undefined;
}

export const postgresAvailable = (): boolean => binDir() !== undefined;

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function asOwner(cmd: string, args: string[]): { cmd: string; args: string[] } {
  return isRoot() ? { cmd: 'runuser', args: ['-u', 'postgres', '--', cmd, ...args] } : { cmd, args };
}

function run(cmd: string, args: string[]): void {
  const c = asOwner(cmd, args);
  const r = spawnSync(c.cmd, c.args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${path.basename(cmd)} failed (exit ${r.status}): ${r.stderr || r.stdout}`);
}

export async function startPostgres(
  options: { maxConnections?: number; fsync?: boolean; settings?: Readonly<Record<string, string>> } = {},
): Promise<PostgresCluster> {
  const bin = binDir();
  if (!bin) throw new Error('postgres-missing: install the Debian package postgresql');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-pg-'));
  const data = path.join(dir, 'data');
  const sockets = path.join(dir, 'run');
  fs.mkdirSync(sockets);
  if (isRoot()) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  run(path.join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '-A',
    'trust',
    '-E',
    'UTF8',
    '--no-locale',
    '--no-sync',
  ]);
  const port = await freePort();
  const opts = [
    `-p ${port}`,
    `-k ${sockets}`,
    "-c listen_addresses='127.0.0.1'",
    `-c max_connections=${options.maxConnections ?? 200}`,
    // Benchmarks keep fsync on to measure durable commits; functional suites may turn it off.
    `-c fsync=${options.fsync === false ? 'off' : 'on'}`,
    '-c shared_buffers=64MB',
    ...Object.entries(options.settings ?? {}).map(([k, v]) => {
      if (!/^[a-z_.]+$/u.test(k) || !/^[\w.,-]+$/u.test(v)) throw new Error(`bad-setting ${k}`);
      return `-c ${k}=${v}`;
    }),
  ].join(' ');
  run(path.join(bin, 'pg_ctl'), ['-D', data, '-o', opts, '-l', path.join(dir, 'postgres.log'), '-w', 'start']);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let stopped = false;
  return {
    url,
    port,
    dataDir: data,
    async createDatabase(name: string) {
      if (!/^[a-z_][a-z0-9_]{0,62}$/u.test(name)) throw new Error('bad-database-name');
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`create database ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        run(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
