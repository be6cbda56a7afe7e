/**
 * What the kiosk page needs from the server that serves it: the facility's look (the board's
 * name and logo, the configured accent colour) and the port of the kiosk's local agent. Public:
 * no personal data, the same for every kiosk of the site; rate-limited like every route.
 */
import { kioskConfigSchema, ok, type KioskConfig } from '@kiosk/protocol';
import type { Services } from '../services';
import type { ApiRegistry } from './api';

export interface KioskPageOptions {
  hospitalName: string;
  accentColor: string;
  /** The kiosk agents' loopback port (KIOSK_AGENT_PORT), when the site sets one. */
  agentPort?: number;
}

export function registerKioskRoutes(api: ApiRegistry, s: Pick<Services, 'displays'>, o: KioskPageOptions): void {
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
      const board = await s.displays.boardSettings();
      const config: KioskConfig = {
        hospitalName: board.hospitalName || o.hospitalName,
        logoSvg: board.logoSvg,
        accentColor: o.accentColor,
        ...(o.agentPort ? { agentPort: o.agentPort } : {}),
      };
      return ok(config);
    },
  );
}
