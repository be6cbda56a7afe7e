/**
 * Pure fingerprint matching. A fingerprint matches when every field it names matches the
 * device; its score is the sum of the field weights, so vid+pid (30) < vid+pid+manufacturer (35)
 * < vid+pid+path (70). A profile scores its best fingerprint. Specific profiles always win over
 * generic ones; an unknown device gets the generic profile of its class with score 0.
 */
import { catalogue } from './catalogue';
import type { DeviceProfile, Fingerprint } from './schema';

export type DeviceClass = DeviceProfile['class'];

/** What discovery knows about a device. */
export interface DeviceFingerprint {
  class: DeviceClass;
  vendorId?: number;
  productId?: number;
  manufacturer?: string;
  product?: string;
  path?: string;
  usagePage?: number;
  readerName?: string;
}

export interface ProfileMatch {
  profile: DeviceProfile;
  score: number;
}

export const fingerprintWeights = {
  vendorId: 10,
  productId: 20,
  manufacturer: 5,
  product: 8,
  path: 40,
  usagePage: 3,
  readerName: 25,
} as const satisfies Record<keyof Fingerprint, number>;

const regexCache = new Map<string, RegExp | null>();

/** Profile data is trusted but a bad pattern must never throw at match time: it just never matches. */
function compile(source: string): RegExp | null {
  let cached = regexCache.get(source);
  if (cached === undefined) {
    try {
      cached = new RegExp(source, 'iu');
    } catch {
      cached = null;
    }
    regexCache.set(source, cached);
  }
  return cached;
}

const includesCi = (haystack: string | undefined, needle: string) =>
  haystack !== undefined && haystack.toLowerCase().includes(needle.toLowerCase());
const matchesRe = (value: string | undefined, source: string) => {
  if (value === undefined) return false;
  return compile(source)?.test(value) ?? false;
};

/** Score of one fingerprint against a device: 0 when any named field disagrees or is unknown. */
export function scoreFingerprint(fp: Fingerprint, device: DeviceFingerprint): number {
  let score = 0;
  let named = 0;
  const check = (present: boolean, ok: boolean, weight: number): boolean => {
    if (!present) return true;
    named += 1;
    if (!ok) return false;
    score += weight;
    return true;
  };
  const w = fingerprintWeights;
  const all =
    check(fp.vendorId !== undefined, fp.vendorId === device.vendorId, w.vendorId) &&
    check(fp.productId !== undefined, fp.productId === device.productId, w.productId) &&
    check(fp.manufacturer !== undefined, includesCi(device.manufacturer, fp.manufacturer ?? ''), w.manufacturer) &&
    check(fp.product !== undefined, includesCi(device.product, fp.product ?? ''), w.product) &&
    check(fp.path !== undefined, matchesRe(device.path, fp.path ?? ''), w.path) &&
    check(fp.usagePage !== undefined, fp.usagePage === device.usagePage, w.usagePage) &&
    check(fp.readerName !== undefined, matchesRe(device.readerName, fp.readerName ?? ''), w.readerName);
  return all && named > 0 ? score : 0;
}

export function scoreProfile(profile: DeviceProfile, device: DeviceFingerprint): number {
  if (profile.class !== device.class) return 0;
  let best = 0;
  for (const fp of profile.match) best = Math.max(best, scoreFingerprint(fp, device));
  return best;
}

/**
 * The best profile for a device. Never fails: every class has a generic profile, which is
 * returned with score 0 when nothing in the catalogue recognises the device.
 */
export function matchProfile(device: DeviceFingerprint, profiles: readonly DeviceProfile[] = catalogue): ProfileMatch {
  let specific: ProfileMatch | undefined;
  let generic: ProfileMatch | undefined;
  let fallback: DeviceProfile | undefined;
  for (const profile of profiles) {
    if (profile.class !== device.class || profile.simulated) continue;
    if (profile.generic) fallback ??= profile;
    const score = scoreProfile(profile, device);
    if (score === 0) continue;
    if (profile.generic) {
      if (!generic || score > generic.score) generic = { profile, score };
    } else if (!specific || score > specific.score) {
      specific = { profile, score };
    }
  }
  if (specific) return specific;
  if (generic) return { profile: generic.profile, score: 0 };
  if (fallback) return { profile: fallback, score: 0 };
  throw new Error(`catalogue has no generic ${device.class} profile`);
}

/** Every profile that recognises the device, best first (for the admin's "why this profile" view). */
export function rankProfiles(
  device: DeviceFingerprint,
  profiles: readonly DeviceProfile[] = catalogue,
): ProfileMatch[] {
  return profiles
    .filter((p) => p.class === device.class && !p.simulated)
    .map((profile) => ({ profile, score: scoreProfile(profile, device) }))
    .filter((m) => m.score > 0)
    .sort((a, b) => b.score - a.score);
}
