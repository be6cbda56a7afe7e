/**
 * Checks the kiosk host for what silently breaks device access and returns each problem with the
 * exact command that fixes it: pcscd not running, native bindings that do not load, serial and
 * hidraw nodes the agent's user cannot open, missing udev rules for HID POS scanners, and two
 * Linux quirks — ModemManager probing CDC scanners (/dev/ttyACM*) with AT commands for seconds
 * after plug-in, and brltty claiming CH340 USB-serial bridges. Read-only: it changes nothing.
 */
import { accessSync, constants, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { catalogue } from '@kiosk/hardware-profiles';
import { loadHid, loadPcsc, loadSerialBinding, type Loaded } from './native-modules';

export type DoctorCode =
  | 'pcscd-not-running'
  | 'pcsc-binding-unavailable'
  | 'serial-binding-unavailable'
  | 'hid-binding-unavailable'
  | 'serial-permission'
  | 'hidraw-permission'
  | 'hidraw-udev-rule-missing'
  | 'usb-printer-permission'
  | 'modemmanager-probes-serial'
  | 'brltty-claims-serial';

export interface DoctorProblem {
  code: DoctorCode;
  /** What is wrong, for staff and logs (device paths only, no personal data). */
  message: string;
  /** A shell command that fixes it, to copy as is. */
  fix: string;
}

/** Host access, injectable so the checks are tested without touching the machine. */
export interface DoctorHost {
  listDir(path: string): string[];
  exists(path: string): boolean;
  readText(path: string): string | undefined;
  canReadWrite(path: string): boolean;
  groupIdOf(path: string): number | undefined;
  groupName(gid: number): string | undefined;
  userGroups(): number[];
  userName(): string;
  uid(): number;
  processRunning(name: string): boolean;
  loadSerial(): Promise<Loaded<unknown>>;
  loadHid(): Promise<Loaded<unknown>>;
  loadPcsc(): Promise<Loaded<unknown>>;
}

export const UDEV_RULES_PATH = '/etc/udev/rules.d/70-kiosk-devices.rules';

const safe = <T>(fn: () => T, fallback: T): T => {
  try {
    return fn();
  } catch {
    return fallback;
  }
};

export const realHost: DoctorHost = {
  listDir: (path) => safe(() => readdirSync(path), []),
  exists: (path) => existsSync(path),
  readText: (path) => safe(() => readFileSync(path, 'utf8'), undefined),
  canReadWrite: (path) =>
    safe(() => {
      accessSync(path, constants.R_OK | constants.W_OK);
      return true;
    }, false),
  groupIdOf: (path) => safe(() => statSync(path).gid, undefined),
  groupName: (gid) => {
    const line = safe(() => readFileSync('/etc/group', 'utf8'), '')
      .split('\n')
      .find((l) => l.split(':')[2] === String(gid));
    return line?.split(':')[0];
  },
  userGroups: () => safe(() => process.getgroups?.() ?? [], []),
  userName: () => safe(() => userInfo().username, 'kiosk'),
  uid: () => safe(() => process.getuid?.() ?? 0, 0),
  processRunning: (name) =>
    safe(
      () =>
        readdirSync('/proc')
          .filter((p) => /^\d+$/u.test(p))
          .some((p) => safe(() => readFileSync(`/proc/${p}/comm`, 'utf8').trim() === name, false)),
      false,
    ),
  loadSerial: loadSerialBinding,
  loadHid,
  loadPcsc,
};

/**
 * udev rules for the catalogue's scanner vendors: hidraw nodes readable by `group` (HID POS), and
 * their CDC ports hidden from ModemManager. udev cannot match on a HID usage page, so a HID POS
 * scanner of a vendor not in the catalogue needs its vendor id added here.
 */
export function udevRules(group = 'plugdev'): string {
  const hidVendors = new Set<number>();
  const serialVendors = new Set<number>();
  for (const p of catalogue) {
    if (p.class !== 'scanner') continue;
    for (const fp of p.match) {
      if (fp.vendorId === undefined) continue;
      if (p.transports.some((t) => t.kind === 'hid')) hidVendors.add(fp.vendorId);
      if (p.transports.some((t) => t.kind === 'serial')) serialVendors.add(fp.vendorId);
    }
  }
  const hex = (n: number) => n.toString(16).padStart(4, '0');
  const sorted = (set: Set<number>) => [...set].sort((a, b) => a - b).map(hex);
  return [
    ...sorted(hidVendors).map((v) => `SUBSYSTEM=="hidraw", ATTRS{idVendor}=="${v}", MODE="0660", GROUP="${group}"`),
    ...sorted(serialVendors).map((v) => `SUBSYSTEM=="tty", ATTRS{idVendor}=="${v}", ENV{ID_MM_DEVICE_IGNORE}="1"`),
  ].join('\n');
}

export async function runDoctor(host: DoctorHost = realHost): Promise<DoctorProblem[]> {
  const problems: DoctorProblem[] = [];
  const user = host.userName();
  const root = host.uid() === 0;
  const groups = new Set(host.userGroups());

  // pcscd: socket activation on systemd hosts creates the socket before the daemon runs.
  if (!host.exists('/run/pcscd/pcscd.comm') && !host.processRunning('pcscd')) {
    problems.push({
      code: 'pcscd-not-running',
      message: 'pcscd is not running and its socket /run/pcscd/pcscd.comm does not exist: card readers cannot be used',
      fix: host.exists('/run/systemd/system')
        ? 'sudo apt-get install -y pcscd && sudo systemctl enable --now pcscd.socket'
        : 'sudo apt-get install -y pcscd && sudo /usr/sbin/pcscd',
    });
  }

  const [serial, hid, pcsc] = await Promise.all([host.loadSerial(), host.loadHid(), host.loadPcsc()]);
  if (!pcsc.ok) {
    problems.push({
      code: 'pcsc-binding-unavailable',
      message: `the smartcard binding does not load: ${pcsc.reason}`,
      fix: 'sudo apt-get install -y libpcsclite-dev build-essential python3 && npm rebuild smartcard',
    });
  }
  if (!serial.ok) {
    problems.push({
      code: 'serial-binding-unavailable',
      message: `the serialport binding does not load: ${serial.reason}`,
      fix: 'npm rebuild @serialport/bindings-cpp',
    });
  }
  if (!hid.ok) {
    problems.push({
      code: 'hid-binding-unavailable',
      message: `node-hid does not load: ${hid.reason}`,
      fix: 'sudo apt-get install -y libudev-dev build-essential python3 && npm rebuild node-hid',
    });
  }

  const devNodes = (pattern: RegExp) =>
    host
      .listDir('/dev')
      .filter((n) => pattern.test(n))
      .map((n) => `/dev/${n}`);
  const permission = (path: string, code: DoctorCode, fallbackGroup: string, what: string) => {
    if (root || host.canReadWrite(path)) return;
    const gid = host.groupIdOf(path);
    const group = (gid !== undefined ? host.groupName(gid) : undefined) ?? fallbackGroup;
    const member = gid !== undefined && groups.has(gid);
    problems.push({
      code,
      message: member
        ? `${path} (${what}) is not readable and writable by ${user} although ${user} is in group ${group}: log out and in again`
        : `${path} (${what}) belongs to group ${group}; ${user} is not a member`,
      fix: member
        ? 'sudo reboot  # group membership applies only to processes started after it was granted'
        : `sudo usermod -aG ${group} ${user}  # then log out and in`,
    });
  };

  for (const path of devNodes(/^tty(USB|ACM)\d+$/u)) permission(path, 'serial-permission', 'dialout', 'serial port');
  for (const path of host.listDir('/dev/usb').filter((n) => /^lp\d+$/u.test(n))) {
    permission(`/dev/usb/${path}`, 'usb-printer-permission', 'lp', 'USB printer');
  }

  const hidraw = devNodes(/^hidraw\d+$/u);
  const unreadable = root ? [] : hidraw.filter((p) => !host.canReadWrite(p));
  if (unreadable.length > 0) {
    const hasRule = host
      .listDir('/etc/udev/rules.d')
      .some((f) => (host.readText(`/etc/udev/rules.d/${f}`) ?? '').includes('hidraw'));
    const rules = udevRules();
    const install = `printf '%s\\n' '${rules.replace(/'/gu, `'\\''`)}' | sudo tee ${UDEV_RULES_PATH} >/dev/null && sudo udevadm control --reload-rules && sudo udevadm trigger && sudo usermod -aG plugdev ${user}`;
    problems.push(
      hasRule
        ? {
            code: 'hidraw-permission',
            message: `${unreadable.join(', ')} not readable and writable by ${user} although a hidraw udev rule exists (vendor not listed, or group not joined)`,
            fix: install,
          }
        : {
            code: 'hidraw-udev-rule-missing',
            message: `${unreadable.join(', ')} not readable and writable by ${user}: no udev rule grants access to HID POS scanners`,
            fix: install,
          },
    );
  }

  const acm = devNodes(/^ttyACM\d+$/u);
  if (acm.length > 0 && host.processRunning('ModemManager')) {
    problems.push({
      code: 'modemmanager-probes-serial',
      message: `ModemManager probes ${acm.join(', ')} with AT commands after plug-in; a CDC scanner is busy or gets garbage for seconds`,
      fix: 'sudo systemctl disable --now ModemManager',
    });
  }
  if (host.processRunning('brltty') || host.exists('/usr/bin/brltty')) {
    problems.push({
      code: 'brltty-claims-serial',
      message:
        'brltty is installed: it claims CH340/CP210x USB-serial bridges (serial smart readers, scanners) as braille displays',
      fix: 'sudo apt-get remove -y brltty',
    });
  }
  return problems;
}
