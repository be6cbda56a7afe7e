/**
 * Declares HTTP API routes once: method, path, who may call, zod schemas for params, query and
 * body. The same declarations drive validation, role checks and /api/openapi.json. Handlers
 * return a Result; its error code picks the HTTP status.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseWith, type Result } from '@kiosk/protocol';
import type { AuthService, Role, StaffUser } from '../services/auth.service';
import { tokenOf } from '../access';
import { timingSafeEqual } from 'node:crypto';
import { sha256 } from '../services/auth.service';

export type Access = 'public' | 'agent' | readonly Role[];

export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  summary: string;
  tag: string;
  access: Access;
  params?: P;
  query?: Q;
  body?: B;
  /** Describes `value` of a successful Result, for the OpenAPI document. */
  response?: z.ZodType;
  /** Not JSON (Prometheus text, redirects …): the handler writes the reply itself. */
  raw?: boolean;
  /** Also admits `Authorization: Bearer <this>` without a session (machine scrapers). */
  bearerToken?: string;
}

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** The staff member, for routes with a role list. */
  user: StaffUser;
  req: FastifyRequest;
  reply: FastifyReply;
}

/** HTTP status per error code; anything else is a 400 (the caller sent something unusable). */
const statusOf: Record<string, number> = {
  'validation-failed': 400,
  unauthenticated: 401,
  'invalid-login': 401,
  forbidden: 403,
  'invalid-pairing-code': 403,
  'invalid-transition': 409,
  conflict: 409,
  'rate-limited': 429,
  'internal-error': 500,
  'check-in-failed': 500,
  'stored-data-invalid': 500,
  'kiosk-offline': 503,
  'print-timeout': 504,
};
export const httpStatusOf = (code: string): number => statusOf[code] ?? (code.startsWith('unknown-') ? 404 : 400);

export interface DeclaredRoute {
  method: string;
  url: string;
  summary: string;
  tag: string;
  access: Access;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  response?: z.ZodType;
  raw?: boolean;
}

function bearerMatches(header: string | undefined, expected: string): boolean {
  const given = header?.match(/^Bearer\s+(\S+)$/u)?.[1];
  if (!given) return false;
  const a = Buffer.from(sha256(given));
  const b = Buffer.from(sha256(expected));
  return timingSafeEqual(a, b);
}

const anonymousUser: StaffUser = { id: '', username: '', role: 'viewer' };

export class ApiRegistry {
  readonly routes: DeclaredRoute[] = [];

  constructor(
    private readonly app: FastifyInstance,
    private readonly auth: AuthService,
  ) {}

  /** Records a route that is registered elsewhere (static pages, socket.io), for the OpenAPI document. */
  describe(route: DeclaredRoute): void {
    this.routes.push(route);
  }

  define<
    P extends z.ZodType = z.ZodObject<Record<string, never>>,
    Q extends z.ZodType = z.ZodObject<Record<string, never>>,
    B extends z.ZodType = z.ZodUnknown,
    T = unknown,
  >(
    spec: RouteSpec<P, Q, B>,
    handler: (ctx: RouteContext<z.infer<P>, z.infer<Q>, z.infer<B>>) => Promise<Result<T> | void>,
  ): void {
    this.routes.push(spec);
    const { auth } = this;
    const roles = Array.isArray(spec.access) ? (spec.access as readonly Role[]) : undefined;
    this.app.route({
      method: spec.method,
      url: spec.url,
      handler: async (req, reply) => {
        let user = anonymousUser;
        const machine = spec.bearerToken !== undefined && bearerMatches(req.headers.authorization, spec.bearerToken);
        if (roles && !machine) {
          const found = await auth.session(tokenOf(req.headers));
          if (!found)
            return reply.code(401).send({ ok: false, error: { code: 'unauthenticated', message: 'login required' } });
          if (!roles.includes(found.role))
            return reply
              .code(403)
              .send({ ok: false, error: { code: 'forbidden', message: `role ${found.role} may not do this` } });
          user = found;
        }
        const params = parseWith(spec.params ?? z.object({}).passthrough(), req.params ?? {});
        const query = parseWith(spec.query ?? z.object({}).passthrough(), req.query ?? {});
        const body = spec.body ? parseWith(spec.body, req.body) : ({ ok: true, value: undefined } as const);
        for (const part of [params, query, body])
          if (!part.ok) return reply.code(400).send({ ok: false, error: part.error });
        const result = await handler({
          params: (params as { value: z.infer<P> }).value,
          query: (query as { value: z.infer<Q> }).value,
          body: (body as { value: z.infer<B> }).value,
          user,
          req,
          reply,
        });
        if (spec.raw || result === undefined) return reply;
        if (!result.ok) return reply.code(httpStatusOf(result.error.code)).send(result);
        return result;
      },
    });
  }
}
