/**
 * What the kiosk page learns from the server that serves it (public, no personal data):
 *   GET /api/kiosk/config → KioskConfig
 * The facility's look (name, SVG logo, accent colour) and the port its local agent listens on,
 * so the page finds its agent without a query string.
 */
import { z } from 'zod';

export const kioskConfigSchema = z.object({
  hospitalName: z.string().max(120),
  /** The hospital's name in English (the admin's kiosk look), when set. */
  hospitalNameEn: z.string().max(120).optional(),
  /** The admin's logo as a `data:image/png|svg+xml;base64,` URL, shown only as an image; else logoSvg. */
  logoUrl: z
    .string()
    .max(80 * 1024)
    .optional(),
  /** An SVG document shown as an image (no script runs), or empty. */
  logoSvg: z.string().max(64 * 1024),
  /** `#rrggbb`, or empty for the page's own; the page darkens it until text on it reads at 7:1. */
  accentColor: z.string().regex(/^(#[0-9a-fA-F]{6})?$/u),
  /** The loopback port of the kiosk's device agent, when the server knows it. */
  agentPort: z.number().int().min(1).max(65535).optional(),
});
export type KioskConfig = z.infer<typeof kioskConfigSchema>;
