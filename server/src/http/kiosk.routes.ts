/**
 * What the kiosk page needs from the server that serves it: the facility's look (the admin's
 * kiosk look, else the board's name and logo and the configured accent colour) and the port of
 * the kiosk's local agent. Public: no personal data, the same for every kiosk of the site;
 * rate-limited like every route. The admin's "kiosk look" is read and set here too.
 */
import { kioskBrandingSchema, kioskConfigSchema, logoDataUrl, ok, type KioskConfig } from '@kiosk/protocol';
import type { Services } from '../services';
import type { ApiRegistry } from './api';
import { ADMIN } from '../access';

export interface KioskPageOptions {
  hospitalName: string;
  accentColor: string;
  /** The kiosk agents' loopback port (KIOSK_AGENT_PORT), when the site sets one. */
  agentPort?: number;
}

export function registerKioskRoutes(
  api: ApiRegistry,
  s: Pick<Services, 'displays' | 'facility' | 'auth'>,
  o: KioskPageOptions & { now: () => Date },
): void {
  api.define(
    {
      method: 'GET',
      url: '/api/kiosk/config',
      summary: "The kiosk page's facility look (name, logo, colour) and its agent's port",
      tag: 'kiosk-page',
      access: 'public',
      response: kioskConfigSchema,
    },
    async () => {
      const [board, look] = await Promise.all([s.displays.boardSettings(), s.facility.branding()]);
      const config: KioskConfig = {
        hospitalName: look.hospitalName.vi || board.hospitalName || o.hospitalName,
        ...(look.hospitalName.en ? { hospitalNameEn: look.hospitalName.en } : {}),
        logoSvg: board.logoSvg,
        ...(look.logo ? { logoUrl: logoDataUrl(look.logo) } : {}),
        accentColor: look.primaryColor || o.accentColor,
        ...(o.agentPort ? { agentPort: o.agentPort } : {}),
      };
      return ok(config);
    },
  );
  api.define(
    {
      method: 'GET',
      url: '/api/admin/settings/kiosk-look',
      summary: "The kiosk's look: the hospital's name (vi, en), primary colour and logo",
      tag: 'facility',
      access: ADMIN,
      response: kioskBrandingSchema,
    },
    async () => ok(await s.facility.branding()),
  );
  api.define(
    {
      method: 'PUT',
      url: '/api/admin/settings/kiosk-look',
      summary:
        "Sets the kiosk's look; refuses a colour white text reads under 4.5:1 on, and an unsafe or oversized logo",
      tag: 'facility',
      access: ADMIN,
      body: kioskBrandingSchema,
    },
    async ({ body, user }) => {
      const saved = await s.facility.saveBranding(body, user.username, o.now().toISOString());
      if (saved.ok) await s.auth.audit(user.username, 'kiosk-look-saved', null);
      return saved;
    },
  );
}
