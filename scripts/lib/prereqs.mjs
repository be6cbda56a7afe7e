// Installs what a fresh clone is missing: node modules, Debian packages, the built pages.
// As root, Debian packages are installed with apt-get; otherwise the exact command is printed.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const log = (msg) => process.stdout.write(`[setup] ${msg}\n`);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status})`);
}

/** Debian packages a command needs, keyed by package → a file that proves it is installed. */
export const debianPackages = {
  // The waiting-room display's spoken-call clips are generated with espeak-ng when the pages are built.
  // The kiosk page's Khmer is drawn with Noto Sans Khmer (fonts-noto-core) by the kiosk PC's browser.
  start: { 'espeak-ng': '/usr/bin/espeak-ng', 'fonts-noto-core': '/usr/share/fonts/truetype/noto' },
  test: {
    'espeak-ng': '/usr/bin/espeak-ng',
    chromium: '/usr/bin/chromium',
    socat: '/usr/bin/socat',
    pcscd: '/usr/sbin/pcscd',
    'vsmartcard-vpcd': '/usr/lib/pcsc/drivers/serial/libifdvpcd.so',
    'libpcsclite-dev': '/usr/include/PCSC/winscard.h',
    postgresql: '/usr/lib/postgresql',
    'fonts-noto-core': '/usr/share/fonts/truetype/noto',
    // Two server instances behind the deployment's load balancer (deploy/haproxy/haproxy.cfg).
    haproxy: '/usr/sbin/haproxy',
    // promtool checks the alert rules (deploy/monitoring/).
    prometheus: '/usr/bin/promtool',
    // systemd-analyze verifies the units (deploy/systemd/).
    systemd: '/usr/bin/systemd-analyze',
    // The TLS test makes its own CA and certificates.
    openssl: '/usr/bin/openssl',
  },
};

function isInstalled(pkg, probe) {
  if (fs.existsSync(probe)) return true;
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

/** `optional`: when not root, warn with the exact command and go on instead of stopping. */
export function ensureDebianPackages(which, { optional = false } = {}) {
  const wanted = debianPackages[which];
  const missing = Object.entries(wanted)
    .filter(([pkg, probe]) => !isInstalled(pkg, probe))
    .map(([pkg]) => pkg);
  if (missing.length === 0) return;
  const cmd = `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (typeof process.getuid === 'function' && process.getuid() === 0) {
    log(`installing Debian packages: ${missing.join(' ')}`);
    run('sh', ['-c', cmd]);
  } else {
    process.stderr.write(`Missing Debian packages: ${missing.join(' ')}\nRun as root:\n  sudo sh -c '${cmd}'\n`);
    if (!optional) process.exit(1);
  }
}

/** npm ci when node_modules is missing or older than the lock file. */
export function ensureNodeModules() {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  const lock = path.join(root, 'package-lock.json');
  const stale = !fs.existsSync(marker) || fs.statSync(marker).mtimeMs < fs.statSync(lock).mtimeMs;
  if (!stale) return;
  log('installing node modules (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Bundles the device agent to plain JavaScript when its bundle is older than its sources. */
export function ensureAgentBuilt() {
  const bundle = path.join(root, 'device-agent', 'dist', 'main.mjs');
  const sources = Math.max(
    ...['device-agent/src', 'protocol/src', 'hardware-profiles/src'].map((d) => newestMtime(path.join(root, d))),
  );
  if (fs.existsSync(bundle) && fs.statSync(bundle).mtimeMs >= sources) return;
  log('bundling the device agent (esbuild)');
  run('npm', ['run', 'build', '-w', 'device-agent', '--silent']);
}

/** Builds the pages when dist is missing or older than any source of kiosk-ui or protocol. */
export function ensureUiBuilt() {
  const dist = path.join(root, 'kiosk-ui', 'dist', 'kiosk', 'index.html');
  const sources = Math.max(newestMtime(path.join(root, 'kiosk-ui')), newestMtime(path.join(root, 'protocol', 'src')));
  if (fs.existsSync(dist) && fs.statSync(dist).mtimeMs >= sources) return;
  log('building the pages (vite build)');
  run('npm', ['run', 'build', '-w', 'kiosk-ui', '--silent']);
}

export function nodeVersionOk() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    process.stderr.write(`Node ${process.versions.node} is too old: Node 20.19 or newer is needed.\n`);
    process.exit(1);
  }
}

export function gitRev() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}
