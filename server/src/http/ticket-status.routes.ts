/**
 * The ticket's public status page: `GET /t/<code>` (the code the ticket's QR carries) serves the
 * page for the patient's phone, with 404 when the code is unknown or its visit is over and 429
 * past the address's budget of unknown codes; `GET /api/t/<code>` answers the same status as
 * JSON. The page itself follows the ticket live over the /ticket-status socket namespace. The
 * service worker and manifest (an installable page, for Web Push) live under /t/ too, so the
 * worker's scope is the status pages and nothing else.
 */
import path from 'node:path';
import { z } from 'zod';
import { ok, ticketLookupCodeSchema, ticketPublicStatusSchema } from '@kiosk/protocol';
import type { Services } from '../services';
import type { ApiRegistry } from './api';
import { sendBuiltFile } from './static-pages';

const codeParams = z.object({ code: ticketLookupCodeSchema });

export function registerTicketStatusRoutes(api: ApiRegistry, s: Services, distDir: string, hospitalName: string): void {
  const root = path.resolve(distDir);
  api.define(
    {
      method: 'GET',
      url: '/api/t/:code',
      summary: "A ticket's public status by its lookup code: number, room, people ahead, wait (no personal data)",
      tag: 'ticket-status',
      access: 'public',
      params: codeParams,
      response: ticketPublicStatusSchema,
    },
    async ({ params, req, reply }) => {
      reply.header('cache-control', 'no-store');
      const r = await s.ticketStatus.lookup(params.code, req.ip);
      if (!r.ok) return r;
      const { ticketId: _t, serviceId: _s, ...status } = r.value;
      return ok(status);
    },
  );
  api.define(
    {
      method: 'GET',
      url: '/t/:code',
      summary: "The ticket's public status page (404 when the code is unknown or its visit is over)",
      tag: 'ticket-status',
      access: 'public',
      raw: true,
    },
    async ({ req, reply }) => {
      const code = ticketLookupCodeSchema.safeParse((req.params as { code?: unknown }).code);
      const r = code.success ? await s.ticketStatus.lookup(code.data, req.ip) : undefined;
      const status = !r ? 404 : r.ok ? 200 : r.error.code === 'rate-limited' ? 429 : 404;
      await sendBuiltFile(root, 'status/index.html', reply, status);
    },
  );
  api.define(
    {
      method: 'GET',
      url: '/t/sw.js',
      summary: "The status page's service worker (shows Web Push notifications)",
      tag: 'pages',
      access: 'public',
      raw: true,
    },
    async ({ reply }) => {
      await sendBuiltFile(root, 't/sw.js', reply);
    },
  );
  // Installed from a ticket's page, the app opens that ticket's page: the manifest is per code.
  api.define(
    {
      method: 'GET',
      url: '/t/manifest.webmanifest',
      summary: "The status page's web app manifest (start_url: the ticket's page)",
      tag: 'pages',
      access: 'public',
      query: z.object({ code: ticketLookupCodeSchema.optional() }),
      raw: true,
    },
    async ({ query, reply }) =>
      reply
        .header('content-type', 'application/manifest+json')
        .header('cache-control', 'no-cache')
        .send({
          name: `${hospitalName}: số thứ tự`,
          short_name: 'Số thứ tự',
          lang: 'vi',
          start_url: query.code ? `/t/${query.code}` : '/t/',
          scope: '/t/',
          display: 'standalone',
          background_color: '#f4f7f9',
          theme_color: '#00695c',
          icons: [{ src: '/favicon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' }],
        }),
  );
}
