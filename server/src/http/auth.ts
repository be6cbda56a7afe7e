import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthService, Role, StaffUser } from '../services/auth.service';
import { tokenOf } from '../access';

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
