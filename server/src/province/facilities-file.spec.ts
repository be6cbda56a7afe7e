import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { facilitiesFileSchema, facilityPlans, hostNameOf, readFacilitiesFile } from './facilities-file';

const valid = () => ({
  province: {
    name: 'Sở Y tế Thành phố Cần Thơ',
    hosts: ['soyte.cantho.vn'],
    databaseUrl: 'sqlite:/var/lib/kiosk/province.sqlite',
  },
  defaults: { LOG_LEVEL: 'warn', OUTBOX_POLL_MS: '1000' },
  facilities: [
    {
      code: 'bvdk-cantho',
      name: 'Bệnh viện Đa khoa Thành phố Cần Thơ',
      hosts: ['Kiosk.BVDK.cantho.vn'],
      settings: {
        DATABASE_URL: 'sqlite:/var/lib/kiosk/bvdk.sqlite',
        FACILITY_CODE: '92001',
        EMR_MODE: 'fhir',
        FHIR_BASE_URL: 'https://emr.bvdk.example.vn/fhir/R4',
      },
    },
    {
      code: 'bvnhi-cantho',
      name: 'Bệnh viện Nhi đồng Cần Thơ',
      hosts: ['kiosk.bvnhi.cantho.vn'],
      settings: {
        DATABASE_URL: 'postgres://kiosk@db.cantho.vn/kiosk_bvnhi',
        FACILITY_CODE: '92002',
        OUTBOX_POLL_MS: '250',
      },
    },
  ],
});
const issuesOf = (file: unknown) => {
  const r = facilitiesFileSchema.safeParse(file);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('the facilities file', () => {
  it('accepts a province with its facilities, host names in lower case', () => {
    const file = facilitiesFileSchema.parse(valid());
    expect(file.facilities.map((f) => f.hosts)).toEqual([['kiosk.bvdk.cantho.vn'], ['kiosk.bvnhi.cantho.vn']]);
  });

  it('gives each facility its own database, name and settings over the shared defaults and the environment', () => {
    const plans = facilityPlans(facilitiesFileSchema.parse(valid()), {
      DATABASE_URL: 'sqlite:/shared.sqlite',
      BOOTSTRAP_PAIRING_CODE: 'SHAREDCODE12',
      HOSPITAL_ACCENT_COLOR: '#0a7f5a',
    });
    const [a, b] = plans.map((p) => p.config);
    expect([a?.DATABASE_URL, b?.DATABASE_URL]).toEqual([
      'sqlite:/var/lib/kiosk/bvdk.sqlite',
      'postgres://kiosk@db.cantho.vn/kiosk_bvnhi',
    ]);
    expect([a?.HOSPITAL_NAME, b?.HOSPITAL_NAME]).toEqual([
      'Bệnh viện Đa khoa Thành phố Cần Thơ',
      'Bệnh viện Nhi đồng Cần Thơ',
    ]);
    expect([a?.FACILITY_CODE, b?.FACILITY_CODE]).toEqual(['92001', '92002']);
    expect([a?.EMR_MODE, b?.EMR_MODE]).toEqual(['fhir', 'local']);
    // The facility's own setting wins over the defaults, which win over the environment.
    expect([a?.OUTBOX_POLL_MS, b?.OUTBOX_POLL_MS]).toEqual([1000, 250]);
    expect([a?.LOG_LEVEL, a?.HOSPITAL_ACCENT_COLOR]).toEqual(['warn', '#0a7f5a']);
    // SQLite backups each in a folder of their own: beside the file, or under the shared folder.
    expect([a?.BACKUP_DIR, b?.BACKUP_DIR]).toEqual(['/var/lib/kiosk/backups/bvdk-cantho', undefined]);
    const shared = facilityPlans(facilitiesFileSchema.parse({ ...valid(), defaults: { BACKUP_DIR: '/srv/backups' } }));
    expect(shared[0]?.config.BACKUP_DIR).toBe('/srv/backups/bvdk-cantho');
    // Never inherited: the process's own start-up pairing code.
    expect([a?.BOOTSTRAP_PAIRING_CODE, b?.BOOTSTRAP_PAIRING_CODE]).toEqual([undefined, undefined]);
  });

  it('refuses a facility without its own database, or sharing one', () => {
    const missing = valid();
    delete (missing.facilities[0]!.settings as Record<string, string | undefined>)['DATABASE_URL'];
    expect(issuesOf(missing)).toEqual([
      'facilities.0.settings: DATABASE_URL is required: every facility has its own database',
    ]);
    const shared = valid();
    shared.facilities[1]!.settings.DATABASE_URL = shared.facilities[0]!.settings.DATABASE_URL;
    expect(issuesOf(shared)).toEqual([
      'facilities.1.settings.DATABASE_URL: the same database as bvdk-cantho: each facility has its own',
    ]);
    const province = valid();
    province.province.databaseUrl = province.facilities[0]!.settings.DATABASE_URL;
    expect(issuesOf(province)).toEqual([
      'facilities.0.settings.DATABASE_URL: the same database as the province: each facility has its own',
    ]);
  });

  it('refuses a code declared twice and a host served twice (the province counts)', () => {
    const twice = valid();
    twice.facilities[1]!.code = 'bvdk-cantho';
    expect(issuesOf(twice)).toEqual(['facilities.1.code: bvdk-cantho is declared twice']);
    const host = valid();
    host.facilities[1]!.hosts = ['KIOSK.bvdk.cantho.vn'];
    expect(issuesOf(host)).toEqual(['facilities.1.hosts: kiosk.bvdk.cantho.vn already serves bvdk-cantho']);
    const provinceHost = valid();
    provinceHost.facilities[0]!.hosts = ['soyte.cantho.vn'];
    expect(issuesOf(provinceHost)).toEqual(['facilities.0.hosts: soyte.cantho.vn already serves the province']);
  });

  it('refuses malformed codes, hosts, setting names and unknown keys', () => {
    const bad = valid() as ReturnType<typeof valid> & { extra?: boolean };
    bad.facilities[0]!.code = 'bv đa khoa';
    bad.facilities[1]!.hosts = ['https://kiosk.bvnhi.cantho.vn:443'];
    (bad.defaults as Record<string, string>)['log_level'] = 'info';
    bad.extra = true;
    expect(issuesOf(bad).map((i) => i.split(':')[0])).toEqual([
      'defaults.log_level',
      'facilities.0.code',
      'facilities.1.hosts.0',
      '',
    ]);
    expect(issuesOf({ ...valid(), facilities: [] })).toHaveLength(1);
  });

  it("names the facility and the setting when a facility's configuration is invalid", () => {
    const file = valid();
    file.facilities[1]!.settings.FACILITY_CODE = 'not a code';
    expect(() => facilityPlans(facilitiesFileSchema.parse(file))).toThrow(
      /facility bvnhi-cantho:[\s\S]*FACILITY_CODE/u,
    );
  });

  it('reads the file and names it in every error', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facilities-'));
    try {
      const good = path.join(dir, 'facilities.json');
      fs.writeFileSync(good, JSON.stringify(valid()));
      expect(readFacilitiesFile(good).facilities).toHaveLength(2);
      const broken = path.join(dir, 'broken.json');
      fs.writeFileSync(broken, '{ "province": ');
      expect(() => readFacilitiesFile(broken)).toThrow(/broken\.json: not readable JSON/u);
      const invalid = path.join(dir, 'invalid.json');
      fs.writeFileSync(invalid, JSON.stringify({ ...valid(), facilities: [] }));
      expect(() => readFacilitiesFile(invalid)).toThrow(/invalid\.json:\n {2}facilities:/u);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads the host name of a Host header: lower case, without the port', () => {
    expect(hostNameOf('Kiosk.BVDK.cantho.vn:8443')).toBe('kiosk.bvdk.cantho.vn');
    expect(hostNameOf('kiosk.bvdk.cantho.vn')).toBe('kiosk.bvdk.cantho.vn');
    expect(hostNameOf('[::1]:8080')).toBe('[::1]');
    expect(hostNameOf(undefined)).toBeUndefined();
    expect(hostNameOf('')).toBeUndefined();
  });
});
