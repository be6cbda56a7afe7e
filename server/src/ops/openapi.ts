/** The OpenAPI 3.1 document, generated from the declared routes and their zod schemas. */
import { z } from 'zod';
import type { DeclaredRoute } from '../http/api';

type Json = Record<string, unknown>;

/** A route as documented: a facility's declared routes, or the province host's (its own roles). */
export type DocumentedRoute = Omit<DeclaredRoute, 'access'> & { access: 'public' | 'agent' | readonly string[] };

const toSchema = (schema: z.ZodType): Json =>
  z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Json;

/** `/api/queue/tickets/:ticketId/recall` → `/api/queue/tickets/{ticketId}/recall`; `*` → `{path}`. */
export const openApiPath = (url: string): string => url.replace(/:([A-Za-z0-9_]+)/gu, '{$1}').replace(/\*$/u, '{path}');

function parametersOf(route: DocumentedRoute): Json[] {
  const out: Json[] = [];
  const add = (where: 'path' | 'query', schema: z.ZodType | undefined) => {
    if (!schema) return;
    const json = toSchema(schema);
    const props = (json['properties'] ?? {}) as Record<string, Json>;
    const required = new Set((json['required'] ?? []) as string[]);
    for (const [name, s] of Object.entries(props))
      out.push({ name, in: where, required: where === 'path' || required.has(name), schema: s });
  };
  add('path', route.params);
  add('query', route.query);
  // Path parameters the route declares without a schema (static wildcards).
  for (const m of openApiPath(route.url).matchAll(/\{([A-Za-z0-9_]+)\}/gu))
    if (!out.some((p) => p['name'] === m[1] && p['in'] === 'path'))
      out.push({ name: m[1], in: 'path', required: true, schema: { type: 'string' } });
  return out;
}

const errorEnvelope: Json = {
  type: 'object',
  properties: {
    ok: { const: false },
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' }, hint: { type: 'string' } },
      required: ['code', 'message'],
    },
  },
  required: ['ok', 'error'],
};

export function openApiDocument(routes: readonly DocumentedRoute[], info: { title: string; version: string }): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const r of routes) {
    const path = openApiPath(r.url);
    const op: Json = {
      summary: r.summary,
      tags: [r.tag],
      operationId: `${r.method.toLowerCase()}${path.replace(/[^A-Za-z0-9]+(.)?/gu, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
      'x-access': Array.isArray(r.access) ? { roles: r.access } : r.access,
    };
    const parameters = parametersOf(r);
    if (parameters.length > 0) op['parameters'] = parameters;
    if (r.body) op['requestBody'] = { required: true, content: { 'application/json': { schema: toSchema(r.body) } } };
    const responses: Record<string, Json> = {};
    if (r.raw) responses['200'] = { description: 'OK' };
    else {
      const value = r.response ? toSchema(r.response) : {};
      responses['200'] = {
        description: 'A Result with ok: true',
        content: {
          'application/json': {
            schema: { type: 'object', properties: { ok: { const: true }, value }, required: ['ok', 'value'] },
          },
        },
      };
      responses['400'] = {
        description: 'validation-failed or another refusal',
        content: { 'application/json': { schema: errorEnvelope } },
      };
    }
    if (Array.isArray(r.access)) {
      responses['401'] = { description: 'unauthenticated', content: { 'application/json': { schema: errorEnvelope } } };
      responses['403'] = {
        description: 'forbidden for this role',
        content: { 'application/json': { schema: errorEnvelope } },
      };
      op['security'] = [{ session: [] }, { bearer: [] }];
    }
    op['responses'] = responses;
    (paths[path] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'kiosk_sid' },
        bearer: { type: 'http', scheme: 'bearer' },
      },
    },
  };
}
