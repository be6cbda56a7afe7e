/**
 * Who may call which HTTP route, by the product rules, written independently of the protocol's
 * role table (the authorization suites compare the two): the public routes, the kiosk routes, the
 * static pages, and the staff roles each other route admits.
 */

export type Role = 'admin' | 'reception' | 'clinic' | 'viewer';
export const ALL: Role[] = ['admin', 'reception', 'clinic', 'viewer'];
export const CALLERS: Role[] = ['admin', 'reception', 'clinic'];
export const ADMIN: Role[] = ['admin'];

export const PUBLIC = new Set([
  'GET /healthz',
  'GET /readyz',
  'POST /api/auth/login',
  'POST /api/agents/enroll',
  'POST /api/displays/pair',
  // Verified by the bank's signature, not a session.
  'POST /api/payments/bank-notifications',
  // A ticket's public status by the code its QR carries (no personal data; guesses rate-limited).
  'GET /api/t/:code',
  'GET /t/:code',
  'GET /t/sw.js',
  'GET /t/manifest.webmanifest',
  // The kiosk page's look, its agent's port and its languages: read before anyone is identified.
  'GET /api/kiosk/config',
  'GET /api/kiosk/languages',
]);
/** Routes for kiosk agents: their device credential as the bearer token, never a staff session. */
export const AGENT_ROUTES = new Set(['GET /api/agent/bundles/:version']);
export const isStaticPage = (method: string, url: string) =>
  method === 'GET' &&
  (url === '/' ||
    url === '/favicon.svg' ||
    /^\/(kiosk|counter|display|admin)\/?$/u.test(url) ||
    /^\/(assets|audio)\/\*$/u.test(url));

/** Who may call a route, by this reading of the product rules. */
export function expectedRoles(method: string, url: string): Role[] {
  if (url === '/metrics' || url.startsWith('/api/admin/')) return ADMIN;
  if (url.startsWith('/api/counter/')) return ['admin', 'reception'];
  // Two versions of a patient's identity: seen by those who call patients, settled at reception.
  if (url.startsWith('/api/identity-conflicts')) return method === 'GET' ? CALLERS : ['admin', 'reception'];
  if (url.startsWith('/api/patients/') || url.endsWith('/patient') || url.endsWith('/printable')) return CALLERS;
  if (url.startsWith('/api/queue') && method !== 'GET') return CALLERS;
  // Refunds are recorded at the reception counter (the cashier).
  if (url.startsWith('/api/payments/') && method !== 'GET') return ['admin', 'reception'];
  return ALL;
}

/** A route pattern with every parameter filled in. */
export const concrete = (url: string) => url.replace(/:[A-Za-z0-9_]+/gu, 'x-1').replace(/\*$/u, 'x');

/** Fastify adds a HEAD route beside every GET: it is guarded exactly like its GET. */
export const asGet = (method: string) => (method === 'HEAD' ? 'GET' : method);

/** The registered routes that need a staff session. */
export const protectedRoutesOf = (routes: readonly { method: string; url: string }[]) =>
  routes.filter(
    (r) =>
      !PUBLIC.has(`${asGet(r.method)} ${r.url}`) &&
      !AGENT_ROUTES.has(`${asGet(r.method)} ${r.url}`) &&
      !isStaticPage(asGet(r.method), r.url),
  );
