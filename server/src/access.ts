/**
 * Access, in one place for HTTP and socket.io: the role groups routes and commands admit (derived
 * from the protocol's one table, which staff pages read too) and how a staff session's token is
 * found on a request or a socket handshake.
 */
import { accessGroups, adminCommandRoles, staffCommandRoles } from '@kiosk/protocol';
import type { Role } from './services/auth.service';

/** Every staff role. */
export const STAFF: readonly Role[] = accessGroups.staff;
/** Roles that act on queues; viewers only read. */
export const CALLERS: readonly Role[] = accessGroups.callers;
/** Registration at the reception counter. */
export const COUNTER: readonly Role[] = accessGroups.counter;
export const ADMIN: readonly Role[] = accessGroups.admin;

/** Who may send each /staff and /admin command: the protocol's table, enforced as it is. */
export { adminCommandRoles, staffCommandRoles };

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

/** A socket handshake's session token: `auth.token`, else the session cookie. */
export function handshakeTokenOf(handshake: {
  auth: Record<string, unknown>;
  headers: { cookie?: string | undefined };
}): string | undefined {
  const token = handshake.auth['token'];
  return typeof token === 'string' ? token : tokenOf({ cookie: handshake.headers.cookie });
}
