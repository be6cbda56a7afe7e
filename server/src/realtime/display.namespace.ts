/** /display: public, numbers and rooms only. The recent calls on connection, then each call. */
import type { Namespace, Server } from 'socket.io';
import type { CalledTicket, DisplayToServerEvents, ServerToDisplayEvents } from '@kiosk/protocol';
import type { Services } from '../services';
import type { Logger } from '../logger';

export function attachDisplayNamespace(io: Server, s: Services, log: Logger) {
  const display = io.of('/display') as unknown as Namespace<DisplayToServerEvents, ServerToDisplayEvents>;
  display.on('connection', (socket) => {
    s.queue.recentCalls().then(
      (calls) => socket.emit('board:refreshed', calls),
      (e: unknown) => log.warn({ err: String(e) }, 'display snapshot failed'),
    );
  });
  return { callAnnounced: (call: CalledTicket) => display.emit('call:announced', call) };
}
