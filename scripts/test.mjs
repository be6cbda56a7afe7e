// `npm test`: installs what is missing, then runs lint, type-check, unit, integration and
// end-to-end suites, and closes with one line: `N passed, N failed, N skipped`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  ensureAgentBuilt,
  ensureDebianPackages,
  ensureNodeModules,
  ensureUiBuilt,
  nodeVersionOk,
  root,
} from './lib/prereqs.mjs';

const started = Date.now();
nodeVersionOk();
ensureDebianPackages('test');
ensureNodeModules();
ensureUiBuilt();
ensureAgentBuilt();

const reports = path.join(root, 'artifacts', 'reports');
fs.mkdirSync(reports, { recursive: true });
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const tally = { passed: 0, failed: 0, skipped: 0 };
const lines = [];

function step(name, cmd, args, env = {}) {
  process.stdout.write(`\n=== ${name} ===\n`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  return { ok: r.status === 0, seconds };
}

/** A check that is one pass or one fail (lint, type-check). */
function check(name, cmd, args) {
  const { ok, seconds } = step(name, cmd, args);
  tally[ok ? 'passed' : 'failed'] += 1;
  lines.push(`${ok ? 'PASS' : 'FAIL'}  ${name} (${seconds} s)`);
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The first line of a failure's message, short enough for the summary. */
function firstLine(text) {
  const line = String(text ?? '')
    // eslint-disable-next-line no-control-regex -- colour codes from the reporters
    .replace(/\u001b\[[0-9;]*m/gu, '')
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.length > 0);
  return (line ?? '').slice(0, 240);
}

/** Names every failed test under its suite's summary line, so the tail of the output says what failed. */
function vitestFailures(report) {
  const out = [];
  for (const file of report.testResults ?? []) {
    const rel = path.relative(root, file.name ?? '');
    const failed = (file.assertionResults ?? []).filter((t) => t.status === 'failed');
    for (const t of failed) out.push(`      ✘ ${rel} › ${t.fullName ?? t.title}: ${firstLine(t.failureMessages?.[0])}`);
    if (failed.length === 0 && file.status === 'failed') out.push(`      ✘ ${rel}: ${firstLine(file.message)}`);
  }
  return out;
}

function playwrightFailures(report) {
  const out = [];
  const walk = (suite, titles) => {
    for (const spec of suite.specs ?? []) {
      if (spec.ok) continue;
      const error = spec.tests?.flatMap((t) => t.results ?? []).find((r) => r.error)?.error;
      out.push(
        `      ✘ ${spec.file}:${spec.line} › ${[...titles, spec.title].join(' › ')}: ${firstLine(error?.message)}`,
      );
    }
    for (const child of suite.suites ?? []) walk(child, [...titles, child.title]);
  };
  for (const suite of report.suites ?? []) walk(suite, []);
  for (const e of report.errors ?? []) out.push(`      ✘ ${firstLine(e.message)}`);
  return out;
}

function vitest(name, project) {
  const out = path.join(reports, `vitest-${project}.json`);
  fs.rmSync(out, { force: true });
  const { ok, seconds } = step(name, bin('vitest'), [
    'run',
    '--project',
    project,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${out}`,
  ]);
  const report = readJson(out);
  if (!report) {
    tally.failed += 1;
    lines.push(`FAIL  ${name}: no report (${seconds} s)`);
    return;
  }
  const passed = report.numPassedTests ?? 0;
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  // A suite that failed to load holds no failed test but fails the run: count it.
  const failures =
    (report.numFailedTests ?? 0) + (ok ? 0 : report.numFailedTests ? 0 : Math.max(1, report.numFailedTestSuites ?? 0));
  tally.passed += passed;
  tally.failed += failures;
  tally.skipped += skipped;
  lines.push(
    `${failures === 0 ? 'PASS' : 'FAIL'}  ${name}: ${passed} passed, ${failures} failed, ${skipped} skipped (${seconds} s)`,
    ...vitestFailures(report),
  );
}

function playwright(name) {
  const out = path.join(reports, 'playwright.json');
  fs.rmSync(out, { force: true });
  const { ok, seconds } = step(name, bin('playwright'), ['test', '-c', 'tests/playwright.config.ts'], {
    PLAYWRIGHT_JSON_OUTPUT_NAME: out,
  });
  const report = readJson(out);
  const stats = report?.stats;
  if (!stats) {
    tally.failed += 1;
    lines.push(`FAIL  ${name}: no report (${seconds} s)`);
    return;
  }
  // A run that failed outside any test (a crashed web server, a global setup) still counts once.
  const failed = (stats.unexpected ?? 0) + (ok || stats.unexpected ? 0 : 1);
  tally.passed += (stats.expected ?? 0) + (stats.flaky ?? 0);
  tally.failed += failed;
  tally.skipped += stats.skipped ?? 0;
  lines.push(
    `${failed === 0 ? 'PASS' : 'FAIL'}  ${name}: ${stats.expected ?? 0} passed, ${failed} failed (${seconds} s)`,
    ...playwrightFailures(report),
  );
}

check('lint (eslint, zero warnings)', bin('eslint'), ['.', '--max-warnings', '0']);
check('format (prettier --check)', bin('prettier'), ['--check', '.', '--log-level', 'warn']);
check('type-check (tsc -b)', bin('tsc'), ['-b']);
check('type-check (svelte-check)', bin('svelte-check'), [
  '--workspace',
  'kiosk-ui',
  '--tsconfig',
  './tsconfig.json',
  '--fail-on-warnings',
]);
vitest('unit', 'unit');
vitest('integration', 'integration');
playwright('end-to-end (Playwright, Chromium)');

const minutes = ((Date.now() - started) / 60000).toFixed(1);
process.stdout.write(`\n=== summary (${minutes} min) ===\n${lines.join('\n')}\n\n`);
process.stdout.write(`${tally.passed} passed, ${tally.failed} failed, ${tally.skipped} skipped\n`);
process.exit(tally.failed === 0 ? 0 : 1);
