/**
 * Waiting-room displays: paired like kiosks (a single-use code entered on the screen, no staff
 * login) and configured from the admin page (which rooms/services each screen shows). The board's
 * look (hospital name, logo, scrolling notices) is facility configuration. No personal data.
 *   POST /api/displays/pair {code, name}            → { displayId, credential } (public, rate-limited by the code)
 *   GET  /api/admin/displays                          → DisplayView[]
 *   POST /api/admin/display-pairing-codes             → { code, expiresAt }
 *   PUT  /api/admin/displays/:id {name, serviceIds}   → DisplayView
 *   POST /api/admin/displays/:id/revoke               → null (its screen disconnects)
 *   GET/PUT /api/admin/settings/board                 → BoardSettings
 * The display opens /display with `auth: { credential }`; the server answers `board:configured`
 * and only the calls of its services.
 */
import { z } from 'zod';

export const displayPairSchema = z.object({
  code: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z0-9]{6,16}$/u),
  name: z.string().trim().min(1).max(60),
});
export type DisplayPair = z.infer<typeof displayPairSchema>;

export const displayConfigSchema = z.object({
  name: z.string().trim().min(1).max(60),
  /** The services whose calls this screen shows; empty: every service. */
  serviceIds: z.array(z.string().min(1).max(64)).max(50),
});
export type DisplayConfig = z.infer<typeof displayConfigSchema>;

export interface DisplayView extends DisplayConfig {
  id: string;
  revoked: boolean;
  createdAt: string;
  lastSeenAt: string | null;
}

const noticeSchema = z.object({ vi: z.string().trim().min(1).max(200), en: z.string().trim().max(200) });
export const boardSettingsSchema = z.object({
  /** Empty: the configured hospital name. */
  hospitalName: z.string().trim().max(120),
  /** An SVG logo (the document, shown as an image: no script runs), or empty. */
  logoSvg: z
    .string()
    .max(64 * 1024)
    .refine((s) => s === '' || /^<svg[\s>]/u.test(s.trim()), { message: 'an <svg> document' }),
  notices: z.array(noticeSchema).max(10),
});
export type BoardSettings = z.infer<typeof boardSettingsSchema>;

/** What a paired screen is told on connection and whenever its configuration changes. */
export interface BoardConfig {
  displayName: string;
  hospitalName: string;
  logoSvg: string;
  notices: { vi: string; en: string }[];
  /** Empty: every service. */
  serviceIds: string[];
  /** The rooms of those services, in the facility's order (a slot per room even before a call). */
  rooms: { serviceId: string; room: string; name: { vi: string; en: string } }[];
}
