/**
 * The CSCA trust store from the admin page: list the imported master lists, certificates and CRLs
 * with what each kiosk applied; import one (checked, refused with a reason code); remove one.
 */
import { z } from 'zod';
import { ok, trustFileUploadSchema, MAX_TRUST_FILE_BYTES } from '@kiosk/protocol';
import type { Services } from '../services';
import type { ApiRegistry } from './api';
import { ADMIN } from '../access';

const idParams = z.object({ id: z.string().min(1).max(64) });

export function registerTrustStoreRoutes(api: ApiRegistry, s: Services): void {
  api.define(
    {
      method: 'GET',
      url: '/api/admin/trust-files',
      summary: 'The CSCA trust store: imported master lists, certificates and CRLs, and what each kiosk applied',
      tag: 'fleet',
      access: ADMIN,
    },
    async () => ok(await s.trustStore.view()),
  );
  api.define(
    {
      method: 'POST',
      url: '/api/admin/trust-files',
      summary:
        'Imports an ICAO master list, CSCA certificate(s) or a CRL (DER or PEM, base64 in JSON); refused when it does not parse or its signature fails',
      tag: 'fleet',
      access: ADMIN,
      body: trustFileUploadSchema,
      bodyLimitBytes: Math.ceil((MAX_TRUST_FILE_BYTES * 4) / 3) + 64 * 1024,
    },
    async ({ body, user }) => s.trustStore.upload(body, user),
  );
  api.define(
    {
      method: 'DELETE',
      url: '/api/admin/trust-files/:id',
      summary: 'Removes a file from the CSCA trust store; the kiosks take the new set at once',
      tag: 'fleet',
      access: ADMIN,
      params: idParams,
    },
    async ({ params, user }) => s.trustStore.remove(params.id, user),
  );
}
