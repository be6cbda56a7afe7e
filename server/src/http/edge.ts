/**
 * The HTTP edge's protections, in one place for routes and socket handshakes: which browser
 * origins may change state or open a socket (the server's own origin and a configured list; never
 * a reflected one), JSON-only bodies on state-changing routes, and the security headers of every
 * answer (a CSP without inline script, no framing, no MIME sniffing, no referrer beyond the origin,
 * HSTS when the server is reached over HTTPS).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance } from 'fastify';

export const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Whether a browser request from `headers` may act here. Browsers send `Origin` on every
 * cross-origin request, every WebSocket and every state-changing fetch; a request without it and
 * without `Sec-Fetch-Site` comes from no browser (an agent, a script) and carries no ambient
 * cookie to abuse, so it passes to the usual session check.
 */
export function originAllowed(headers: IncomingHttpHeaders, allowed: ReadonlySet<string>): boolean {
  const origin = headers.origin;
  if (origin === undefined) {
    const site = headers['sec-fetch-site'];
    return site === undefined || site === 'same-origin' || site === 'none';
  }
  if (allowed.has(origin)) return true;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === headers.host;
  } catch {
    // 'null' (sandboxed frames, file: pages) and anything unreadable.
    return false;
  }
}

/** A state-changing request's body must be JSON; a bodyless one may name no other type. */
export function jsonOrNoBody(headers: IncomingHttpHeaders): boolean {
  const type = headers['content-type'];
  if (type === undefined || type === '') return true;
  return /^application\/json\s*(;|$)/iu.test(type);
}

/** The agent on this kiosk PC listens on loopback; the kiosk page connects to it. */
const LOOPBACK_AGENT = ['http://127.0.0.1:*', 'ws://127.0.0.1:*', 'http://localhost:*', 'ws://localhost:*'];

export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  // Svelte sets style attributes on elements; no script can come through a style.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' data: blob:",
  "font-src 'self' data:",
  `connect-src 'self' ${LOOPBACK_AGENT.join(' ')}`,
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Security headers on every answer (pages, API, errors). */
export function addSecurityHeaders(app: FastifyInstance, options: { tls: boolean }): void {
  app.addHook('onSend', async (req, reply) => {
    reply.header('content-security-policy', contentSecurityPolicy);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'strict-origin-when-cross-origin');
    reply.header('x-frame-options', 'DENY');
    reply.header('cross-origin-opener-policy', 'same-origin');
    // req.protocol reads X-Forwarded-Proto only from a trusted proxy (TRUST_PROXY).
    if (options.tls || req.protocol === 'https')
      reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
  });
}
