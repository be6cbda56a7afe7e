/** /admin: admins only (staff session with role admin). Fleet alerts: the list, and each change. */
import type { Namespace, Server } from 'socket.io';
import {
  adminCommands,
  ok,
  type AdminToServerEvents,
  type FleetAlert,
  type ServerToAdminEvents,
} from '@kiosk/protocol';
import type { Services } from '../services';
import { ADMIN, adminCommandRoles } from '../access';
import type { Logger } from '../logger';
import { admitSession, serveSessionCommands, type SessionData, type SocketLimits } from './namespace.support';

export function attachAdminNamespace(io: Server, s: Services, log: Logger, limits: SocketLimits) {
  const admin = io.of('/admin') as unknown as Namespace<
    AdminToServerEvents,
    ServerToAdminEvents,
    Record<string, never>,
    SessionData
  >;
  admin.use(admitSession(s, ADMIN));
  admin.on('connection', (socket) =>
    serveSessionCommands(s, log, limits, '/admin', socket, adminCommands, adminCommandRoles, {
      'alerts:list': async (q) => ok(await s.alerts.list(q.includeResolved ?? false)),
    }),
  );
  return { alertChanged: (alert: FleetAlert) => admin.emit('alert:changed', alert) };
}
