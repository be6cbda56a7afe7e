/**
 * The facilities file (FACILITIES_FILE): which hospitals this deployment serves, the host names
 * each answers on, and each one's own configuration — its database, hospital name, EMR endpoint,
 * BHYT gateway and portal credentials — over defaults shared by all. The province (or hospital
 * group) overview has its own hosts and its own database. Validated whole at start and at each
 * reload (SIGHUP, the province's reload route): a bad file is refused with the facility and the
 * setting named.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { facilityCodeSchema } from '@kiosk/protocol';
import { loadConfig, type Config } from '../config';

/** A host name as the `Host` header names it, without a port; compared in lower case. */
const hostSchema = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/u, 'a host name without port or scheme')
  .transform((h) => h.toLowerCase());

/** Settings as environment variables (the same names and rules as a single server's). */
const settingsSchema = z.record(z.string().regex(/^[A-Z][A-Z0-9_]*$/u, 'an upper-case setting name'), z.string());

const facilitySchema = z
  .object({
    code: facilityCodeSchema,
    name: z.string().min(1).max(200),
    hosts: z.array(hostSchema).min(1),
    /** This facility's own settings: DATABASE_URL (required), EMR, BHYT, portal, … */
    settings: settingsSchema.refine((s) => typeof s['DATABASE_URL'] === 'string', {
      message: 'DATABASE_URL is required: every facility has its own database',
    }),
  })
  .strict();

export const facilitiesFileSchema = z
  .object({
    province: z
      .object({
        name: z.string().min(1).max(200),
        hosts: z.array(hostSchema).min(1),
        /** The province's own database: its accounts and its audit log, nothing of any facility. */
        databaseUrl: z.string().refine((v) => /^(sqlite:|postgres(ql)?:\/\/)/u.test(v), 'sqlite: or postgres://'),
        /** Creates this province admin on an empty province database (first start only). */
        bootstrapAdmin: z
          .object({ username: z.string().min(1).max(64), password: z.string().min(12).max(256) })
          .strict()
          .optional(),
      })
      .strict(),
    /** Settings every facility starts from (its own settings win). */
    defaults: settingsSchema.default({}),
    facilities: z.array(facilitySchema).min(1),
  })
  .strict()
  .superRefine((file, ctx) => {
    const seenCodes = new Set<string>();
    const seenHosts = new Map<string, string>();
    const seenDatabases = new Map<string, string>();
    for (const h of file.province.hosts) seenHosts.set(h, 'the province');
    seenDatabases.set(file.province.databaseUrl, 'the province');
    file.facilities.forEach((f, i) => {
      if (seenCodes.has(f.code))
        ctx.addIssue({ code: 'custom', path: ['facilities', i, 'code'], message: `${f.code} is declared twice` });
      seenCodes.add(f.code);
      for (const h of f.hosts) {
        const owner = seenHosts.get(h);
        if (owner)
          ctx.addIssue({ code: 'custom', path: ['facilities', i, 'hosts'], message: `${h} already serves ${owner}` });
        seenHosts.set(h, f.code);
      }
      const url = f.settings['DATABASE_URL'] ?? '';
      const sharing = seenDatabases.get(url);
      if (sharing)
        ctx.addIssue({
          code: 'custom',
          path: ['facilities', i, 'settings', 'DATABASE_URL'],
          message: `the same database as ${sharing}: each facility has its own`,
        });
      seenDatabases.set(url, f.code);
    });
  });
export type FacilitiesFile = z.infer<typeof facilitiesFileSchema>;

export interface FacilityPlan {
  code: string;
  name: string;
  hosts: string[];
  config: Config;
}

/**
 * Each facility's configuration: the base environment (the process's, minus what must be the
 * facility's own), then the file's defaults, then the facility's settings; its name becomes
 * HOSPITAL_NAME unless it sets one itself; its SQLite backups go into a folder of its own
 * (`<BACKUP_DIR, or backups/ beside its file>/<code>`). (Its code routes and labels; the health-insurance
 * facility code stays the FACILITY_CODE setting.)
 */
export function facilityPlans(file: FacilitiesFile, base: Record<string, string | undefined> = {}): FacilityPlan[] {
  const shared = { ...base };
  // Never inherited: a facility names its own database and its own start-up pairing code.
  for (const own of ['DATABASE_URL', 'BOOTSTRAP_PAIRING_CODE', 'FACILITIES_FILE', 'PORT', 'HOST']) delete shared[own];
  return file.facilities.map((f) => {
    try {
      const config = loadConfig({
        ...shared,
        ...file.defaults,
        HOSPITAL_NAME: f.name,
        ...f.settings,
      });
      // Backups (SQLite) keep the newest N files of their folder: facilities never share one.
      if (!config.DATABASE_URL.startsWith('sqlite:')) return { code: f.code, name: f.name, hosts: f.hosts, config };
      const beside = path.join(path.dirname(path.resolve(config.DATABASE_URL.slice('sqlite:'.length))), 'backups');
      const backupDir = path.join(config.BACKUP_DIR ?? beside, f.code);
      return { code: f.code, name: f.name, hosts: f.hosts, config: { ...config, BACKUP_DIR: backupDir } };
    } catch (e) {
      throw new Error(`facility ${f.code}: ${(e as Error).message}`);
    }
  });
}

/** Reads and validates the file; the error names the file and each bad setting. */
export function readFacilitiesFile(file: string): FacilitiesFile {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`FACILITIES_FILE ${file}: not readable JSON (${(e as Error).message})`);
  }
  const parsed = facilitiesFileSchema.safeParse(json);
  if (!parsed.success)
    throw new Error(
      `FACILITIES_FILE ${file}:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`,
    );
  return parsed.data;
}

/** The host name of a `Host` header: lower case, without the port (IPv6 literals keep their brackets). */
export function hostNameOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1) || undefined;
  return h.split(':')[0] || undefined;
}
