import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthService, Role, StaffUser } from '../services/auth.service';

export const SESSION_COOKIE = 'kiosk_sid';

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

/** The session token from the cookie or an `Authorization: Bearer` header. */
export function tokenOf(headers: {
  cookie?: string | undefined;
  authorization?: string | undefined;
}): string | undefined {
  const bearer = headers.authorization?.match(/^Bearer\s+(\S+)$/u)?.[1];
  return bearer ?? readCookie(headers.cookie, SESSION_COOKIE);
}

/** A preHandler that admits only a logged-in staff member with one of the roles. */
export function requireRole(auth: AuthService, roles: readonly Role[]) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const user = await auth.session(tokenOf(req.headers));
    if (!user)
      return reply.code(401).send({ ok: false, error: { code: 'unauthenticated', message: 'login required' } });
    if (!roles.includes(user.role))
      return reply
        .code(403)
        .send({ ok: false, error: { code: 'forbidden', message: `role ${user.role} may not do this` } });
    (req as FastifyRequest & { user: StaffUser }).user = user;
  };
}

export const userOf = (req: FastifyRequest): StaffUser => (req as FastifyRequest & { user: StaffUser }).user;
