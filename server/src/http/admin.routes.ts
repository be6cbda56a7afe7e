/** Admin API: kiosk fleet. */
import { ok } from '@kiosk/protocol';
import type { Services } from '../services';
import type { ApiRegistry } from './api';
import { ADMIN } from './routes';

export function registerAdminRoutes(api: ApiRegistry, s: Services): void {
  api.define(
    {
      method: 'POST',
      url: '/api/admin/pairing-codes',
      summary: 'A one-time pairing code for enrolling a kiosk (15 minutes)',
      tag: 'fleet',
      access: ADMIN,
    },
    async ({ user }) => {
      const code = await s.fleet.createPairingCode(user.username);
      await s.auth.audit(user.username, 'pairing-code-created', null);
      return ok(code);
    },
  );
  api.define(
    { method: 'GET', url: '/api/admin/agents', summary: 'Enrolled kiosks with health', tag: 'fleet', access: ADMIN },
    async () => ok(await s.fleet.list()),
  );
}
