/**
 * A power cut, simulated with a real block device: an ext4 file system on a loop device over a
 * sparse image file. It is mounted with a 600 s journal interval, so within a test nothing
 * reaches the device unless someone syncs it (dirty pages are written back after 30 s at the
 * earliest). Copying the image at an instant gives the disk as a power cut at that instant would
 * leave it: what was fsynced is there, what sat in the page cache is not. Needs root and
 * util-linux (`losetup`, `mount`) and e2fsprogs (`mkfs.ext4`).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const run = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8' }).trim();

export function canSimulatePowerCut(): boolean {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return false;
  try {
    run('sh', ['-c', 'command -v losetup && command -v mkfs.ext4 && command -v mount && test -e /dev/loop-control']);
    return true;
  } catch {
    return false;
  }
}

export interface MountedImage {
  mountPoint: string;
  unmount(): void;
}

export function mountImage(image: string, mountPoint: string, options = 'commit=600'): MountedImage {
  fs.mkdirSync(mountPoint, { recursive: true });
  const device = run('losetup', ['--find', '--show', image]);
  try {
    run('mount', ['-t', 'ext4', '-o', options, device, mountPoint]);
  } catch (e) {
    run('losetup', ['-d', device]);
    throw e;
  }
  let mounted = true;
  return {
    mountPoint,
    unmount() {
      if (!mounted) return;
      mounted = false;
      try {
        run('umount', [mountPoint]);
      } finally {
        run('losetup', ['-d', device]);
      }
    },
  };
}

export interface PowerCutDisk extends MountedImage {
  /** The disk as a power cut now would leave it, as a new image file. */
  cutPower(): string;
}

export function createPowerCutDisk(dir: string, sizeMb = 256): PowerCutDisk {
  const image = path.join(dir, 'disk.img');
  fs.closeSync(fs.openSync(image, 'w'));
  fs.truncateSync(image, sizeMb * 1024 * 1024);
  run('mkfs.ext4', ['-q', '-F', image]);
  const mounted = mountImage(image, path.join(dir, 'disk'));
  let cuts = 0;
  return {
    ...mounted,
    cutPower() {
      const copy = path.join(dir, `after-power-cut-${++cuts}.img`);
      run('cp', ['--sparse=always', image, copy]);
      return copy;
    },
  };
}

/** Copies files out of an image (mounting it replays the ext4 journal, as a reboot would). */
export function recoverFiles(image: string, names: string[], into: string): string[] {
  const mounted = mountImage(image, `${image}.mnt`, 'rw');
  try {
    fs.mkdirSync(into, { recursive: true });
    return names.filter((name) => {
      const from = path.join(mounted.mountPoint, name);
      if (!fs.existsSync(from)) return false;
      fs.copyFileSync(from, path.join(into, name));
      return true;
    });
  } finally {
    mounted.unmount();
  }
}
