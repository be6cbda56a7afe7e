/** Admin API: facility configuration, staff accounts, retention, audit log, kiosk fleet; and audited patient reads. */
import { z } from 'zod';
import {
  adminStatsQuerySchema,
  alertQuerySchema,
  checkInRequestSchema,
  departmentInputSchema,
  err,
  ok,
  openingHoursSchema,
  retentionSettingSchema,
  serviceInputSchema,
  servicePatchSchema,
  userCreateSchema,
  userPatchSchema,
  withdrawalSchema,
  type Result,
} from '@kiosk/protocol';
import type { Services } from '../services';
import type { ApiRegistry } from './api';
import { ADMIN, CALLERS, COUNTER } from '../access';

const idParams = z.object({ id: z.string().min(1).max(64) });
const dayRange = z.object({
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/u),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/u),
});

export interface AdminHooks {
  /** Kiosks refresh their service list when the facility changes. */
  servicesChanged(): void;
  /** Disconnects a kiosk whose credential was just revoked. */
  agentRevoked(agentId: string): void;
}

export function registerAdminRoutes(api: ApiRegistry, s: Services, hooks: AdminHooks): void {
  /** A change to the services done: audited, and the kiosks told; the answer passed on. */
  const servicesChanged = async <T>(r: Result<T>, actor: string, action: string, target: string) => {
    if (r.ok) {
      await s.auth.audit(actor, action, target);
      hooks.servicesChanged();
    }
    return r;
  };
  // ---- facility --------------------------------------------------------------------------------
  api.define(
    { method: 'GET', url: '/api/admin/departments', summary: 'Departments', tag: 'facility', access: ADMIN },
    async () => ok(await s.facility.listDepartments()),
  );
  api.define(
    {
      method: 'PUT',
      url: '/api/admin/departments/:id',
      summary: 'Creates or renames a department',
      tag: 'facility',
      access: ADMIN,
      params: departmentInputSchema.pick({ id: true }),
      body: departmentInputSchema.omit({ id: true }),
    },
    async ({ params, body, user }) => {
      const d = await s.facility.upsertDepartment({ id: params.id, ...body });
      await s.auth.audit(user.username, 'department-saved', params.id);
      hooks.servicesChanged();
      return ok(d);
    },
  );
  api.define(
    {
      method: 'GET',
      url: '/api/admin/services',
      summary: 'Every service, active or not',
      tag: 'facility',
      access: ADMIN,
    },
    async () => ok(await s.facility.listAllServices()),
  );
  api.define(
    {
      method: 'POST',
      url: '/api/admin/services',
      summary: 'Creates a service (ticket prefix, room, floor)',
      tag: 'facility',
      access: ADMIN,
      body: serviceInputSchema,
    },
    async ({ body, user }) => {
      const r = await s.facility.createService(body);
      return servicesChanged(r, user.username, 'service-created', body.id);
    },
  );
  api.define(
    {
      method: 'PATCH',
      url: '/api/admin/services/:id',
      summary: 'Changes a service; active=false takes it off the kiosks',
      tag: 'facility',
      access: ADMIN,
      params: idParams,
      body: servicePatchSchema,
    },
    async ({ params, body, user }) => {
      const r = await s.facility.updateService(params.id, body);
      return servicesChanged(r, user.username, 'service-updated', params.id);
    },
  );
  api.define(
    {
      method: 'GET',
      url: '/api/admin/services/:id/hours',
      summary: 'Weekly opening hours of a service (empty: always open)',
      tag: 'facility',
      access: ADMIN,
      params: idParams,
    },
    async ({ params }) => ok(await s.facility.openingHours(params.id)),
  );
  api.define(
    {
      method: 'PUT',
      url: '/api/admin/services/:id/hours',
      summary: 'Replaces the weekly opening hours; kiosks refuse check-ins outside them',
      tag: 'facility',
      access: ADMIN,
      params: idParams,
      body: openingHoursSchema,
    },
    async ({ params, body, user }) => {
      const r = await s.facility.setOpeningHours(params.id, body.hours);
      return servicesChanged(r, user.username, 'opening-hours-saved', params.id);
    },
  );

  // ---- staff accounts --------------------------------------------------------------------------
  api.define(
    { method: 'GET', url: '/api/admin/users', summary: 'Staff accounts', tag: 'users', access: ADMIN },
    async () => ok(await s.auth.listUsers()),
  );
  api.define(
    {
      method: 'POST',
      url: '/api/admin/users',
      summary: 'Creates a staff account',
      tag: 'users',
      access: ADMIN,
      body: userCreateSchema,
    },
    async ({ body, user }) => {
      const r = await s.auth.addUser(body.username, body.password, body.role);
      if (r.ok) await s.auth.audit(user.username, 'user-created', r.value.id);
      return r;
    },
  );
  api.define(
    {
      method: 'PATCH',
      url: '/api/admin/users/:id',
      summary: "Changes a role or disables an account (its sessions end); the last admin can't be removed",
      tag: 'users',
      access: ADMIN,
      params: idParams,
      body: userPatchSchema,
    },
    async ({ params, body, user }) => {
      const r = await s.auth.updateUser(params.id, body);
      if (r.ok)
        await s.auth.audit(
          user.username,
          body.disabled !== undefined ? (body.disabled ? 'user-disabled' : 'user-enabled') : 'user-role-changed',
          params.id,
        );
      return r;
    },
  );

  api.define(
    {
      method: 'GET',
      url: '/api/admin/login-lockouts',
      summary: 'Accounts and addresses whose logins are locked after repeated failures, with when each lock ends',
      tag: 'users',
      access: ADMIN,
    },
    async () => ok(s.auth.lockouts()),
  );
  api.define(
    {
      method: 'POST',
      url: '/api/admin/users/:id/unlock',
      summary: "Ends an account's login lock",
      tag: 'users',
      access: ADMIN,
      params: idParams,
    },
    async ({ params, user }) => {
      const account = (await s.auth.listUsers()).find((a) => a.id === params.id);
      if (!account) return err('unknown-user', 'no such user');
      s.auth.unlock(account.username);
      await s.auth.audit(user.username, 'user-unlocked', params.id);
      return ok({ ...account, lockedUntil: null });
    },
  );

  // ---- retention, KPIs, audit ------------------------------------------------------------------
  api.define(
    {
      method: 'GET',
      url: '/api/admin/settings/retention',
      summary: 'Days patients and visits are kept',
      tag: 'privacy',
      access: ADMIN,
    },
    async () => ok({ retentionDays: await s.retention.retentionDays() }),
  );
  api.define(
    {
      method: 'PUT',
      url: '/api/admin/settings/retention',
      summary: 'Sets the retention period',
      tag: 'privacy',
      access: ADMIN,
      body: retentionSettingSchema,
    },
    async ({ body, user }) => {
      await s.retention.setRetentionDays(body.retentionDays);
      await s.auth.audit(user.username, 'retention-changed', String(body.retentionDays));
      return ok(body);
    },
  );
  api.define(
    {
      method: 'POST',
      url: '/api/admin/retention/purge',
      summary: 'Purges patients and visits past retention now (KPIs kept)',
      tag: 'privacy',
      access: ADMIN,
    },
    async ({ user }) => {
      const report = await s.retention.purge();
      const byKind = await s.privacy.purgeByKind();
      await s.auth.audit(user.username, 'retention-purged', String(report.visits));
      return ok({ ...report, byKind });
    },
  );
  api.define(
    {
      method: 'GET',
      url: '/api/admin/stats',
      summary: "A facility day's statistics: check-ins by hour, per-service tickets, calls, no-shows, mean wait",
      tag: 'privacy',
      access: ADMIN,
      query: adminStatsQuerySchema,
    },
    async ({ query }) => ok(await s.stats.day(query.day)),
  );
  api.define(
    {
      method: 'GET',
      url: '/api/admin/kpis/daily',
      summary: 'Aggregated daily KPIs per service (kept after purges)',
      tag: 'privacy',
      access: ADMIN,
      query: dayRange,
    },
    async ({ query }) => ok(await s.retention.dailyKpis(query.from, query.to)),
  );
  api.define(
    {
      method: 'GET',
      url: '/api/admin/audit',
      summary: 'The audit log, newest first',
      tag: 'privacy',
      access: ADMIN,
      query: z.object({
        limit: z.coerce.number().int().min(1).max(1000).default(100),
        action: z.string().max(64).optional(),
      }),
    },
    async ({ query }) => ok(await s.auth.auditLog(query.limit, query.action)),
  );

  // ---- counter registration ------------------------------------------------------------------
  api.define(
    {
      method: 'POST',
      url: '/api/counter/check-ins',
      summary: 'Reception registers a patient who cannot use a kiosk; same rules and receipt as a kiosk check-in',
      tag: 'queue',
      access: COUNTER,
      body: checkInRequestSchema,
    },
    async ({ body, user }) => {
      const r = await s.checkIn.checkIn(body, `counter:${user.username}`);
      if (r.ok && !r.value.replayed) await s.auth.audit(user.username, 'counter-check-in', r.value.visitId);
      return r;
    },
  );

  // ---- patients (audited reads) ----------------------------------------------------------------
  api.define(
    {
      method: 'GET',
      url: '/api/patients/:id',
      summary: 'A patient record with consents and recent visits; every read is audited',
      tag: 'patients',
      access: CALLERS,
      params: idParams,
    },
    async ({ params, user }) => s.patients.read(params.id, user, 'id'),
  );
  api.define(
    {
      method: 'GET',
      url: '/api/queue/tickets/:ticketId/patient',
      summary: 'The patient record behind a ticket; audited like any record read',
      tag: 'patients',
      access: CALLERS,
      params: z.object({ ticketId: z.string().min(1).max(64) }),
    },
    async ({ params, user }) => s.patients.readByTicket(params.ticketId, user),
  );
  api.define(
    {
      method: 'POST',
      url: '/api/patients/:id/consent-withdrawal',
      summary:
        "Records the patient's withdrawal of consent; the processing it covered stops at once ('check-in': the record is erased, except what a law requires to keep)",
      tag: 'patients',
      access: CALLERS,
      params: idParams,
      body: withdrawalSchema,
    },
    async ({ params, body, user }) => s.privacy.withdrawConsent(params.id, user, body.purpose),
  );

  // ---- kiosk fleet -----------------------------------------------------------------------------
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
    async () => {
      // With each kiosk's offline check-ins waiting to sync, as its last heartbeat said.
      const [kiosks, backlogs] = await Promise.all([s.fleet.list(), s.offline.backlogs()]);
      return ok(kiosks.map((k) => ({ ...k, offlineBacklog: backlogs.get(k.id)?.backlog ?? 0 })));
    },
  );
  api.define(
    {
      method: 'GET',
      url: '/api/admin/agents/:id',
      summary: 'One kiosk: devices, version, heartbeat history (bounded), latest alerts',
      tag: 'fleet',
      access: ADMIN,
      params: idParams,
    },
    async ({ params }) => {
      const detail = await s.fleet.detail(params.id);
      return detail ? ok(detail) : err('unknown-agent', 'no such kiosk');
    },
  );
  api.define(
    {
      method: 'POST',
      url: '/api/admin/agents/:id/revoke',
      summary: "Revokes a kiosk's credential and disconnects it; it must enroll again",
      tag: 'fleet',
      access: ADMIN,
      params: idParams,
    },
    async ({ params, user }) => {
      if (!(await s.fleet.revoke(params.id))) return err('unknown-agent', 'no such kiosk');
      await s.auth.audit(user.username, 'agent-revoked', params.id);
      hooks.agentRevoked(params.id);
      await s.alerts.resolve(params.id);
      return ok(null);
    },
  );
  api.define(
    {
      method: 'GET',
      url: '/api/admin/alerts',
      summary: 'Fleet alerts (open ones, or all with includeResolved=true), with since-when',
      tag: 'fleet',
      access: ADMIN,
      query: alertQuerySchema,
    },
    async ({ query }) => ok(await s.alerts.list(query.includeResolved)),
  );
}
