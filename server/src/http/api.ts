/**
 * Declares HTTP API routes once: method, path, who may call, zod schemas for params, query and
 * body. The same declarations drive validation, role checks and /api/openapi.json. Handlers
 * return a Result; its error code picks the HTTP status. Before a request's body is read, every
 * route checks its group's rate limits (the route's tag: one token bucket per client address and
 * one per session) and, when it changes state, the browser origin and the body's type.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { KeyedBuckets, parseWith, type BucketSize, type Result } from '@kiosk/protocol';
import type { AuthService, Role, StaffUser } from '../services/auth.service';
import { tokenOf } from '../access';
import { timingSafeEqual } from 'node:crypto';
import { Readable } from 'node:stream';
import { sha256 } from '../services/auth.service';
import { jsonOrNoBody, originAllowed, STATE_CHANGING } from './edge';

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
  /** Keep the body's exact text for the handler (signed webhooks verify the bytes, not the parse). */
  rawBody?: boolean;
  /** A larger body than the server's default (uploads). */
  bodyLimitBytes?: number;
}

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** The staff member, for routes with a role list. */
  user: StaffUser;
  /** The body as received, for routes declared with `rawBody`. */
  rawBody: string | undefined;
  req: FastifyRequest;
  reply: FastifyReply;
}

/** HTTP status per error code; anything else is a 400 (the caller sent something unusable). */
const statusOf: Record<string, number> = {
  'validation-failed': 400,
  unauthenticated: 401,
  'invalid-login': 401,
  'bad-signature': 401,
  forbidden: 403,
  'invalid-pairing-code': 403,
  'invalid-transition': 409,
  conflict: 409,
  'rate-limited': 429,
  'origin-not-allowed': 403,
  'unsupported-media-type': 415,
  'internal-error': 500,
  'check-in-failed': 500,
  'stored-data-invalid': 500,
  'kiosk-offline': 503,
  expired: 404,
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

export interface EdgeOptions {
  /** Each session's bucket per route group. */
  session: BucketSize;
  /** Each client address's bucket per route group. */
  address: BucketSize;
  /** Keys remembered per kind (sessions, addresses). */
  maxKeys: number;
  /** Browser origins allowed besides the server's own. */
  allowedOrigins: readonly string[];
  /** A request was refused by a rate limit (route group). */
  onLimited?: (group: string) => void;
}

/** A signed webhook body larger than this is refused before it is read further. */
const RAW_BODY_LIMIT_BYTES = 64 * 1024;
const rawBodies = new WeakMap<FastifyRequest, string>();

/** Reads the body once, keeps its text, and hands Fastify's JSON parser the same bytes. */
async function keepRawBody(req: FastifyRequest, payload: AsyncIterable<Buffer | string>) {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of payload) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += bytes.length;
    if (size > RAW_BODY_LIMIT_BYTES) throw Object.assign(new Error('body too large'), { statusCode: 413 });
    chunks.push(bytes);
  }
  const raw = Buffer.concat(chunks);
  rawBodies.set(req, raw.toString('utf8'));
  const replay = Readable.from([raw]) as Readable & { receivedEncodedLength?: number };
  replay.receivedEncodedLength = raw.length;
  return replay;
}

const refusal = (code: string, message: string) => ({ ok: false, error: { code, message } });

export class ApiRegistry {
  readonly routes: DeclaredRoute[] = [];
  private readonly sessions: KeyedBuckets;
  private readonly addresses: KeyedBuckets;
  private readonly origins: ReadonlySet<string>;

  constructor(
    private readonly app: FastifyInstance,
    private readonly auth: AuthService,
    private readonly edge: EdgeOptions,
  ) {
    this.sessions = new KeyedBuckets(edge.session, edge.maxKeys);
    this.addresses = new KeyedBuckets(edge.address, edge.maxKeys);
    this.origins = new Set(edge.allowedOrigins);
  }

  /** Takes a token from the group's address bucket and, with a session token, its session bucket. */
  private admit(group: string, req: FastifyRequest): boolean {
    const token = tokenOf(req.headers);
    let allowed = this.addresses.take(`${group} ${req.ip}`);
    if (token !== undefined) allowed = this.sessions.take(`${group} ${sha256(token)}`) && allowed;
    return allowed;
  }

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
    const changesState = STATE_CHANGING.has(spec.method);
    this.app.route({
      method: spec.method,
      url: spec.url,
      ...(spec.bodyLimitBytes ? { bodyLimit: spec.bodyLimitBytes } : {}),
      // Before the body is read: a refused request costs no parsing and no database work.
      onRequest: async (req, reply) => {
        if (!this.admit(spec.tag, req)) {
          this.edge.onLimited?.(spec.tag);
          return reply
            .code(429)
            .header('retry-after', '1')
            .send(refusal('rate-limited', 'too many requests: slow down and try again'));
        }
        if (!changesState) return;
        if (!originAllowed(req.headers, this.origins))
          return reply.code(403).send(refusal('origin-not-allowed', 'requests from this origin are not accepted'));
        if (!jsonOrNoBody(req.headers))
          return reply.code(415).send(refusal('unsupported-media-type', 'send the body as application/json'));
      },
      ...(spec.rawBody
        ? {
            preParsing: async (req: FastifyRequest, _reply: FastifyReply, payload: AsyncIterable<Buffer | string>) =>
              keepRawBody(req, payload),
          }
        : {}),
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
          rawBody: rawBodies.get(req),
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
