import { describe, expect, it } from 'vitest';
import { runDoctor, udevRules, type DoctorHost } from './doctor';

function host(
  over: Partial<DoctorHost> & { dev?: string[]; files?: Record<string, string>; running?: string[] } = {},
): DoctorHost {
  const files = over.files ?? {};
  const base: DoctorHost = {
    listDir: (path) =>
      path === '/dev'
        ? (over.dev ?? [])
        : Object.keys(files)
            .filter((f) => f.startsWith(`${path}/`))
            .map((f) => f.slice(path.length + 1)),
    exists: (path) => path in files,
    readText: (path) => files[path],
    canReadWrite: () => false,
    groupIdOf: (path) => (path.includes('tty') ? 20 : 0),
    groupName: (gid) => ({ 20: 'dialout', 0: 'root', 46: 'plugdev' })[gid],
    userGroups: () => [1000],
    userName: () => 'kiosk',
    uid: () => 1000,
    processRunning: (name) => (over.running ?? []).includes(name),
    loadSerial: async () => ({ ok: true, module: {} }),
    loadHid: async () => ({ ok: true, module: {} }),
    loadPcsc: async () => ({ ok: true, module: {} }),
  };
  return { ...base, ...over };
}

const codes = async (h: DoctorHost) => (await runDoctor(h)).map((p) => p.code).sort();

describe('runDoctor', () => {
  it('a healthy host has no problems', async () => {
    expect(
      await runDoctor(host({ running: ['pcscd'], canReadWrite: () => true, dev: ['ttyACM0', 'hidraw0'] })),
    ).toEqual([]);
  });

  it('pcscd down: the fix depends on systemd', async () => {
    const [withSystemd] = await runDoctor(host({ files: { '/run/systemd/system': '' } }));
    expect(withSystemd).toMatchObject({
      code: 'pcscd-not-running',
      fix: 'sudo apt-get install -y pcscd && sudo systemctl enable --now pcscd.socket',
    });
    const [without] = await runDoctor(host());
    expect(without?.fix).toContain('/usr/sbin/pcscd');
  });

  it('reports each binding that does not load with its reason', async () => {
    const down = async () => ({ ok: false as const, reason: 'No native build was found' });
    const problems = await runDoctor(host({ running: ['pcscd'], loadSerial: down, loadHid: down, loadPcsc: down }));
    expect(problems.map((p) => p.code).sort()).toEqual([
      'hid-binding-unavailable',
      'pcsc-binding-unavailable',
      'serial-binding-unavailable',
    ]);
    expect(problems.every((p) => p.message.includes('No native build'))).toBe(true);
    expect(problems.find((p) => p.code === 'pcsc-binding-unavailable')?.fix).toContain('npm rebuild smartcard');
  });

  it('serial ports: not in dialout → usermod; in dialout → new login session', async () => {
    const [p] = await runDoctor(host({ running: ['pcscd'], dev: ['ttyUSB0', 'ttyS0'] }));
    expect(p).toMatchObject({
      code: 'serial-permission',
      fix: 'sudo usermod -aG dialout kiosk  # then log out and in',
    });
    const [q] = await runDoctor(host({ running: ['pcscd'], dev: ['ttyACM1'], userGroups: () => [20] }));
    expect(q?.message).toContain('log out and in again');
  });

  it('hidraw without a udev rule: one problem whose fix writes rules for the catalogue scanner vendors', async () => {
    const problems = await runDoctor(host({ running: ['pcscd'], dev: ['hidraw0', 'hidraw1'] }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'hidraw-udev-rule-missing' });
    expect(problems[0]?.fix).toContain('sudo tee /etc/udev/rules.d/70-kiosk-devices.rules');
    expect(problems[0]?.fix).toContain('udevadm trigger');
    expect(problems[0]?.message).toContain('/dev/hidraw0, /dev/hidraw1');
  });

  it('hidraw with an existing rule is reported as a permission problem', async () => {
    const files = { '/etc/udev/rules.d/50-scanner.rules': 'SUBSYSTEM=="hidraw", MODE="0666"' };
    expect(await codes(host({ running: ['pcscd'], dev: ['hidraw0'], files }))).toEqual(['hidraw-permission']);
  });

  it('root needs no permission fixes', async () => {
    expect(await codes(host({ running: ['pcscd'], uid: () => 0, dev: ['ttyUSB0', 'hidraw0'] }))).toEqual([]);
  });

  it('flags ModemManager with CDC ports present, and brltty', async () => {
    expect(
      await codes(host({ running: ['pcscd', 'ModemManager'], canReadWrite: () => true, dev: ['ttyACM0'] })),
    ).toEqual(['modemmanager-probes-serial']);
    expect(await codes(host({ running: ['pcscd', 'ModemManager'], canReadWrite: () => true, dev: [] }))).toEqual([]);
    expect(await codes(host({ running: ['pcscd', 'brltty'], canReadWrite: () => true }))).toEqual([
      'brltty-claims-serial',
    ]);
  });
});

describe('udevRules', () => {
  it('lists every HID-capable scanner vendor of the catalogue once', () => {
    const rules = udevRules();
    for (const vid of ['0c2e', '05e0', '05f9', '1eab']) expect(rules).toContain(`ATTRS{idVendor}=="${vid}"`);
    expect(rules.match(/0c2e", MODE/gu)).toHaveLength(1);
  });
});
