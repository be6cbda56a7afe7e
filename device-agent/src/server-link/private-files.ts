/**
 * Files of the agent's data folder hold personal data or secrets (the device credential, facts
 * waiting for the server): the folder is 0700 and every file 0600, and a file is replaced
 * atomically — written to a temporary file, fsynced, renamed over the old one, and the folder
 * fsynced so the rename itself survives a power cut. A reader sees the old content or the new,
 * never half of either.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Creates `dir` 0700 (and any missing parent), and narrows it to 0700 if it is wider. */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if ((fs.statSync(dir).mode & 0o077) !== 0) fs.chmodSync(dir, 0o700);
}

function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Replaces `file` with `data`, 0600, atomically and durably. */
export function writePrivateFileAtomic(file: string, data: string | Uint8Array): void {
  const dir = path.dirname(file);
  ensurePrivateDir(dir);
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncDir(dir);
}

/**
 * Deletes what an interrupted `writePrivateFileAtomic` of `file` left (`<file>.tmp-<pid>`): the
 * rename never happened, so `file` still holds the last complete content and the leftover is not it.
 */
export function removeLeftoverTemporaries(file: string): void {
  const dir = path.dirname(file);
  const prefix = `${path.basename(file)}.tmp-`;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names)
    if (name.startsWith(prefix) && /^\d+$/u.test(name.slice(prefix.length)))
      fs.rmSync(path.join(dir, name), { force: true });
}

/** Moves a file that cannot be read aside as `<file>.corrupt-<time>` (kept for a technician); returns the new path. */
export function moveAside(file: string, now: Date = new Date()): string {
  const target = `${file}.corrupt-${now.toISOString().replace(/[:.]/gu, '-')}`;
  fs.renameSync(file, target);
  fs.chmodSync(target, 0o600);
  fsyncDir(path.dirname(file));
  return target;
}

/** Files moved aside in `dir` (by `moveAside`), oldest first. */
export function corruptFilesIn(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir)
      .filter((f) => /\.corrupt-\d{4}-\d{2}-\d{2}T/u.test(f))
      .sort();
  } catch {
    return [];
  }
}
