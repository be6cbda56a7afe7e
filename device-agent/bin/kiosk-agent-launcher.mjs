#!/usr/bin/env node
// The kiosk agent's launcher (supervisor): what systemd runs. It starts the agent version that
// `current` points at (else the installed build given as argument), starts it again when it
// exits with the restart code, and switches versions when it exits with the update code:
//
//   75  restart asked by the server           → start the same version again
//   76  a verified version is in staged.json  → swap `current` atomically (a new link renamed
//       over the old), start the new version, run its health check: the agent's own /health
//       answers with the server link connected, then the bundle's health-check script (if its
//       manifest names one) exits 0 — all within AGENT_TRIAL_TIMEOUT_MS. A failure swaps
//       `current` back, kills the new version and starts the previous one (rolled back).
//   0   stop (after SIGTERM)                  → the launcher exits 0
//   any other code (a crash)                  → during a trial: roll back; else start again after
//                                               a growing pause (1 s … 30 s)
//
// The outcome of a switch is written to releases/state.json; the agent reports it to the server.
// Plain JavaScript with no dependencies: it is installed once and is not replaced by a rollout.
//
// usage: kiosk-agent-launcher.mjs <installed entry> (e.g. /opt/kiosk/device-agent/dist/main.mjs)
// environment: AGENT_RELEASES_DIR (default $AGENT_DATA_DIR/releases), AGENT_PORT (the health
// check asks 127.0.0.1:<port>/health), AGENT_NODE_ARGS (extra node options, space-separated),
// AGENT_TRIAL_TIMEOUT_MS (default 60000), AGENT_BASE_NODE_MODULES (linked into bundles that do
// not ship their own node_modules; default: the installed entry's nearest node_modules).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const EXIT_RESTART = 75;
const EXIT_UPDATE = 76;

const baseEntry = process.argv[2];
if (!baseEntry) {
  process.stderr.write('usage: kiosk-agent-launcher.mjs <installed agent entry>\n');
  process.exit(2);
}
const dataDir = process.env.AGENT_DATA_DIR ?? path.resolve('data/agent');
const releases = path.resolve(process.env.AGENT_RELEASES_DIR ?? path.join(dataDir, 'releases'));
const port = Number(process.env.AGENT_PORT ?? 8731);
const nodeArgs = (process.env.AGENT_NODE_ARGS ?? '').split(/\s+/u).filter(Boolean);
const trialTimeoutMs = Number(process.env.AGENT_TRIAL_TIMEOUT_MS ?? 60_000);
const currentLink = path.join(releases, 'current');

const log = (msg, fields = {}) =>
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), launcher: true, msg, ...fields })}\n`);

fs.mkdirSync(path.join(releases, 'versions'), { recursive: true, mode: 0o700 });

function nearestNodeModules(from) {
  for (let dir = path.dirname(path.resolve(from)); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules');
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}
const baseNodeModules = process.env.AGENT_BASE_NODE_MODULES ?? nearestNodeModules(baseEntry);

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The version `current` points at: its folder, entry, health check and version; else the installed build. */
function resolveCurrent() {
  try {
    const dir = fs.realpathSync(currentLink);
    const manifest = readJson(path.join(dir, 'manifest.json'));
    if (manifest && typeof manifest.entry === 'string' && typeof manifest.version === 'string')
      return {
        dir,
        entry: path.join(dir, manifest.entry),
        version: manifest.version,
        healthCheck: manifest.healthCheck,
      };
  } catch {
    // No `current` yet: the installed build runs.
  }
  return { dir: undefined, entry: path.resolve(baseEntry), version: undefined, healthCheck: undefined };
}

/** Points `current` at `target` (a folder under versions/, or undefined: the installed build) atomically. */
function pointCurrentAt(target) {
  if (target === undefined) {
    fs.rmSync(currentLink, { force: true });
    return;
  }
  const tmp = `${currentLink}.new-${process.pid}`;
  fs.rmSync(tmp, { force: true });
  fs.symlinkSync(path.relative(releases, target), tmp);
  fs.renameSync(tmp, currentLink);
}

function writeState(state) {
  const file = path.join(releases, 'state.json');
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify({ ...state, at: new Date().toISOString() }), { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** Keeps the running version and the one before it; older unpacked versions go. */
function prune(keep) {
  const dir = path.join(releases, 'versions');
  for (const name of fs.readdirSync(dir)) {
    const full = path.join(dir, name);
    if (!keep.includes(full)) fs.rmSync(full, { recursive: true, force: true });
  }
}

let child;
let stopping = false;

function start(target) {
  if (target.dir && baseNodeModules && !fs.existsSync(path.join(target.dir, 'node_modules')))
    fs.symlinkSync(baseNodeModules, path.join(target.dir, 'node_modules'));
  const env = { ...process.env, AGENT_RELEASES_DIR: releases };
  if (target.version) env.AGENT_VERSION = target.version;
  else delete env.AGENT_VERSION;
  log('starting the agent', { version: target.version ?? 'installed' });
  child = spawn(process.execPath, [...nodeArgs, target.entry], { env, stdio: 'inherit' });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
}

async function healthy(target, exited) {
  const deadline = Date.now() + trialTimeoutMs;
  let gone = false;
  void exited.then(() => (gone = true));
  while (Date.now() < deadline && !gone) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) });
      const body = res.ok ? await res.json() : undefined;
      if (body?.status === 'ok' && body.serverLink?.state === 'connected') break;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  if (gone) return 'exited-during-health-check';
  if (Date.now() >= deadline) return 'health-check-timed-out';
  if (!target.healthCheck) return undefined;
  const script = path.join(target.dir, target.healthCheck);
  const code = await new Promise((resolve) => {
    const check = spawn(process.execPath, [...nodeArgs, script], {
      env: { ...process.env, AGENT_URL: `http://127.0.0.1:${port}` },
      stdio: 'inherit',
    });
    const timer = setTimeout(() => check.kill('SIGKILL'), Math.max(1000, deadline - Date.now()));
    check.once('exit', (c) => {
      clearTimeout(timer);
      resolve(c ?? 1);
    });
  });
  return code === 0 ? undefined : 'health-check-failed';
}

function stopChild(exited) {
  child?.kill('SIGTERM');
  const kill = setTimeout(() => child?.kill('SIGKILL'), 10_000);
  return exited.finally(() => clearTimeout(kill));
}

for (const signal of ['SIGTERM', 'SIGINT'])
  process.on(signal, () => {
    stopping = true;
    child?.kill('SIGTERM');
  });

let pauseMs = 0;
let trial;
for (;;) {
  const target = resolveCurrent();
  const exited = start(target);
  if (trial) {
    const failure = await healthy(target, exited);
    if (failure) {
      log('the new version failed its health check: rolling back', { version: target.version, failure });
      await stopChild(exited);
      pointCurrentAt(trial.previousDir);
      writeState({
        rolloutId: trial.rolloutId,
        version: target.version ?? 'installed',
        state: 'rolled-back',
        reason: failure,
        running: trial.previousVersion ?? 'installed',
      });
      trial = undefined;
      continue;
    }
    log('the new version passed its health check', { version: target.version });
    writeState({ rolloutId: trial.rolloutId, version: target.version, state: 'adopted', running: target.version });
    prune([target.dir, trial.previousDir].filter(Boolean));
    trial = undefined;
  }
  const code = await exited;
  if (stopping) process.exit(0);
  if (code === EXIT_RESTART) {
    pauseMs = 0;
    continue;
  }
  if (code === EXIT_UPDATE) {
    const staged = readJson(path.join(releases, 'staged.json'));
    fs.rmSync(path.join(releases, 'staged.json'), { force: true });
    const dir = staged && path.join(releases, 'versions', String(staged.version));
    if (!dir || !fs.existsSync(path.join(dir, 'manifest.json'))) {
      log('update asked but nothing is staged');
      continue;
    }
    trial = { rolloutId: staged.rolloutId, previousDir: target.dir, previousVersion: target.version };
    pointCurrentAt(dir);
    pauseMs = 0;
    continue;
  }
  if (code === 0) process.exit(0);
  pauseMs = Math.min(Math.max(pauseMs * 2, 1000), 30_000);
  log('the agent exited: starting it again', { code, pauseMs });
  await new Promise((r) => setTimeout(r, pauseMs));
}
