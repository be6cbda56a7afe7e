/** The staff pages' socket.io link to the server (/staff, session cookie) and acks as promises. */
import { io, type Socket } from 'socket.io-client';
import type { Result, ServerToStaffEvents, StaffToServerEvents } from '@kiosk/protocol';

export type StaffSocket = Socket<ServerToStaffEvents, StaffToServerEvents>;

export function connectStaff(): StaffSocket {
  return io('/staff', { transports: ['websocket'], withCredentials: true, reconnectionDelayMax: 3000 });
}

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
