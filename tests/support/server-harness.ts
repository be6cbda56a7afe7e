/** Starts a real server on an ephemeral loopback port with a throwaway SQLite file (or a given database URL). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServerApp, loadConfig, type ServerApp } from '@kiosk/server';

export interface RunningServer {
  app: ServerApp;
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-server-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: `sqlite:${path.join(dir, 'kiosk.sqlite')}`,
    DEMO: '1',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const app = await createServerApp(config);
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
