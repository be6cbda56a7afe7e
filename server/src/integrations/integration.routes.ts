/**
 * Admin API of the integrations: EMR deliveries (pending and failed, retry), a patient's
 * demographic update to the EMR, the BHYT answers of a visit (with the gateway's note for staff),
 * and the Decision 4750 check-in record export. Admin only; every action and every read of
 * personal data is written to the audit log.
 */
import { z } from 'zod';
import { err, ok, portalSettingSchema, type EmrOutboxState, type PortalOutboxState } from '@kiosk/protocol';
import { EINVOICE_KINDS, EMR_KINDS, PORTAL_KINDS } from '../repositories/outbox.repository';
import { facilityDay } from '../clock';
import { utcOffsetOf } from './vn-core';
import type { ApiRegistry } from '../http/api';
import { ADMIN } from '../access';
import type { AuthService } from '../services/auth.service';
import type { Integrations } from './integrations.module';
import { toJson4750, toXml4750 } from './checkin-record-4750';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/u, 'expected YYYY-MM-DD');

export interface IntegrationRouteDeps {
  integrations: Integrations;
  auth: AuthService;
  timeZone: string;
}

export function registerIntegrationRoutes(api: ApiRegistry, deps: IntegrationRouteDeps): void {
  const { integrations, auth } = deps;
  const dayStart = () =>
    new Date(
      `${facilityDay(new Date(), deps.timeZone)}T00:00:00${utcOffsetOf(new Date(), deps.timeZone)}`,
    ).toISOString();
  const statusQuery = z.object({
    status: z
      .string()
      .default('pending,failed')
      .transform((v) => v.split(',').map((s) => s.trim()))
      .pipe(z.array(z.enum(['pending', 'delivering', 'delivered', 'failed'])).min(1)),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  });

  api.define(
    {
      method: 'GET',
      url: '/api/admin/emr/outbox',
      summary:
        'EMR outbox at a glance for the admin dashboard: adapter, depth, delivered today, oldest wait, last error code',
      tag: 'emr',
      access: ADMIN,
    },
    async () => {
      const adapter =
        { fhir: 'fhir-r4', hl7: 'hl7v2-mllp', local: 'none' }[integrations.emr.mode] ?? integrations.emr.mode;
      const state: EmrOutboxState = { adapter, ...(await integrations.outbox.summary(dayStart(), EMR_KINDS)) };
      return ok(state);
    },
  );

  api.define(
    {
      method: 'GET',
      url: '/api/admin/emr/deliveries',
      summary: 'EMR deliveries by status (default: pending and failed), with queue depth and the EMR mode',
      tag: 'emr',
      access: ADMIN,
      query: statusQuery,
    },
    async ({ query }) =>
      ok({
        mode: integrations.emr.mode,
        depth: await integrations.outbox.depth(EMR_KINDS),
        deliveries: await integrations.outbox.list(query.status, query.limit, EMR_KINDS),
      }),
  );

  api.define(
    {
      method: 'POST',
      url: '/api/admin/emr/deliveries/:id/retry',
      summary: 'Delivers a failed or waiting EMR delivery again now',
      tag: 'emr',
      access: ADMIN,
      params: z.object({ id: z.string().uuid() }),
    },
    async ({ params, user }) => {
      const changed = await integrations.outbox.retry([params.id], EMR_KINDS);
      if (changed === 0) return err('unknown-delivery', 'no failed or pending delivery with this id');
      await auth.audit(user.username, 'emr-delivery-retry', params.id);
      integrations.worker.nudge();
      return ok({ retried: changed });
    },
  );

  api.define(
    {
      method: 'POST',
      url: '/api/admin/emr/deliveries/retry-failed',
      summary: 'Delivers every failed EMR delivery again',
      tag: 'emr',
      access: ADMIN,
    },
    async ({ user }) => {
      const changed = await integrations.outbox.retry('all-failed', EMR_KINDS);
      await auth.audit(user.username, 'emr-delivery-retry-failed', String(changed));
      integrations.worker.nudge();
      return ok({ retried: changed });
    },
  );

  api.define(
    {
      method: 'GET',
      url: '/api/admin/portal/outbox',
      summary:
        'Decision 4750 records to the social-insurance data portal at a glance: on/off, depth, delivered today, oldest wait, last error code',
      tag: 'portal',
      access: ADMIN,
    },
    async () => {
      const state: PortalOutboxState = {
        configured: integrations.portal !== undefined,
        enabled: integrations.portalEnabled,
        ...(await integrations.outbox.summary(dayStart(), PORTAL_KINDS)),
      };
      return ok(state);
    },
  );

  api.define(
    {
      method: 'GET',
      url: '/api/admin/portal/deliveries',
      summary: 'Deliveries of 4750 records to the portal by status (default: pending and failed), with the reason',
      tag: 'portal',
      access: ADMIN,
      query: statusQuery,
    },
    async ({ query }) =>
      ok({
        depth: await integrations.outbox.depth(PORTAL_KINDS),
        deliveries: await integrations.outbox.list(query.status, query.limit, PORTAL_KINDS),
      }),
  );

  api.define(
    {
      method: 'POST',
      url: '/api/admin/portal/deliveries/:id/retry',
      summary: 'Sends a failed or waiting 4750 record to the portal again now',
      tag: 'portal',
      access: ADMIN,
      params: z.object({ id: z.string().uuid() }),
    },
    async ({ params, user }) => {
      const changed = await integrations.outbox.retry([params.id], PORTAL_KINDS);
      if (changed === 0) return err('unknown-delivery', 'no failed or pending portal delivery with this id');
      await auth.audit(user.username, 'portal-delivery-retry', params.id);
      integrations.portalWorker?.nudge();
      return ok({ retried: changed });
    },
  );

  api.define(
    {
      method: 'POST',
      url: '/api/admin/portal/deliveries/retry-failed',
      summary: 'Sends every failed 4750 record to the portal again',
      tag: 'portal',
      access: ADMIN,
    },
    async ({ user }) => {
      const changed = await integrations.outbox.retry('all-failed', PORTAL_KINDS);
      await auth.audit(user.username, 'portal-delivery-retry-failed', String(changed));
      integrations.portalWorker?.nudge();
      return ok({ retried: changed });
    },
  );

  api.define(
    {
      method: 'GET',
      url: '/api/admin/einvoice/outbox',
      summary:
        'E-invoices of paid fees on their way to the provider: configured, depth, issued today, oldest wait, last error code',
      tag: 'einvoice',
      access: ADMIN,
    },
    async () => {
      const state: PortalOutboxState = {
        configured: integrations.einvoice !== undefined,
        enabled: integrations.einvoice !== undefined,
        ...(await integrations.outbox.summary(dayStart(), EINVOICE_KINDS)),
      };
      return ok(state);
    },
  );

  api.define(
    {
      method: 'GET',
      url: '/api/admin/einvoice/deliveries',
      summary: 'E-invoice deliveries by status (default: pending and failed), with the reason in words',
      tag: 'einvoice',
      access: ADMIN,
      query: statusQuery,
    },
    async ({ query }) =>
      ok({
        depth: await integrations.outbox.depth(EINVOICE_KINDS),
        deliveries: await integrations.outbox.list(query.status, query.limit, EINVOICE_KINDS),
      }),
  );

  api.define(
    {
      method: 'POST',
      url: '/api/admin/einvoice/deliveries/retry-failed',
      summary: 'Sends every refused e-invoice to the provider again (after the cause was fixed)',
      tag: 'einvoice',
      access: ADMIN,
    },
    async ({ user }) => {
      const changed = await integrations.outbox.retry('all-failed', EINVOICE_KINDS);
      await auth.audit(user.username, 'einvoice-delivery-retry-failed', String(changed));
      integrations.einvoiceWorker?.nudge();
      return ok({ retried: changed });
    },
  );

  api.define(
    {
      method: 'PUT',
      url: '/api/admin/portal/settings',
      summary: "The facility's switch: send each check-in's 4750 record to the portal, or not (audited)",
      tag: 'portal',
      access: ADMIN,
      body: portalSettingSchema,
    },
    async ({ body, user }) => {
      const r = await integrations.setPortalEnabled(body.enabled);
      if (r.ok) await auth.audit(user.username, 'portal-setting', body.enabled ? 'on' : 'off');
      return r;
    },
  );

  api.define(
    {
      method: 'POST',
      url: '/api/admin/emr/patients/:patientId/update',
      summary: "Sends the patient's current details to the EMR (HL7 A08 / FHIR update)",
      tag: 'emr',
      access: ADMIN,
      params: z.object({ patientId: z.string().min(1).max(64) }),
    },
    async ({ params, user }) => {
      if (!(await integrations.enqueuePatientUpdate(params.patientId)))
        return err('unknown-patient', 'no such patient');
      await auth.audit(user.username, 'emr-patient-update', params.patientId);
      return ok({ queued: true });
    },
  );

  api.define(
    {
      method: 'GET',
      url: '/api/admin/visits/:visitId/insurance',
      summary: "The BHYT gateway's answers used for a visit, with its note for staff (audited)",
      tag: 'insurance',
      access: ADMIN,
      params: z.object({ visitId: z.string().min(1).max(64) }),
    },
    async ({ params, user }) => {
      await auth.audit(user.username, 'insurance-read', params.visitId);
      return ok(await integrations.insuranceChecksOf(params.visitId));
    },
  );

  api.define(
    {
      method: 'GET',
      url: '/api/admin/exports/checkin-4750',
      summary: 'Decision 4750 check-in records of a date range (facility days), as XML or JSON (audited)',
      tag: 'exports',
      access: ADMIN,
      query: z
        .object({ from: day, to: day, format: z.enum(['xml', 'json']).default('xml') })
        .refine((q) => q.from <= q.to, 'from must not be after to'),
      raw: true,
    },
    async ({ query, user, reply }) => {
      const records = await integrations.checkinRecords(query.from, query.to);
      await auth.audit(user.username, `export-4750:${query.format}`, `${query.from}..${query.to} (${records.length})`);
      const name = `checkin-4750-${query.from}-${query.to}`;
      if (query.format === 'json') {
        await reply
          .header('content-type', 'application/json; charset=utf-8')
          .header('content-disposition', `attachment; filename="${name}.json"`)
          .send(toJson4750(records));
        return;
      }
      await reply
        .header('content-type', 'application/xml; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}.xml"`)
        .send(toXml4750(records));
    },
  );
}
