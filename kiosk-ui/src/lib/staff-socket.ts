/**
 * The staff pages' socket.io links to the server (session cookie) and acks as promises: /staff
 * for queues (counters, viewers, admins' statistics), /admin for the fleet's alerts (admins only).
 * Both ride on one connection (socket.io multiplexes namespaces of the same origin).
 */
import { io, type Socket } from 'socket.io-client';
import type {
  AdminToServerEvents,
  Result,
  ServerToAdminEvents,
  ServerToStaffEvents,
  StaffToServerEvents,
} from '@kiosk/protocol';

export type StaffSocket = Socket<ServerToStaffEvents, StaffToServerEvents>;
export type AdminSocket = Socket<ServerToAdminEvents, AdminToServerEvents>;

/** The namespaces a staff session may open, and their sockets' types. */
interface SessionNamespaces {
  '/staff': StaffSocket;
  '/admin': AdminSocket;
}

/** Opens a namespace with the session cookie; reconnects on its own (a refused session does not retry). */
export function connectSession<N extends keyof SessionNamespaces>(namespace: N): SessionNamespaces[N] {
  return io(namespace, { transports: ['websocket'], withCredentials: true, reconnectionDelayMax: 3000 });
}

export const connectStaff = (): StaffSocket => connectSession('/staff');
export const connectAdmin = (): AdminSocket => connectSession('/admin');

/** Emits a command and resolves with its Result, or a timeout error. */
export function ask<T>(emit: (ack: (r: Result<T>) => void) => void, timeoutMs = 10_000): Promise<Result<T>> {
  return new Promise((resolve) => {
    const timer = setTimeout(
      () => resolve({ ok: false, error: { code: 'timeout', message: 'the server did not answer' } }),
      timeoutMs,
    );
    emit((r) => {
      clearTimeout(timer);
      resolve(r);
    });
  });
}
