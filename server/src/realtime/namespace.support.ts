/**
 * What the staff-session namespaces (/staff, /admin) share: the handshake that admits a session of
 * the right role, and the per-command guard that re-reads the session and checks the role table;
 * and the options every namespace serves its commands with, rate limits included: a token bucket
 * per socket, one per session (shared by every socket of a staff session or of a kiosk agent)
 * and a bound on the commands a socket has running. A refused command is answered 'rate-limited'
 * before anything else is done for it.
 */
import { createHash } from 'node:crypto';
import type { Socket } from 'socket.io';
import {
  err,
  KeyedBuckets,
  serveCommands,
  TokenBucket,
  type BucketSize,
  cutOff,
  type CommandLimits,
  type FloodingSocket,
  type CommandHandlers,
  type CommandOptions,
  type CommandSocket,
  type CommandTable,
  type Result,
} from '@kiosk/protocol';
import type { Services } from '../services';
import type { Role, StaffUser } from '../services/auth.service';
import { handshakeTokenOf } from '../access';
import type { Logger } from '../logger';

/** What a socket of a staff-session namespace (/staff, /admin) carries from its handshake. */
export interface SessionData {
  user: StaffUser;
  token: string;
}

export interface SocketLimitSizes {
  /** Each socket's bucket. */
  socket: BucketSize;
  /** Each session's bucket (a staff session token, a kiosk agent), shared by its sockets. */
  session: BucketSize;
  /** Commands one socket may have running at once. */
  maxInFlight: number;
  /** Sessions whose buckets are remembered (idle ones are forgotten first). */
  maxSessions: number;
  /** A socket refused this many commands in a row ignores 'rate-limited' and is disconnected. */
  floodAfter: number;
}

/** The rate limits of every namespace's commands: one bucket per socket, one per session. */
export class SocketLimits {
  private readonly sessions: KeyedBuckets;

  constructor(
    private readonly sizes: SocketLimitSizes,
    private readonly onLimited: (namespace: string, event: string) => void = () => undefined,
  ) {
    this.sessions = new KeyedBuckets(sizes.session, sizes.maxSessions);
  }

  /**
   * Limits for one new socket of `namespace`, whose session is `sessionKey` (never logged or kept
   * in clear); a socket that floods past the refusals is disconnected (its queued packets dropped).
   */
  forSocket(namespace: string, sessionKey: string, socket: FloodingSocket): CommandLimits {
    const key = createHash('sha256').update(sessionKey).digest('base64url');
    return {
      buckets: [new TokenBucket(this.sizes.socket), this.sessions.of(key)],
      maxInFlight: this.sizes.maxInFlight,
      onLimited: (event) => this.onLimited(namespace, event),
      floodAfter: this.sizes.floodAfter,
      onFlood: () => {
        this.onLimited(namespace, 'disconnected');
        cutOff(socket);
      },
    };
  }
}

/** How every namespace serves its commands: a failed handler is logged and answered 'internal-error'. */
export const commandOptions = (log: Logger, limits?: CommandLimits): CommandOptions => ({
  onError: (e, event) => log.error({ event, err: String(e) }, 'socket command failed'),
  failure: { message: 'the server could not complete this request' },
  ...(limits ? { limits } : {}),
});

/**
 * Handshake of a staff-session namespace: the session token from `auth.token`, else the session
 * cookie. No valid session: 'unauthorized'; a session whose role is not in `roles`: 'forbidden'.
 */
export function admitSession(s: Services, roles: readonly Role[]) {
  return (socket: Pick<Socket, 'handshake'> & { data: Partial<SessionData> }, next: (e?: Error) => void) => {
    const token = handshakeTokenOf(socket.handshake);
    s.auth.session(token).then(
      (user) => {
        if (!user || !token) return next(new Error('unauthorized'));
        if (!roles.includes(user.role)) return next(new Error('forbidden'));
        socket.data.user = user;
        socket.data.token = token;
        next();
      },
      () => next(new Error('unauthorized')),
    );
  };
}

/**
 * Serves a table's commands on one socket of a staff-session namespace, each behind its role in
 * `roles` (others get 'forbidden'). Every command re-reads the session first: a logout, an expiry,
 * a disabled account or a role change takes effect on open sockets too (the socket is then closed).
 */
export function serveSessionCommands<T extends CommandTable>(
  s: Services,
  log: Logger,
  limits: SocketLimits,
  namespace: string,
  socket: CommandSocket & { data: SessionData; disconnect(close: boolean): unknown },
  table: T,
  roles: NoInfer<Record<keyof T, readonly Role[]>>,
  handlers: NoInfer<CommandHandlers<T>>,
): void {
  const { user, token } = socket.data;
  const current = async (): Promise<StaffUser | undefined> => {
    const fresh = await s.auth.session(token);
    if (!fresh || fresh.role !== user.role) {
      setImmediate(() => socket.disconnect(true));
      return undefined;
    }
    return fresh;
  };
  type Handler = (payload: unknown) => Promise<Result<unknown>> | Result<unknown>;
  const guarded: Record<string, Handler> = {};
  for (const [event, handler] of Object.entries(handlers as Record<string, Handler>)) {
    const allowed = roles[event as keyof T];
    guarded[event] = async (payload) => {
      const fresh = await current();
      if (!fresh) return err('unauthenticated', 'the session ended');
      return allowed.includes(fresh.role) ? handler(payload) : err('forbidden', `role ${fresh.role} may not do this`);
    };
  }
  serveCommands(
    socket,
    table,
    guarded as CommandHandlers<T>,
    commandOptions(log, limits.forSocket(namespace, token, socket)),
  );
}
