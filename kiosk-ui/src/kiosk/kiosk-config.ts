/**
 * The facility's look for the kiosk page and where its agent listens, from the server's public
 * `GET /api/kiosk/config` (the server serves this page). Checked by hand, not with zod: the
 * kiosk bundle stays small. Anything missing or malformed falls back to the defaults.
 */
import type { KioskConfig } from '@kiosk/protocol';

export const defaultKioskConfig: KioskConfig = { hospitalName: '', logoSvg: '', accentColor: '' };

export function readKioskConfig(body: unknown): KioskConfig {
  const value = (body as { ok?: unknown; value?: unknown } | null)?.value;
  if (!value || typeof value !== 'object') return defaultKioskConfig;
  const v = value as Record<string, unknown>;
  const text = (x: unknown, max: number) => (typeof x === 'string' && x.length <= max ? x : '');
  const port = Number(v.agentPort);
  return {
    hospitalName: text(v.hospitalName, 120),
    logoSvg: /^<svg[\s>]/u.test(text(v.logoSvg, 64 * 1024).trim()) ? text(v.logoSvg, 64 * 1024) : '',
    accentColor: /^#[0-9a-f]{6}$/iu.test(text(v.accentColor, 7)) ? text(v.accentColor, 7) : '',
    ...(text(v.hospitalNameEn, 120) ? { hospitalNameEn: text(v.hospitalNameEn, 120) } : {}),
    // The admin's logo: an image data URL only (shown as an <img>, nothing in it runs).
    ...(/^data:image\/(?:png|svg\+xml);base64,[A-Za-z0-9+/]+={0,2}$/u.test(text(v.logoUrl, 80 * 1024))
      ? { logoUrl: text(v.logoUrl, 80 * 1024) }
      : {}),
    ...(Number.isInteger(port) && port > 0 && port < 65536 ? { agentPort: port } : {}),
  };
}

export async function loadKioskConfig(fetcher: typeof fetch = fetch): Promise<KioskConfig> {
  try {
    const r = await fetcher('/api/kiosk/config', { headers: { accept: 'application/json' } });
    return r.ok ? readKioskConfig(await r.json()) : defaultKioskConfig;
  } catch {
    return defaultKioskConfig;
  }
}
