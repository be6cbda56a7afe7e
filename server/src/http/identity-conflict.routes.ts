/**
 * Identity conflicts for staff review (protocol/src/identity-conflict.ts): callers see them with
 * both versions (an audited read); the counter group resolves them.
 */
import { z } from 'zod';
import { identityConflictResolutionSchema, routeRoles } from '@kiosk/protocol';
import type { Services } from '../services';
import type { ApiRegistry } from './api';

const idParams = z.object({ id: z.string().min(1).max(64) });

export function registerIdentityConflictRoutes(api: ApiRegistry, s: Services): void {
  api.define(
    {
      method: 'GET',
      url: '/api/identity-conflicts',
      summary:
        'Open identity conflicts: check-ins whose ID or BHYT number matched a patient stored with another name or birth date (audited read)',
      tag: 'patients',
      access: routeRoles['identity-conflicts'],
    },
    async ({ user }) => s.identityConflicts.listOpen(user),
  );
  api.define(
    {
      method: 'POST',
      url: '/api/identity-conflicts/:id/resolve',
      summary: "Keeps the stored patient's version, or takes the check-in's name and birth date",
      tag: 'patients',
      access: routeRoles['identity-conflict-resolve'],
      params: idParams,
      body: identityConflictResolutionSchema,
    },
    async ({ params, body, user }) => s.identityConflicts.resolve(params.id, body, user),
  );
}
