/** Starts a real server on an ephemeral loopback port with a throwaway SQLite file (or a given database URL). */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServerApp, loadConfig, type Clock, type ServerApp } from '@kiosk/server';
import type { CheckInReceipt, CheckInRequest } from '@kiosk/protocol';
import { postgresAvailable, startPostgres, type PostgresCluster } from './postgres';

export interface RunningServer {
  app: ServerApp;
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

export async function startServer(
  env: Record<string, string> = {},
  options: { clock?: Clock } = {},
): Promise<RunningServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-server-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: `sqlite:${path.join(dir, 'kiosk.sqlite')}`,
    DEMO: '1',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const app = await createServerApp(config, options);
  const port = await app.listen();
  return {
    app,
    port,
    dir,
    url: `http://127.0.0.1:${port}`,
    async stop() {
      await app.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type DatabaseKind = 'sqlite' | 'postgres';
/** The databases a suite runs against: SQLite always, PostgreSQL where its binaries are installed. */
export const databaseKinds: DatabaseKind[] = postgresAvailable() ? ['sqlite', 'postgres'] : ['sqlite'];

/** One PostgreSQL cluster per test file; each `databaseUrl('postgres')` call gets a fresh database. */
let cluster: Promise<PostgresCluster> | undefined;
let dbCounter = 0;

export async function databaseUrl(kind: DatabaseKind): Promise<Record<string, string>> {
  if (kind === 'sqlite') return {};
  cluster ??= startPostgres({ fsync: false });
  const c = await cluster;
  dbCounter += 1;
  return { DATABASE_URL: await c.createDatabase(`kiosk_test_${process.pid}_${dbCounter}`) };
}

/** Stops the shared cluster, if one was started. */
export async function stopDatabases(): Promise<void> {
  const c = cluster;
  cluster = undefined;
  if (c) await (await c).stop();
}

export async function login(url: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = (await res.json()) as { ok: boolean; value?: { token: string } };
  if (!body.ok || !body.value) throw new Error(`login failed: ${res.status}`);
  return body.value.token;
}

/** A staff HTTP call with a bearer token; returns the status and the parsed body. */
export async function api<T = unknown>(
  url: string,
  token: string | undefined,
  method: string,
  route: string,
  body?: unknown,
): Promise<{ status: number; body: { ok: boolean; value?: T; error?: { code: string; message: string } } }> {
  const res = await fetch(`${url}${route}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let parsed: { ok: boolean; value?: T; error?: { code: string; message: string } };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    parsed = { ok: false, error: { code: 'not-json', message: text.slice(0, 200) } };
  }
  return { status: res.status, body: parsed };
}

/**
 * Pairs a waiting-room display as a screen does (an admin's single-use code, then the public
 * pairing route) and returns the credential a display connects to /display with.
 */
export async function pairDisplay(url: string, adminToken: string, name = 'Sảnh chờ tầng 1'): Promise<string> {
  const code = await api<{ code: string }>(url, adminToken, 'POST', '/api/admin/display-pairing-codes');
  if (!code.body.value) throw new Error(`pairing code refused: ${code.status}`);
  const paired = await api<{ credential: string }>(url, undefined, 'POST', '/api/displays/pair', {
    code: code.body.value.code,
    name,
  });
  if (!paired.body.value) throw new Error(`pairing refused: ${paired.status}`);
  return paired.body.value.credential;
}

/**
 * Settings for an EMR nobody answers (a closed loopback port) and an outbox that does not retry
 * within a test: deliveries stay unsent, as for a patient checked in during an outage.
 */
export const unansweredEmr: Record<string, string> = {
  EMR_MODE: 'fhir',
  FHIR_BASE_URL: 'http://127.0.0.1:9/fhir',
  FHIR_TIMEOUT_MS: '200',
  OUTBOX_POLL_MS: '60000',
  OUTBOX_BACKOFF_BASE_MS: '600000',
};

/** Checks `identity` in at the server's check-in service (as a kiosk would), with consent; throws on a refusal. */
export async function checkInWith(
  server: RunningServer,
  identity: CheckInRequest['identity'],
  serviceId = 'noi-tong-quat',
): Promise<CheckInReceipt> {
  const r = await server.app.services.checkIn.checkIn(
    { checkInId: randomUUID(), identity, serviceId, priorityClaims: [], consent: true },
    null,
  );
  if (!r.ok) throw new Error(r.error.code);
  return r.value;
}
