/** Operations: Prometheus metrics and the OpenAPI document. */
import type { Metrics } from '../ops/metrics';
import { openApiDocument } from '../ops/openapi';
import type { ApiRegistry } from './api';
import { ADMIN, STAFF } from '../access';

export function registerOpsRoutes(api: ApiRegistry, metrics: Metrics, metricsToken: string | undefined): void {
  api.define(
    {
      method: 'GET',
      url: '/metrics',
      summary: 'Prometheus text format; an admin session or the METRICS_TOKEN bearer token',
      tag: 'ops',
      access: ADMIN,
      ...(metricsToken ? { bearerToken: metricsToken } : {}),
      raw: true,
    },
    async ({ reply }) => {
      const text = await metrics.text();
      await reply.header('content-type', metrics.contentType).send(text);
    },
  );
  api.define(
    {
      method: 'GET',
      url: '/api/openapi.json',
      summary: 'This document: every HTTP route with its schemas and who may call it (the bare OpenAPI document)',
      tag: 'ops',
      access: STAFF,
      // Swagger UI, Redocly and client generators read the document itself, not a Result around it.
      raw: true,
    },
    async ({ reply }) => {
      const doc = openApiDocument(api.routes, { title: 'Kiosk reception server', version: '0.1.0' });
      await reply.header('content-type', 'application/json; charset=utf-8').send(doc);
    },
  );
}
