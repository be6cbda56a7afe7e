/**
 * The kiosk's look, set by an admin ("Giao diện ki-ốt / Kiosk look"): the hospital's name in
 * Vietnamese and English, its primary colour and its logo. Served to kiosk pages with their
 * configuration (`GET /api/kiosk/config`).
 *   GET /api/admin/settings/kiosk-look → KioskBranding
 *   PUT /api/admin/settings/kiosk-look  KioskBranding → KioskBranding, or a refusal:
 *     `color-contrast-low` (white text on the colour under 4.5:1), `logo-too-large`,
 *     `logo-not-png` (bytes that are not a PNG), `logo-svg-unsafe` (script, event handlers,
 *     external references, entities, embedded HTML: refused, never cleaned up).
 */
import { z } from 'zod';
import { err, ok, type Result } from './result';
import { contrast } from './color';

/** A logo's bytes at most (before base64). */
export const LOGO_MAX_BYTES = 48 * 1024;
/** White text on the primary colour must read at least this well (WCAG AA, normal text). */
export const BRAND_MIN_CONTRAST = 4.5;

const base64Schema = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/u, 'expected base64');

export const brandingLogoSchema = z.object({
  mime: z.enum(['image/svg+xml', 'image/png']),
  dataBase64: base64Schema.max(Math.ceil(LOGO_MAX_BYTES / 3) * 4 + 4),
});
export type BrandingLogo = z.infer<typeof brandingLogoSchema>;

export const kioskBrandingSchema = z.object({
  hospitalName: z.object({ vi: z.string().trim().max(120), en: z.string().trim().max(120) }),
  /** `#rrggbb`, or empty for the kiosk's own colour. */
  primaryColor: z.string().regex(/^(#[0-9a-fA-F]{6})?$/u),
  logo: brandingLogoSchema.nullable(),
});
export type KioskBranding = z.infer<typeof kioskBrandingSchema>;

export const emptyBranding: KioskBranding = { hospitalName: { vi: '', en: '' }, primaryColor: '', logo: null };

export type BrandingRefusal = 'color-contrast-low' | 'logo-too-large' | 'logo-not-png' | 'logo-svg-unsafe';

/** Anything in an SVG that could run, fetch or pull in more than its own drawing. */
const unsafeSvg = [
  /<script/iu,
  /<foreignObject/iu,
  /<!ENTITY/iu,
  /<!DOCTYPE/iu,
  /<\?xml-stylesheet/iu,
  /\son[a-z]+\s*=/iu,
  /javascript:/iu,
  /@import/iu,
  /url\(\s*['"]?(?!#)/iu,
  /(?:xlink:)?href\s*=\s*['"](?!#)/iu,
];

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Base64 to bytes (no DOM or Node API: protocol runs in both); null when malformed. */
export function decodeBase64(data: string): Uint8Array | null {
  const body = data.replace(/={1,2}$/u, '');
  if (body.length % 4 === 1 || !/^[A-Za-z0-9+/]*$/u.test(body)) return null;
  const bytes = new Uint8Array(Math.floor((body.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let at = 0;
  for (const ch of body) {
    value = (value << 6) | BASE64.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[at++] = (value >> bits) & 255;
    }
  }
  return bytes;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Why this logo is refused, or null: bounded size; a real PNG; an SVG with nothing but drawing. */
export function logoRefusal(logo: BrandingLogo): BrandingRefusal | null {
  const bytes = decodeBase64(logo.dataBase64);
  if (!bytes) return 'logo-not-png';
  if (bytes.length > LOGO_MAX_BYTES) return 'logo-too-large';
  if (logo.mime === 'image/png') return PNG_SIGNATURE.every((b, i) => bytes[i] === b) ? null : 'logo-not-png';
  // Every pattern looked for is ASCII: bytes as Latin-1 characters are enough to find them.
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  if (!/^\s*(?:<\?xml[^>]*>\s*)?<svg[\s>]/u.test(text)) return 'logo-svg-unsafe';
  return unsafeSvg.some((re) => re.test(text)) ? 'logo-svg-unsafe' : null;
}

/** The branding as it may be stored, or why not. */
export function checkBranding(b: KioskBranding): Result<KioskBranding> {
  if (b.primaryColor && contrast(b.primaryColor, '#ffffff') < BRAND_MIN_CONTRAST)
    return err('color-contrast-low', `white text on ${b.primaryColor} reads under ${BRAND_MIN_CONTRAST}:1`);
  const logoWhy = b.logo ? logoRefusal(b.logo) : null;
  if (logoWhy) return err(logoWhy, 'logo refused');
  return ok({ ...b, primaryColor: b.primaryColor.toLowerCase() });
}

/** The logo as an image URL (shown only as an <img>: nothing in it runs). */
export const logoDataUrl = (logo: BrandingLogo): string => `data:${logo.mime};base64,${logo.dataBase64}`;
