/**
 * Runs the whole system as `npm start` runs it (server, agent with simulated devices, built pages)
 * on its own ports and a throwaway data folder, for the UI benchmarks. Stopped by its pid only.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from '@playwright/test';
import { until } from '../support/until';

export const root = path.resolve(import.meta.dirname, '../..');

export interface Stack {
  baseUrl: string;
  agentUrl: string;
  kioskUrl: string;
  stop(): Promise<void>;
}

async function waitOk(url: string, timeoutMs: number): Promise<void> {
  await until(
    async () => {
      try {
        return (await fetch(url)).ok;
      } catch {
        return false; // not up yet
      }
    },
    { what: url, timeoutMs, intervalMs: 200 },
  );
}

export async function startStack(port: number, agentPort: number): Promise<Stack> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-ui-'));
  const child = spawn(process.execPath, ['scripts/start.mjs'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), AGENT_PORT: String(agentPort), DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitOk(`http://127.0.0.1:${agentPort}/healthz`, 120_000);
  const baseUrl = `http://127.0.0.1:${port}`;
  const agentUrl = `http://127.0.0.1:${agentPort}`;
  return {
    baseUrl,
    agentUrl,
    kioskUrl: `${baseUrl}/kiosk/?agent=${agentUrl}`,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};
