/** Agent configuration from the environment, validated once at start; a bad variable is named. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { commaList } from '@kiosk/protocol';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const agentConfigSchema = z.object({
  /** The kiosk UI gateway listens on loopback only, on this port. */
  AGENT_PORT: z.coerce.number().int().min(0).max(65535).default(8731),
  SERVER_URL: z.string().url().default('http://127.0.0.1:8080'),
  /**
   * PEM file of the certificate authority (or authorities) that signed the server's TLS certificate
   * (an https SERVER_URL; deploy/README.md). Set, it is the only trust: a certificate from any other
   * CA is refused. Unset: the system's trusted CAs.
   */
  SERVER_CA_FILE: z.string().min(1).optional(),
  /** One-time pairing code used when no credential is stored yet. */
  PAIRING_CODE: z
    .string()
    .regex(/^[A-Z0-9]{8,32}$/u)
    .optional(),
  AGENT_NAME: z.string().min(1).max(64).default('kiosk-1'),
  AGENT_DATA_DIR: z.string().default(path.join(repoRoot, 'data', 'agent')),
  /** `simulated`: every device is simulated (demo, tests); `hardware`: discover real devices. */
  DEVICES: z.enum(['simulated', 'hardware']).default('simulated'),
  /** Production refuses the simulator control namespace. */
  AGENT_MODE: z.enum(['development', 'production']).default('development'),
  /** Origins allowed to open the kiosk UI socket (comma-separated). */
  ALLOWED_ORIGINS: commaList('http://127.0.0.1:8080,http://localhost:8080,http://127.0.0.1:8731,http://localhost:8731'),
  PRINTER_PROFILE: z.string().default('simulated.printer-80'),
  /**
   * Simulated mode: the card reader's profile. The default is the plainest reader (no optics: the
   * key comes from the CCCD QR or staff); `simulated.card-reader-mrz` reads the printed MRZ too.
   */
  READER_PROFILE: z.string().default('simulated.card-reader'),
  /**
   * The card payment terminal's ECR link: `serial:/dev/ttyUSB0`, `tcp:HOST:PORT`, `simulated` (the
   * simulator's terminal) or `none`, the default in both modes: the plainest kiosk has no terminal,
   * and a simulated kiosk with one is asked for (`CARD_TERMINAL=simulated`).
   */
  CARD_TERMINAL: z
    .string()
    .regex(/^(none|simulated|serial:\/.+|tcp:[^:]+:\d{1,5})$/u)
    .optional(),
  /** The terminal's profile; default the generic serial or TCP ECR terminal, or the simulated one. */
  CARD_TERMINAL_PROFILE: z.string().optional(),
  /** Overrides the profile's time a patient has at the terminal (tests, a slow site). */
  CARD_TERMINAL_SALE_TIMEOUT_MS: z.coerce.number().int().positive().optional(),
  /** How often an unready terminal is asked its STATUS again (and an unsettled sale recovered). */
  CARD_TERMINAL_CHECK_MS: z.coerce.number().int().positive().default(5000),
  /** Repeated scans of the same code within this window are suppressed. */
  SCAN_DUPLICATE_WINDOW_MS: z.coerce.number().int().min(0).default(2000),
  HEARTBEAT_INTERVAL_MS: z.coerce.number().int().positive().default(10_000),
  /** Hardware mode: how often discovery re-lists devices (hot-plug is noticed within about twice this). */
  DISCOVERY_INTERVAL_MS: z.coerce.number().int().min(100).max(10_000).default(1000),
  /**
   * Folder of CSCA certificates (PEM or DER files) for passive authentication of chip data. Empty or
   * unset: reads report 'no-trust-anchor' (the data matches its signature, the signer is not checked).
   */
  TRUST_STORE_DIR: z.string().optional(),
  /**
   * Simulated mode: the simulated cards' own CSCA is trusted from the start. `false` makes the
   * simulated kiosk depend on its trust store (the folder and what the server pushes) as a real one does.
   */
  SIMULATED_CSCA_TRUSTED: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  /** The agent forgets the session (QR key, staff key) after this long without a scan, card or command. */
  SESSION_IDLE_MS: z.coerce.number().int().positive().default(180_000),
  /** Facts kept on disk for the server while it is unreachable; past this the oldest go first. */
  OUTBOX_MAX_ITEMS: z.coerce.number().int().min(10).max(100_000).default(2000),
  /**
   * Offline check-in: how long a check-in waits for the server before the kiosk issues the ticket
   * from its lease (0 turns offline check-in off: the patient goes to the counter as before).
   */
  OFFLINE_AFTER_MS: z.coerce.number().int().min(0).max(60_000).default(1500),
  /** Offline check-ins per replay request once the server is back. */
  OFFLINE_REPLAY_BATCH: z.coerce.number().int().min(1).max(200).default(100),
  /** How long a check-in may wait for the server before the patient is sent to the counter. */
  SERVER_TIMEOUT_MS: z.coerce.number().int().positive().default(8_000),
  /** Kiosk page commands: each socket's token bucket (burst, then per second) and commands running at once. */
  UI_RATE_BURST: z.coerce.number().int().min(1).max(1_000_000).default(50),
  UI_RATE_PER_SECOND: z.coerce.number().positive().max(1_000_000).default(20),
  UI_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(10_000).default(8),
  /** A kiosk page socket refused this many commands in a row is disconnected. */
  UI_FLOOD_DISCONNECT_AFTER: z.coerce.number().int().min(1).max(10_000_000).default(200),
  /**
   * The simulator's control namespace (/sim, demo and tests only): the same kinds of limits, wider
   * (a test drives devices faster than a patient), so a runaway script cannot flood the agent.
   */
  SIM_RATE_BURST: z.coerce.number().int().min(1).max(1_000_000).default(200),
  SIM_RATE_PER_SECOND: z.coerce.number().positive().max(1_000_000).default(100),
  SIM_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(10_000).default(16),
  /**
   * PEM of the Ed25519 public key software bundles must be signed with. Unset: the kiosk refuses
   * every update (docs/deployment.md, "Software rollout").
   */
  UPDATE_PUBLIC_KEY_FILE: z.string().min(1).optional(),
  /** Set by the launcher (bin/kiosk-agent-launcher.mjs): its releases folder. Unset: no rollout here. */
  AGENT_RELEASES_DIR: z.string().min(1).optional(),
  /** Set by the launcher to the running bundle's version. */
  AGENT_VERSION: z.string().min(1).max(32).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type AgentConfig = z.infer<typeof agentConfigSchema>;

export function loadAgentConfig(env: Record<string, string | undefined> = process.env): AgentConfig {
  const parsed = agentConfigSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid agent configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
