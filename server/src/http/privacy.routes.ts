/**
 * Personal Data Protection Law (91/2025/QH15) for admins: the register of processing purposes,
 * data-subject requests (export as JSON, erasure), and the breach log with its 72-hour deadline.
 * Consent withdrawal, which reception records at the patient's request, is in admin.routes.ts.
 */
import { z } from 'zod';
import { breachInputSchema, breachPatchSchema, ok } from '@kiosk/protocol';
import type { Services } from '../services';
import type { ApiRegistry } from './api';
import { ADMIN } from '../access';

const idParams = z.object({ id: z.string().min(1).max(64) });

export function registerPrivacyRoutes(api: ApiRegistry, s: Services): void {
  api.define(
    {
      method: 'GET',
      url: '/api/admin/privacy/register',
      summary:
        'The register of processing purposes: data, legal basis, recipients, withdrawal, retention per data kind',
      tag: 'privacy',
      access: ADMIN,
    },
    async () => ok(await s.privacy.register()),
  );
  api.define(
    {
      method: 'GET',
      url: '/api/admin/patients/:id/export',
      summary: 'A data-subject request: everything stored about one patient, as JSON (audited)',
      tag: 'privacy',
      access: ADMIN,
      params: idParams,
    },
    async ({ params, user, reply }) => {
      const r = await s.privacy.exportPatient(params.id, user);
      if (r.ok)
        reply
          .header(
            'content-disposition',
            `attachment; filename="patient-${params.id.replace(/[^A-Za-z0-9-]/gu, '')}.json"`,
          )
          .header('cache-control', 'no-store');
      return r;
    },
  );
  api.define(
    {
      method: 'POST',
      url: '/api/admin/patients/:id/erase',
      summary: 'A data-subject request: erases what no law requires to keep, and says what was kept and why (audited)',
      tag: 'privacy',
      access: ADMIN,
      params: idParams,
    },
    async ({ params, user }) => s.privacy.erasePatient(params.id, user),
  );
  api.define(
    {
      method: 'GET',
      url: '/api/admin/breaches',
      summary: 'The personal-data breach log, newest first, with each notification deadline (72 h from discovery)',
      tag: 'privacy',
      access: ADMIN,
    },
    async () => ok(await s.privacy.breaches()),
  );
  api.define(
    {
      method: 'POST',
      url: '/api/admin/breaches',
      summary: 'Records a personal-data breach',
      tag: 'privacy',
      access: ADMIN,
      body: breachInputSchema,
    },
    async ({ body, user }) => ok(await s.privacy.recordBreach(body, user)),
  );
  api.define(
    {
      method: 'PATCH',
      url: '/api/admin/breaches/:id',
      summary: 'Records the notification of a breach, its measures, or closes it',
      tag: 'privacy',
      access: ADMIN,
      params: idParams,
      body: breachPatchSchema,
    },
    async ({ params, body, user }) => s.privacy.updateBreach(params.id, body, user),
  );
}
