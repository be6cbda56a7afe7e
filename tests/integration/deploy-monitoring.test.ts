/**
 * Monitoring as deployed (deploy/monitoring): the alert rules pass `promtool check rules` and their
 * unit tests (`promtool test rules`), the scrape configuration passes `promtool check config`, every
 * query of the Grafana dashboard parses as PromQL (promtool checks it inside a generated rules
 * file), and every kiosk_* metric the rules and the dashboard use is in the /metrics output of a
 * running server.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server-harness';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = path.join(root, 'deploy', 'monitoring');
const rulesFile = path.join(dir, 'kiosk-alerts.rules.yml');
const dashboard = JSON.parse(fs.readFileSync(path.join(dir, 'kiosk-server.dashboard.json'), 'utf8')) as {
  panels: { type: string; title: string; targets?: { expr: string }[] }[];
};
const dashboardExprs = dashboard.panels.flatMap((p) =>
  (p.targets ?? []).map((t) => ({ title: p.title, expr: t.expr })),
);
const hasPromtool = spawnSync('promtool', ['--version']).status === 0;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-monitoring-'));
let server: RunningServer | undefined;

afterAll(async () => {
  await server?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const promtool = (...args: string[]) => spawnSync('promtool', args, { cwd: dir, encoding: 'utf8' });

describe.skipIf(!hasPromtool)('alert rules, scrape configuration and dashboard queries (promtool)', () => {
  it('promtool check rules', () => {
    const r = promtool('check', 'rules', rulesFile);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/SUCCESS: \d+ rules found/u);
  });

  it('promtool test rules: the alerts fire (and stay quiet) as their tests say', () => {
    const r = promtool('test', 'rules', 'kiosk-alerts.test.yml');
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('promtool check config on the scrape configuration', () => {
    // The token file is the operator's; an empty stand-in lets promtool read the configuration.
    const config = fs
      .readFileSync(path.join(dir, 'prometheus.yml'), 'utf8')
      .replaceAll('/etc/prometheus/kiosk-metrics.token', path.join(tmp, 'token'))
      .replace('  - kiosk-alerts.rules.yml', `  - ${rulesFile}`);
    fs.writeFileSync(path.join(tmp, 'token'), 'x'.repeat(32));
    fs.writeFileSync(path.join(tmp, 'prometheus.yml'), config);
    const r = spawnSync('promtool', ['check', 'config', path.join(tmp, 'prometheus.yml')], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('every dashboard query is valid PromQL', () => {
    expect(dashboardExprs.length).toBeGreaterThan(15);
    const rules = [
      'groups:',
      '  - name: dashboard',
      '    rules:',
      ...dashboardExprs.flatMap((e, i) => [
        `      - record: dashboard:query_${i}`,
        `        expr: ${JSON.stringify(e.expr)}`,
      ]),
    ].join('\n');
    const file = path.join(tmp, 'dashboard.rules.yml');
    fs.writeFileSync(file, `${rules}\n`);
    const r = promtool('check', 'rules', file);
    expect(r.stdout + r.stderr).toContain(`SUCCESS: ${dashboardExprs.length} rules found`);
    expect(r.status).toBe(0);
  });
});

describe('metrics used by the rules and the dashboard', () => {
  it('all exist in /metrics of a running server', async () => {
    server = await startServer({ METRICS_TOKEN: 'monitoring-test-token-0123456789' });
    const res = await fetch(`${server.url}/metrics`, {
      headers: { authorization: 'Bearer monitoring-test-token-0123456789' },
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    const families = new Map(
      [...text.matchAll(/^# TYPE (\S+) (\S+)$/gmu)].map((m) => [m[1] ?? '', m[2] ?? ''] as const),
    );
    const exists = (name: string) => {
      if (families.has(name)) return true;
      const base = /^(.*)_(bucket|sum|count)$/u.exec(name)?.[1];
      return base !== undefined && ['histogram', 'summary'].includes(families.get(base) ?? '');
    };
    const used = new Set(
      [fs.readFileSync(rulesFile, 'utf8'), ...dashboardExprs.map((e) => e.expr)].flatMap((t) =>
        [...t.matchAll(/\bkiosk_[a-z0-9_]+\b/gu)].map((m) => m[0]),
      ),
    );
    expect(used.size).toBeGreaterThan(15);
    expect([...used].filter((name) => !exists(name))).toEqual([]);
  });
});
