/**
 * Kiosks managed remotely: restart, pushed configuration, diagnostics on demand, and signed
 * software bundles rolled out in stages. Server → agent commands live in `serverToAgentCommands`
 * (agent.events.ts); the admin's views and requests are here. No personal data anywhere: the
 * diagnostics carry device states, doctor findings and masked error lines only.
 */
import { z } from 'zod';
import { err, ok, type Result } from './result';

// ---- configuration --------------------------------------------------------------------------

export const remoteFeatureSchema = z.enum(['card-read', 'insurance-check', 'payments', 'appointments']);
export type RemoteFeature = z.infer<typeof remoteFeatureSchema>;

/**
 * What the admin page may set on a kiosk. Every field is optional: a revision names only what it
 * changes from the agent's own configuration. Languages are ISO 639-1 codes; the agent refuses
 * the ones its kiosk page has no text for.
 */
export const kioskRemoteConfigSchema = z
  .object({
    /** The kiosk forgets the patient after this long without a scan, card or command. */
    idleTimeoutSec: z.number().int().min(15).max(3600).optional(),
    languages: z
      .array(z.string().regex(/^[a-z]{2}$/u))
      .min(1)
      .max(8)
      .optional(),
    printer: z
      .object({
        /** A printer profile of the hardware catalogue (simulated kiosks; discovered printers keep theirs). */
        profileId: z.string().min(1).max(64).optional(),
      })
      .strict()
      .optional(),
    /** Each named feature on or off; unnamed ones stay as the agent has them. */
    features: z.partialRecord(remoteFeatureSchema, z.boolean()).optional(),
  })
  .strict();
export type KioskRemoteConfig = z.infer<typeof kioskRemoteConfigSchema>;

export const configApplyCommandSchema = z.object({
  revision: z.number().int().min(1),
  config: kioskRemoteConfigSchema,
});
export type ConfigApplyCommand = z.infer<typeof configApplyCommandSchema>;

/** One setting the agent did not apply, and why (a kebab-case code). */
export const configRefusalSchema = z.object({
  key: z.string().max(64),
  code: z.string().max(64),
  message: z.string().max(200),
});
export type ConfigRefusal = z.infer<typeof configRefusalSchema>;

/** The agent's answer to a revision: exactly what it applied and what it refused. */
export const configApplyReportSchema = z.object({
  revision: z.number().int().min(1),
  applied: z.array(z.string().max(64)).max(32),
  refused: z.array(configRefusalSchema).max(32),
  /** Some applied setting takes effect when the agent next starts. */
  restartNeeded: z.boolean(),
});
export type ConfigApplyReport = z.infer<typeof configApplyReportSchema>;

/** The admin's view of one kiosk's configuration: the latest revision and what the agent said of it. */
export interface KioskConfigState {
  revision: number;
  config: KioskRemoteConfig;
  createdAt: string;
  createdBy: string;
  /** Null while the agent has not acknowledged this revision (offline, or not yet answered). */
  report: ConfigApplyReport | null;
  acknowledgedAt: string | null;
}

// ---- restart and diagnostics ----------------------------------------------------------------

export const agentRestartCommandSchema = z.object({ reason: z.string().max(120).optional() });

/** One device fault the agent saw, newest last. */
export const deviceErrorSchema = z.object({
  at: z.string().max(40),
  deviceId: z.string().max(128),
  class: z.string().max(32),
  state: z.string().max(32),
  reason: z.string().max(200).optional(),
});
export type DeviceError = z.infer<typeof deviceErrorSchema>;

export const doctorFindingSchema = z.object({
  code: z.string().max(64),
  message: z.string().max(400),
  fix: z.string().max(400),
});

/** What `diagnostics:collect` answers: `kiosk-agent doctor`, device states and the last device errors. */
export const agentDiagnosticsSchema = z.object({
  collectedAt: z.string(),
  softwareVersion: z.string().max(32),
  uptimeSec: z.number().nonnegative(),
  platform: z.string().max(64),
  nodeVersion: z.string().max(32),
  devicesMode: z.string().max(16),
  serverLink: z.object({ state: z.string().max(16), pending: z.number().int(), dropped: z.number().int() }),
  doctor: z.array(doctorFindingSchema).max(64),
  devices: z
    .array(
      z.object({
        id: z.string(),
        class: z.string(),
        profileId: z.string(),
        state: z.string(),
        reason: z.string().optional(),
      }),
    )
    .max(64),
  recentErrors: z.array(deviceErrorSchema).max(100),
  configRevision: z.number().int().nullable(),
  rollout: z.lazy(() => launcherStateSchema.nullable()),
});
export type AgentDiagnostics = z.infer<typeof agentDiagnosticsSchema>;

// ---- software bundles and rollouts ----------------------------------------------------------

/** Release versions: digits and dots with an optional pre-release tag (`1.4.0`, `1.5.0-rc.1`). */
export const bundleVersionSchema = z
  .string()
  .min(1)
  .max(32)
  .regex(/^\d{1,6}\.\d{1,6}\.\d{1,6}(?:-[0-9A-Za-z.]{1,16})?$/u);

/** A path inside the bundle: relative, no `..`, no backslashes, no NUL. */
const bundlePathSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/u)
  .refine((p) => !p.split('/').some((part) => part === '..' || part === '.'), 'no . or .. segments');

/**
 * The signed description of an agent bundle. The Ed25519 signature covers the manifest's exact
 * bytes; the manifest names the tarball's SHA-256 and size, so the whole bundle is covered.
 */
export const bundleManifestSchema = z
  .object({
    format: z.literal(1),
    version: bundleVersionSchema,
    /** The file the launcher runs with node, relative to the unpacked bundle. */
    entry: bundlePathSchema,
    /** Run after the new version started: exits 0 when it is healthy (relative; optional). */
    healthCheck: bundlePathSchema.optional(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/u),
    sizeBytes: z
      .number()
      .int()
      .min(1)
      .max(512 * 1024 * 1024),
    createdAt: z.string().max(40),
  })
  .strict();
export type BundleManifest = z.infer<typeof bundleManifestSchema>;

/** Parses a manifest's text (untrusted: never throws). */
export function parseBundleManifest(text: unknown): Result<BundleManifest> {
  if (typeof text !== 'string') return err('bad-manifest', 'the manifest is not text');
  if (text.length > 8192) return err('bad-manifest', 'the manifest is too large');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return err('bad-manifest', 'the manifest is not JSON');
  }
  const parsed = bundleManifestSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'manifest';
    return err('bad-manifest', `${where}: ${issue?.message ?? 'invalid'}`.slice(0, 200));
  }
  return ok(parsed.data);
}

/** A bundle as uploaded by an admin and downloaded by an agent. */
export const bundleUploadSchema = z.object({
  /** The manifest's exact text (what the signature covers). */
  manifest: z.string().min(2).max(8192),
  /** Ed25519 signature of the manifest bytes, base64. */
  signature: z
    .string()
    .min(80)
    .max(100)
    .regex(/^[A-Za-z0-9+/]+=*$/u),
  /** The gzip tarball, base64. */
  tarball: z
    .string()
    .min(4)
    .max(700 * 1024 * 1024),
});
export type BundleUpload = z.infer<typeof bundleUploadSchema>;

export interface BundleInfo {
  version: string;
  sha256: string;
  sizeBytes: number;
  uploadedAt: string;
  uploadedBy: string;
}

export const rolloutStartSchema = z
  .object({
    version: bundleVersionSchema,
    /** This share of the kiosks (by a stable ranking per rollout); with sites, of those sites' kiosks. */
    percent: z.number().int().min(1).max(100).optional(),
    /** Only kiosks of these sites. */
    sites: z.array(z.string().min(1).max(64)).min(1).max(64).optional(),
  })
  .refine((r) => r.percent !== undefined || r.sites !== undefined, 'name a percentage, sites, or both');
export type RolloutStart = z.infer<typeof rolloutStartSchema>;

export const softwareUpdateCommandSchema = z.object({
  rolloutId: z.string().min(1).max(64),
  version: bundleVersionSchema,
  sha256: z.string().regex(/^[0-9a-f]{64}$/u),
});
export type SoftwareUpdateCommand = z.infer<typeof softwareUpdateCommandSchema>;

/**
 * A kiosk's place in a rollout: `offered` (told), `downloading`, `refused` (signature, checksum,
 * manifest: the reason says), `staged` (unpacked, switching), `adopted` (running the new version
 * after its health check), `rolled-back` (the health check failed: the previous version runs).
 */
export const rolloutStateSchema = z.enum([
  'pending',
  'offered',
  'downloading',
  'refused',
  'staged',
  'adopted',
  'rolled-back',
]);
export type RolloutState = z.infer<typeof rolloutStateSchema>;

export const rolloutReportSchema = z.object({
  rolloutId: z.string().min(1).max(64),
  version: bundleVersionSchema,
  state: rolloutStateSchema,
  reason: z.string().max(120).optional(),
});
export type RolloutReport = z.infer<typeof rolloutReportSchema>;

/** What the launcher last did with a staged version (its state file, reported by the agent). */
export const launcherStateSchema = z.object({
  rolloutId: z.string().max(64).optional(),
  version: z.string().max(32),
  state: z.enum(['adopted', 'rolled-back']),
  reason: z.string().max(120).optional(),
  running: z.string().max(32),
  at: z.string().max(40),
});
export type LauncherState = z.infer<typeof launcherStateSchema>;

export interface RolloutTargetView {
  agentId: string;
  agentName: string;
  state: RolloutState;
  reason: string | null;
  updatedAt: string;
}

export interface RolloutView {
  id: string;
  version: string;
  percent: number | null;
  sites: string[] | null;
  createdAt: string;
  createdBy: string;
  targets: RolloutTargetView[];
}

/** Remote-management columns of the fleet view. */
export interface KioskManagement {
  site: string | null;
  config: { revision: number; acknowledged: boolean } | null;
  rollout: { version: string; state: RolloutState; reason: string | null } | null;
}

export const agentSiteSchema = z.object({ site: z.string().min(1).max(64).nullable() });
