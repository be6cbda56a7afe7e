/**
 * Waiting-room displays: a screen pairs itself with a single-use code an admin created (no staff
 * login on the screen), admins name it, choose its services, revoke it, and set the board's look
 * (hospital name, logo, notices) for every screen.
 */
import { z } from 'zod';
import { boardSettingsSchema, displayConfigSchema, displayPairSchema, err, ok } from '@kiosk/protocol';
import type { Services } from '../services';
import type { ApiRegistry } from './api';
import { ADMIN } from '../access';

const idParams = z.object({ id: z.string().min(1).max(64) });

export interface DisplayHooks {
  /** A display's configuration changed, or (null) the board settings of every display. */
  reconfigured(displayId: string | null): void;
  /** Disconnects a display whose credential was just revoked. */
  revoked(displayId: string): void;
}

export function registerDisplayRoutes(api: ApiRegistry, s: Services, hooks: DisplayHooks): void {
  api.define(
    {
      method: 'POST',
      url: '/api/displays/pair',
      summary: 'A waiting-room screen pairs itself with a single-use code; answers its credential once',
      tag: 'displays',
      access: 'public',
      body: displayPairSchema,
    },
    async ({ body }) => s.displays.pair(body.code, body.name),
  );
  api.define(
    {
      method: 'POST',
      url: '/api/admin/display-pairing-codes',
      summary: 'A one-time pairing code for a waiting-room screen (15 minutes)',
      tag: 'displays',
      access: ADMIN,
    },
    async ({ user }) => {
      const code = await s.displays.createPairingCode(user.username);
      await s.auth.audit(user.username, 'display-pairing-code-created', null);
      return ok(code);
    },
  );
  api.define(
    { method: 'GET', url: '/api/admin/displays', summary: 'Paired screens', tag: 'displays', access: ADMIN },
    async () => ok(await s.displays.list()),
  );
  api.define(
    {
      method: 'PUT',
      url: '/api/admin/displays/:id',
      summary: "A screen's name and the services it shows (none: every service)",
      tag: 'displays',
      access: ADMIN,
      params: idParams,
      body: displayConfigSchema,
    },
    async ({ params, body, user }) => {
      const r = await s.displays.configure(params.id, body);
      if (!r.ok) return r;
      await s.auth.audit(user.username, 'display-configured', params.id);
      hooks.reconfigured(params.id);
      return r;
    },
  );
  api.define(
    {
      method: 'POST',
      url: '/api/admin/displays/:id/revoke',
      summary: "Revokes a screen's credential and disconnects it; it must pair again",
      tag: 'displays',
      access: ADMIN,
      params: idParams,
    },
    async ({ params, user }) => {
      if (!(await s.displays.revoke(params.id))) return err('unknown-display', 'no such display');
      await s.auth.audit(user.username, 'display-revoked', params.id);
      hooks.revoked(params.id);
      return ok(null);
    },
  );
  api.define(
    {
      method: 'GET',
      url: '/api/admin/settings/board',
      summary: "The boards' hospital name, logo and scrolling notices",
      tag: 'displays',
      access: ADMIN,
    },
    async () => ok(await s.displays.boardSettings()),
  );
  api.define(
    {
      method: 'PUT',
      url: '/api/admin/settings/board',
      summary: "Sets the boards' hospital name, logo and scrolling notices; every screen shows them at once",
      tag: 'displays',
      access: ADMIN,
      body: boardSettingsSchema,
    },
    async ({ body, user }) => {
      const saved = await s.displays.saveBoardSettings(body);
      await s.auth.audit(user.username, 'board-settings-saved', null);
      hooks.reconfigured(null);
      return ok(saved);
    },
  );
}
