/**
 * Kiosks managed remotely, from the admin page, every action in the audit log: restart,
 * configuration revisions, diagnostics, sites, signed bundles and staged rollouts; and the
 * bundle download a kiosk makes with its own credential.
 */
import { z } from 'zod';
import {
  agentSiteSchema,
  bundleUploadSchema,
  bundleVersionSchema,
  err,
  kioskRemoteConfigSchema,
  ok,
  rolloutStartSchema,
} from '@kiosk/protocol';
import type { Services } from '../services';
import type { ApiRegistry } from './api';
import { ADMIN } from '../access';

const idParams = z.object({ id: z.string().min(1).max(64) });
/** A bundle is the agent's code: tens of megabytes at most, base64 in JSON. */
const BUNDLE_BODY_LIMIT_BYTES = 200 * 1024 * 1024;

export function registerFleetManagementRoutes(api: ApiRegistry, s: Services): void {
  api.define(
    {
      method: 'POST',
      url: '/api/admin/agents/:id/restart',
      summary: 'Restarts a kiosk agent: it acknowledges and exits with the restart code; its launcher starts it again',
      tag: 'fleet',
      access: ADMIN,
      params: idParams,
      body: z.object({ reason: z.string().max(120).optional() }).optional(),
    },
    async ({ params, body, user }) => {
      await s.auth.audit(user.username, 'agent-restart-requested', params.id);
      return s.fleetManagement.restart(params.id, body?.reason);
    },
  );
  api.define(
    {
      method: 'GET',
      url: '/api/admin/agents/:id/config',
      summary: "A kiosk's newest configuration revision and what the kiosk applied and refused of it",
      tag: 'fleet',
      access: ADMIN,
      params: idParams,
    },
    async ({ params }) => ok(await s.fleetManagement.configState(params.id)),
  );
  api.define(
    {
      method: 'PUT',
      url: '/api/admin/agents/:id/config',
      summary:
        'Pushes a configuration revision (idle time-out, languages, printer, features); delivered now or when the kiosk connects',
      tag: 'fleet',
      access: ADMIN,
      params: idParams,
      body: kioskRemoteConfigSchema,
    },
    async ({ params, body, user }) => {
      const r = await s.fleetManagement.pushConfig(params.id, body, user.username);
      if (r.ok) await s.auth.audit(user.username, 'agent-config-pushed', `${params.id}#${r.value.revision}`);
      return r;
    },
  );
  api.define(
    {
      method: 'POST',
      url: '/api/admin/agents/:id/diagnostics',
      summary:
        "A kiosk's `kiosk-agent doctor` findings, device states and last device errors (no screen, no patient data)",
      tag: 'fleet',
      access: ADMIN,
      params: idParams,
    },
    async ({ params, user }) => {
      await s.auth.audit(user.username, 'agent-diagnostics-read', params.id);
      return s.fleetManagement.diagnostics(params.id);
    },
  );
  api.define(
    {
      method: 'PUT',
      url: '/api/admin/agents/:id/site',
      summary: 'Sets the site a kiosk stands at (rollouts by site); null clears it',
      tag: 'fleet',
      access: ADMIN,
      params: idParams,
      body: agentSiteSchema,
    },
    async ({ params, body, user }) => {
      const r = await s.fleetManagement.setSite(params.id, body.site);
      if (r.ok) await s.auth.audit(user.username, 'agent-site-set', params.id);
      return r;
    },
  );
  api.define(
    {
      method: 'GET',
      url: '/api/admin/fleet/management',
      summary: "Every kiosk's site, configuration state and place in its newest rollout",
      tag: 'fleet',
      access: ADMIN,
    },
    async () => ok(Object.fromEntries(await s.fleetManagement.overview())),
  );
  api.define(
    { method: 'GET', url: '/api/admin/bundles', summary: 'Uploaded agent bundles', tag: 'fleet', access: ADMIN },
    async () => ok(await s.fleetManagement.bundles()),
  );
  api.define(
    {
      method: 'POST',
      url: '/api/admin/bundles',
      summary: 'Uploads a signed agent bundle (manifest text, Ed25519 signature, tarball in base64)',
      tag: 'fleet',
      access: ADMIN,
      body: bundleUploadSchema,
      bodyLimitBytes: BUNDLE_BODY_LIMIT_BYTES,
    },
    async ({ body, user }) => {
      const r = await s.fleetManagement.uploadBundle(body, user.username);
      if (r.ok) await s.auth.audit(user.username, 'bundle-uploaded', r.value.version);
      return r;
    },
  );
  api.define(
    {
      method: 'GET',
      url: '/api/admin/rollouts',
      summary: 'Rollouts, newest first, with each chosen kiosk',
      tag: 'fleet',
      access: ADMIN,
    },
    async () => ok(await s.fleetManagement.rollouts()),
  );
  api.define(
    {
      method: 'POST',
      url: '/api/admin/rollouts',
      summary: 'Starts a rollout of an uploaded version to a share of the kiosks and/or to named sites',
      tag: 'fleet',
      access: ADMIN,
      body: rolloutStartSchema,
    },
    async ({ body, user }) => {
      const r = await s.fleetManagement.startRollout(body, user.username);
      if (r.ok) await s.auth.audit(user.username, 'rollout-started', `${r.value.version}:${r.value.id}`);
      return r;
    },
  );
  api.define(
    {
      method: 'GET',
      url: '/api/agent/bundles/:version',
      summary: 'A kiosk downloads a bundle it was offered, with its device credential as the bearer token',
      tag: 'agent',
      access: 'agent',
      // Checked after the credential: an unauthenticated caller learns nothing from a validation answer.
      params: z.object({ version: z.string().max(64) }),
    },
    async ({ params, req }) => {
      const credential = req.headers.authorization?.match(/^Bearer\s+(\S+)$/u)?.[1];
      const agent = await s.fleet.authenticate(credential);
      if (!agent) return err('unauthenticated', 'a kiosk credential is required');
      const version = bundleVersionSchema.safeParse(params.version);
      if (!version.success) return err('unknown-bundle', 'no such version');
      return s.fleetManagement.download(version.data);
    },
  );
}
