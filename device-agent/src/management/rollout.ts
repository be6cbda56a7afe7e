/**
 * The agent's half of a software rollout. The launcher (bin/kiosk-agent-launcher.mjs) owns the
 * releases folder and the switch; the agent downloads, verifies and unpacks a new version beside
 * the running one, names it in `staged.json`, and exits with EXIT_UPDATE. The launcher then
 * swaps the `current` link, runs the new version's health check, and keeps it or switches back
 * by itself; what it did is in `state.json`, which the agent reports to the server.
 *
 * releases/
 *   versions/<version>/   unpacked bundles (manifest.json beside the files)
 *   current -> versions/<version>
 *   staged.json           { rolloutId, version } — written by the agent, consumed by the launcher
 *   state.json            the launcher's last outcome (adopted / rolled-back)
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { err, launcherStateSchema, ok, type BundleManifest, type LauncherState, type Result } from '@kiosk/protocol';
import { writePrivateFileAtomic } from '../server-link/private-files';

/** The agent asks its launcher (or systemd, RestartForceExitStatus) to start it again. */
export const EXIT_RESTART = 75;
/** A verified version waits in staged.json: the launcher switches to it and checks its health. */
export const EXIT_UPDATE = 76;

const run = promisify(execFile);

export function readLauncherState(releasesDir: string): LauncherState | undefined {
  try {
    const parsed = launcherStateSchema.safeParse(
      JSON.parse(fs.readFileSync(path.join(releasesDir, 'state.json'), 'utf8')),
    );
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Unpacks a verified bundle to versions/<version> (through a temporary folder renamed at the end,
 * so a half-unpacked version never exists under its name) and names it in staged.json.
 */
export async function stageBundle(
  releasesDir: string,
  manifest: BundleManifest,
  manifestText: string,
  tarball: Uint8Array,
  rolloutId: string,
): Promise<Result<null>> {
  const versions = path.join(releasesDir, 'versions');
  const target = path.join(versions, manifest.version);
  const partial = `${target}.partial-${process.pid}`;
  const archive = path.join(releasesDir, `${manifest.version}.tar.gz.partial`);
  try {
    fs.mkdirSync(versions, { recursive: true, mode: 0o755 });
    const current = fs.existsSync(path.join(releasesDir, 'current'))
      ? path.basename(fs.realpathSync(path.join(releasesDir, 'current')))
      : undefined;
    if (current === manifest.version) return err('already-running', 'this version is already running');
    fs.rmSync(partial, { recursive: true, force: true });
    fs.mkdirSync(partial, { mode: 0o755 });
    fs.writeFileSync(archive, tarball, { mode: 0o600 });
    // GNU tar drops leading '/' and refuses members with '..'; the bundle is signed besides.
    await run('tar', ['-xzf', archive, '-C', partial, '--no-same-owner', '--no-same-permissions']);
    const entry = path.join(partial, manifest.entry);
    if (!fs.existsSync(entry) || !fs.realpathSync(entry).startsWith(fs.realpathSync(partial) + path.sep))
      return err('entry-missing', 'the bundle has no file at its entry');
    fs.writeFileSync(path.join(partial, 'manifest.json'), manifestText, { mode: 0o644 });
    fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(partial, target);
    writePrivateFileAtomic(
      path.join(releasesDir, 'staged.json'),
      JSON.stringify({ rolloutId, version: manifest.version }),
    );
    return ok(null);
  } catch (e) {
    fs.rmSync(partial, { recursive: true, force: true });
    return err('unpack-failed', e instanceof Error ? e.message.slice(0, 120) : 'unpack failed');
  } finally {
    fs.rmSync(archive, { force: true });
  }
}
