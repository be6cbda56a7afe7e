/** Configuration from the environment, validated once at start; a bad variable is named in the error. */
import { z } from 'zod';
import { commaList, envFlag, priorityClassSchema } from '@kiosk/protocol';
import { integrationConfigShape } from './integrations/integration.config';
import { ticketStatusConfigShape } from './integrations/notify.config';
import os from 'node:os';
import { parseDataKeys } from './repositories/column-cipher';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Loopback unless set: a server on the network is a decision (HOST=0.0.0.0 or an interface address). */
  HOST: z.string().default('127.0.0.1'),
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
  /** The hospital's colour on the kiosk page (`#rrggbb`; the page darkens it to 7:1 if needed). */
  HOSPITAL_ACCENT_COLOR: z
    .string()
    .regex(/^(#[0-9a-fA-F]{6})?$/u)
    .default(''),
  /** The loopback port of the kiosks' device agents, told to the kiosk page (else it tries 8731). */
  KIOSK_AGENT_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /** Static pages (the built kiosk-ui). */
  UI_DIST: z.string().default(path.join(repoRoot, 'kiosk-ui', 'dist')),
  /** Seed the demo hospital and demo staff logins on an empty database. */
  DEMO: envFlag(),
  /**
   * Many facilities on one deployment: the JSON file of the province's facilities, each on its own
   * database and host names (server/src/province/facilities-file.ts, docs/deployment.md). Unset:
   * this server is one facility.
   */
  FACILITIES_FILE: z.string().min(1).optional(),
  /** A single-use pairing code accepted once at start (the demo enrolls its own kiosk with it). */
  BOOTSTRAP_PAIRING_CODE: z
    .string()
    .regex(/^[A-Z0-9]{8,32}$/u)
    .optional(),
  /** Priority interleave: this many priority calls, then one normal call, while both wait. */
  PRIORITY_RATIO: z.coerce.number().int().min(1).max(10).default(2),
  /** Classes called as priority, in rank order; a class left out is called as normal. Empty: no priority. */
  PRIORITY_CLASSES: commaList('child-under-6,elderly-75,pregnant,disability,meritorious').pipe(
    z.array(priorityClassSchema.exclude(['normal'])),
  ),
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
  /** BHYT gateway answers are kept this long (at most as long as their visit). */
  RETENTION_INSURANCE_CHECK_DAYS: z.coerce.number().int().min(1).max(36_500).default(90),
  /** Delivered EMR messages (their payloads hold personal data) are kept this long after delivery. */
  RETENTION_EMR_DELIVERED_DAYS: z.coerce.number().int().min(1).max(36_500).default(30),
  /** The audit log of record reads and admin actions. */
  RETENTION_AUDIT_DAYS: z.coerce.number().int().min(1).max(36_500).default(1825),
  /** Closed breach-log entries. */
  RETENTION_BREACH_DAYS: z.coerce.number().int().min(1).max(36_500).default(1825),
  /** An erasure request keeps the Decision 4750 check-in records (required for BHYT settlement). */
  ERASURE_KEEPS_CHECKIN_RECORDS: z
    .enum(['0', '1', 'true', 'false'])
    .default('1')
    .transform((v) => v === '1' || v === 'true'),
  /** How often the purge job runs; 0 disables the timer (the admin route still purges). */
  RETENTION_PURGE_INTERVAL_MINUTES: z.coerce.number().int().min(0).max(10_080).default(60),
  /** A kiosk silent for longer than this raises 'kiosk-offline'. */
  KIOSK_OFFLINE_AFTER_SECONDS: z.coerce.number().int().min(5).max(86_400).default(60),
  /** Offline check-in: numbers per lease block a kiosk is granted per service, and the count left that asks for a new block. */
  OFFLINE_LEASE_BLOCK: z.coerce.number().int().min(1).max(5000).default(30),
  OFFLINE_LEASE_LOW_WATER: z.coerce.number().int().min(0).max(5000).default(10),
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
  /** Failed logins per account within LOGIN_WINDOW_MINUTES before the account is locked until the window ends. */
  LOGIN_MAX_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).max(1000).default(5),
  /** Failed logins from one address within the window before that address is locked. */
  LOGIN_MAX_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).max(1_000_000).default(20),
  /** Failed logins across the server within the window before every login pauses (distributed guessing). */
  LOGIN_MAX_FAILURES_OVERALL: z.coerce.number().int().min(1).max(1_000_000).default(200),
  LOGIN_WINDOW_MINUTES: z.coerce.number().positive().max(1440).default(15),
  /** Accounts and addresses whose failures are remembered (each); the least recently failed go first. */
  LOGIN_TRACKED_KEYS: z.coerce.number().int().min(10).max(1_000_000).default(10_000),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** Socket commands: each socket's token bucket (burst, then per second) … */
  SOCKET_RATE_BURST: z.coerce.number().int().min(1).max(1_000_000).default(100),
  SOCKET_RATE_PER_SECOND: z.coerce.number().positive().max(1_000_000).default(50),
  /** … each session's (a staff session, a kiosk agent), shared by its sockets … */
  SESSION_RATE_BURST: z.coerce.number().int().min(1).max(1_000_000).default(200),
  SESSION_RATE_PER_SECOND: z.coerce.number().positive().max(1_000_000).default(100),
  /** … and the commands one socket may have running at once. Past any: 'rate-limited'. */
  SOCKET_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(100_000).default(32),
  /** A socket refused this many commands in a row ignores 'rate-limited': it is disconnected. */
  SOCKET_FLOOD_DISCONNECT_AFTER: z.coerce.number().int().min(1).max(10_000_000).default(200),
  /** HTTP, per route group (the route's tag): each session's bucket … */
  HTTP_RATE_BURST: z.coerce.number().int().min(1).max(1_000_000).default(200),
  HTTP_RATE_PER_SECOND: z.coerce.number().positive().max(1_000_000).default(100),
  /** … and each client address's (several staff may share one), with or without a session. */
  HTTP_ADDRESS_RATE_BURST: z.coerce.number().int().min(1).max(1_000_000).default(1000),
  HTTP_ADDRESS_RATE_PER_SECOND: z.coerce.number().positive().max(1_000_000).default(500),
  /** Sessions and addresses whose buckets are remembered (each kind); idle ones are forgotten first. */
  RATE_LIMIT_MAX_KEYS: z.coerce.number().int().min(10).max(10_000_000).default(10_000),
  /**
   * Browser origins (scheme://host:port, comma-separated) allowed to change state over HTTP and to
   * open sockets, besides the server's own origin. Empty: same origin only.
   */
  ALLOWED_ORIGINS: commaList().pipe(
    z.array(z.string().regex(/^https?:\/\/[^/\s]+$/u, 'expected scheme://host[:port]')),
  ),
  /**
   * Reverse proxies whose X-Forwarded-For/-Proto are believed (comma-separated addresses or CIDRs).
   * Empty: none; the client address is the socket's.
   */
  TRUST_PROXY: commaList(),
  /**
   * Column encryption keys, `id:base64` (32 random bytes each), comma-separated: ID numbers, names
   * and addresses are sealed with AES-256-GCM at rest. Every listed key opens; DATA_KEY_ID (default:
   * the last) seals. See docs/key-rotation.md.
   */
  DATA_KEYS: z.string().optional(),
  DATA_KEY_ID: z.string().optional(),
  /** `auto`: on in production (keys required), on in the demo only when DATA_KEYS is set. */
  DATA_ENCRYPTION: z.enum(['auto', 'on', 'off']).default('auto'),
  /** The server is reached over HTTPS (terminated here or at a proxy): send HSTS on every answer. */
  TLS: envFlag(),
  /** EMR link, delivery outbox, BHYT gateway, Decision 4750 record: see integrations/integration.config.ts. */
  ...integrationConfigShape,
  /** The hospital's bank account fees are paid to by VietQR: NAPAS BIN, account, names for the screen. */
  PAYMENT_BANK_BIN: z
    .string()
    .regex(/^\d{6}$/u)
    .default('970436'),
  PAYMENT_ACCOUNT_NUMBER: z
    .string()
    .regex(/^[0-9A-Za-z]{1,19}$/u)
    .default('0071000000001'),
  PAYMENT_ACCOUNT_NAME: z.string().max(80).default('BENH VIEN DA KHOA TP CAN THO'),
  PAYMENT_BANK_NAME: z.string().max(80).default('Vietcombank'),
  /** A VietQR not paid within this sends the patient to the cashier. */
  PAYMENT_TIMEOUT_MINUTES: z.coerce.number().positive().max(120).default(5),
  /** How often pending payments are checked for expiry. */
  PAYMENT_SWEEP_INTERVAL_MS: z.coerce.number().int().min(50).max(600_000).default(1000),
  /** Comma-separated secrets the bank signs notifications with; empty: the webhook refuses all. */
  BANK_WEBHOOK_SECRETS: commaList().pipe(z.array(z.string().min(16, 'each secret at least 16 characters'))),
  /** The bank's statement API (the webhook's fallback); unset: not read. */
  BANK_STATEMENT_URL: z.string().url().optional(),
  /** How often the statement is read (a failed read backs off from this up to 5 minutes). */
  BANK_STATEMENT_INTERVAL_MS: z.coerce.number().int().min(50).max(3_600_000).default(30_000),
  /** The bank's OAuth2 token endpoint and client credentials for the statement API. */
  BANK_STATEMENT_TOKEN_URL: z.string().url().optional(),
  BANK_STATEMENT_CLIENT_ID: z.string().max(200).optional(),
  BANK_STATEMENT_CLIENT_SECRET: z.string().max(500).optional(),
  BANK_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  BANK_STATEMENT_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).default(200),
  /** A first read (no cursor stored yet) starts this far back. */
  BANK_STATEMENT_LOOKBACK_HOURS: z.coerce.number().positive().max(720).default(24),
  /** Booked patients arriving this many minutes before their time or less are on time (earlier: early). */
  APPOINTMENT_EARLY_MINUTES: z.coerce.number().int().min(0).max(240).default(30),
  /** … and up to this many minutes after it (later: late, the normal queue). */
  APPOINTMENT_LATE_MINUTES: z.coerce.number().int().min(0).max(240).default(15),
  /**
   * When the day's outpatient session ends (facility time, HH:MM): the day's bookings nobody came
   * for become no-shows (and are reported to the EMR) without anyone pressing "close the day".
   * Days left open while the server was down are closed when it starts. `off`: only by hand.
   */
  APPOINTMENTS_CLOSE_AT: z
    .string()
    .regex(/^(off|([01]\d|2[0-3]):[0-5]\d)$/u, 'HH:MM (24-hour) or off')
    .default('17:00'),
  /** How often the server looks whether a session has ended. */
  APPOINTMENTS_CLOSE_CHECK_MS: z.coerce.number().int().min(50).max(600_000).default(60_000),
  /** How far a notification's signed timestamp may be from the server's clock. */
  BANK_SIGNATURE_TOLERANCE_SECONDS: z.coerce.number().int().min(1).max(3600).default(300),
  ...ticketStatusConfigShape,
});
export type Config = z.infer<typeof configSchema>;

/** Production (NODE_ENV=production) refuses what only a demo may have. */
const productionRules = (c: Config, issue: (path: string, message: string) => void) => {
  if (c.NODE_ENV !== 'production') return;
  if (c.DEMO) issue('DEMO', 'the demo accounts and their published passwords are refused in production');
  if (c.DATA_ENCRYPTION === 'off') issue('DATA_ENCRYPTION', 'personal data is encrypted at rest in production');
  if (c.BOOTSTRAP_PAIRING_CODE)
    issue('BOOTSTRAP_PAIRING_CODE', 'enroll kiosks with codes from the admin page in production');
};

/** Whether columns are sealed, and with which keys (checked at start; a bad key is named). */
export function encryptionKeysOf(c: Config): { id: string; key: Buffer }[] {
  const on =
    c.DATA_ENCRYPTION === 'on' || (c.DATA_ENCRYPTION === 'auto' && (c.NODE_ENV === 'production' || !!c.DATA_KEYS));
  if (!on) return [];
  if (!c.DATA_KEYS) throw new Error('DATA_KEYS: required when personal data is encrypted at rest');
  return parseDataKeys(c.DATA_KEYS);
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = configSchema.safeParse(env);
  const lines = parsed.success ? [] : parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
  if (parsed.success) productionRules(parsed.data, (where, message) => lines.push(`  ${where}: ${message}`));
  if (parsed.success && lines.length === 0)
    try {
      encryptionKeysOf(parsed.data);
    } catch (e) {
      lines.push(`  ${(e as Error).message}`);
    }
  if (!parsed.success || lines.length > 0) throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  return parsed.data;
}
