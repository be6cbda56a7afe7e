/** Configuration from the environment, validated once at start; a bad variable is named in the error. */
import { z } from 'zod';
import { priorityClassSchema } from '@kiosk/protocol';
import { integrationConfigShape } from './integrations/integration.config';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const boolish = z
  .enum(['0', '1', 'true', 'false', ''])
  .optional()
  .transform((v) => v === '1' || v === 'true');

export const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  /** `sqlite:<file>` (default, under ./data) or a `postgres://` URL. */
  DATABASE_URL: z
    .string()
    .default(`sqlite:${path.join(repoRoot, 'data', 'kiosk.sqlite')}`)
    .refine((v) => /^(sqlite:|postgres(ql)?:\/\/)/u.test(v), 'must start with sqlite: or postgres://'),
  /** SQLite page cache. */
  SQLITE_CACHE_MB: z.coerce.number().min(2).max(4096).default(64),
  /**
   * PostgreSQL connections per server instance (the realtime fan-out uses 2 more, /readyz 1). A
   * check-in holds one for a single statement, so twice the cores keeps the database busy without
   * a queue of backends fighting over them.
   */
  PG_POOL_MAX: z.coerce
    .number()
    .int()
    .min(2)
    .max(200)
    .default(Math.max(4, 2 * os.availableParallelism())),
  /** Hospital-local time zone for the daily number series. */
  FACILITY_TIME_ZONE: z.string().default('Asia/Ho_Chi_Minh'),
  HOSPITAL_NAME: z.string().default('Bệnh viện Đa khoa Thành phố Cần Thơ'),
  /** Static pages (the built kiosk-ui). */
  UI_DIST: z.string().default(path.join(repoRoot, 'kiosk-ui', 'dist')),
  /** Seed the demo hospital and demo staff logins on an empty database. */
  DEMO: boolish,
  /** A single-use pairing code accepted once at start (the demo enrolls its own kiosk with it). */
  BOOTSTRAP_PAIRING_CODE: z
    .string()
    .regex(/^[A-Z0-9]{8,32}$/u)
    .optional(),
  /** Priority interleave: this many priority calls, then one normal call, while both wait. */
  PRIORITY_RATIO: z.coerce.number().int().min(1).max(10).default(2),
  /** Classes called as priority, in rank order; a class left out is called as normal. Empty: no priority. */
  PRIORITY_CLASSES: z
    .string()
    .default('child-under-6,elderly-75,pregnant,disability,meritorious')
    .transform((v) =>
      v
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean),
    )
    .pipe(z.array(priorityClassSchema.exclude(['normal']))),
  /** `fifo`: priority tickets in issue order; `ranked`: by PRIORITY_CLASSES rank, then issue order. */
  PRIORITY_ORDERING: z.enum(['fifo', 'ranked']).default('fifo'),
  /** A called patient who misses this many calls becomes a no-show. */
  NO_SHOW_AFTER_SKIPS: z.coerce.number().int().min(1).max(10).default(3),
  /** The pace assumed for a service with no recent calls, for wait estimates. */
  DEFAULT_SERVICE_MINUTES: z.coerce.number().positive().max(240).default(5),
  /** Version of the privacy notice shown before identification; stored with every consent event. */
  PRIVACY_NOTICE_VERSION: z.string().min(1).max(32).default('2026-01'),
  /** Patients and visits older than this are purged (daily KPIs are kept); admins can change it at run time. */
  RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(180),
  /** How often the purge job runs; 0 disables the timer (the admin route still purges). */
  RETENTION_PURGE_INTERVAL_MINUTES: z.coerce.number().int().min(0).max(10_080).default(60),
  /** A kiosk silent for longer than this raises 'kiosk-offline'. */
  KIOSK_OFFLINE_AFTER_SECONDS: z.coerce.number().int().min(5).max(86_400).default(60),
  /** How often the offline sweep runs. */
  ALERT_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  /** SQLite: where scheduled online backups go (default: `backups` beside the database file). */
  BACKUP_DIR: z.string().min(1).optional(),
  /** SQLite: minutes between backups; 0 turns the schedule off. */
  BACKUP_INTERVAL_MINUTES: z.coerce.number().int().min(0).max(10_080).default(60),
  /** SQLite: how many backups are kept (the oldest go first). */
  BACKUP_KEEP: z.coerce.number().int().min(1).max(10_000).default(48),
  /** Bearer token a Prometheus scraper may present for GET /metrics (admins may always read it). */
  METRICS_TOKEN: z.string().min(16).max(256).optional(),
  /** Check-ins arriving together share one transaction and one durable commit. `auto`: on for SQLite. */
  GROUP_COMMIT: z.enum(['auto', 'on', 'off']).default('auto'),
  /** How long the first check-in of a batch waits for company. */
  GROUP_COMMIT_WINDOW_MS: z.coerce.number().min(0).max(20).default(1),
  GROUP_COMMIT_MAX_BATCH: z.coerce.number().int().min(1).max(1000).default(64),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_TTL_HOURS: z.coerce.number().positive().default(12),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** EMR link, delivery outbox, BHYT gateway, Decision 4750 record: see integrations/integration.config.ts. */
  ...integrationConfigShape,
});
export type Config = z.infer<typeof configSchema>;

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
