/**
 * Configuration pushed from the admin page. The agent applies what it can, keeps the revision in
 * its data folder (owner-only, replaced atomically) so it holds across restarts, and answers
 * exactly which settings it applied and which it refused, with a code for each refusal.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { profileById } from '@kiosk/hardware-profiles';
import {
  kioskRemoteConfigSchema,
  type ConfigApplyCommand,
  type ConfigApplyReport,
  type ConfigRefusal,
  type KioskRemoteConfig,
  type RemoteFeature,
} from '@kiosk/protocol';
import { writePrivateFileAtomic } from '../server-link/private-files';

/** Languages the kiosk page has text for. */
export const KIOSK_LANGUAGES: readonly string[] = ['vi', 'en'];

const storedSchema = z.object({ revision: z.number().int().min(1), config: kioskRemoteConfigSchema });
export type StoredRemoteConfig = z.infer<typeof storedSchema>;

/** The stored revision, or none when the file is missing or does not read as one. */
export function loadRemoteConfig(file: string): StoredRemoteConfig | undefined {
  try {
    const parsed = storedSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** What applying a revision touches in the running agent. */
export interface ConfigTarget {
  devicesMode: 'simulated' | 'hardware';
  setIdleMs(ms: number): void;
  setLanguages(languages: string[]): void;
  setFeatures(enabled: Partial<Record<RemoteFeature, boolean>>): void;
}

/**
 * Applies a revision to the running agent and returns the report. What it keeps for the next
 * start is the revision with its refused settings left out.
 */
export function applyRemoteConfig(
  command: ConfigApplyCommand,
  target: ConfigTarget,
): { report: ConfigApplyReport; kept: KioskRemoteConfig } {
  const { config } = command;
  const applied: string[] = [];
  const refused: ConfigRefusal[] = [];
  const kept: KioskRemoteConfig = {};
  let restartNeeded = false;
  if (config.idleTimeoutSec !== undefined) {
    target.setIdleMs(config.idleTimeoutSec * 1000);
    applied.push('idleTimeoutSec');
    kept.idleTimeoutSec = config.idleTimeoutSec;
  }
  if (config.languages !== undefined) {
    const unknown = config.languages.filter((l) => !KIOSK_LANGUAGES.includes(l));
    if (unknown.length > 0)
      refused.push({
        key: 'languages',
        code: 'unsupported-language',
        message: `the kiosk page has no text for ${unknown.join(', ')} (it has ${KIOSK_LANGUAGES.join(', ')})`,
      });
    else if (!config.languages.includes('vi'))
      refused.push({ key: 'languages', code: 'vietnamese-required', message: 'Vietnamese cannot be turned off' });
    else {
      target.setLanguages(config.languages);
      applied.push('languages');
      kept.languages = config.languages;
    }
  }
  if (config.printer?.profileId !== undefined) {
    const profile = profileById(config.printer.profileId);
    if (!profile || profile.class !== 'printer')
      refused.push({ key: 'printer.profileId', code: 'unknown-printer-profile', message: 'no such printer profile' });
    else if (target.devicesMode === 'hardware')
      refused.push({
        key: 'printer.profileId',
        code: 'printer-discovered',
        message: 'a real printer is matched to its profile by discovery',
      });
    else {
      applied.push('printer.profileId');
      kept.printer = { profileId: config.printer.profileId };
      restartNeeded = true;
    }
  }
  if (config.features !== undefined) {
    target.setFeatures(config.features);
    applied.push('features');
    kept.features = config.features;
  }
  return { report: { revision: command.revision, applied, refused, restartNeeded }, kept };
}

export function saveRemoteConfig(file: string, stored: StoredRemoteConfig): void {
  writePrivateFileAtomic(file, JSON.stringify(stored));
}
