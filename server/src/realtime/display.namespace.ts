/**
 * /display: paired waiting-room screens (a display credential, display-board.ts), numbers and
 * rooms only. On connection a screen gets its configuration and the recent calls of its services,
 * then each call of those services. A configuration change re-sends both; a revoked display is
 * disconnected, on every server instance.
 */
import type { Namespace, Server, Socket } from 'socket.io';
import type { BoardConfig, CalledTicket, DisplayToServerEvents, ServerToDisplayEvents } from '@kiosk/protocol';
import type { Services } from '../services';
import type { DisplayIdentity } from '../services/display.service';
import type { Logger } from '../logger';

/** Between server instances, on the /display namespace. */
interface DisplayServerSideEvents {
  'display:reconfigure': (displayId: string | null) => void;
  'display:revoke': (displayId: string) => void;
}
interface DisplaySocketData {
  display: DisplayIdentity;
  /** The configuration read at the handshake, so the screen is in its rooms as soon as it connects. */
  config?: BoardConfig;
}
type DisplaySocket = Socket<DisplayToServerEvents, ServerToDisplayEvents, DisplayServerSideEvents, DisplaySocketData>;

/** The board keeps this many recent calls of a screen's services. */
const RECENT_CALLS = 40;
const EVERY_SERVICE = 'services:all';
const serviceRoom = (serviceId: string) => `service:${serviceId}`;

export function attachDisplayNamespace(io: Server, s: Services, log: Logger) {
  const display = io.of('/display') as unknown as Namespace<
    DisplayToServerEvents,
    ServerToDisplayEvents,
    DisplayServerSideEvents,
    DisplaySocketData
  >;
  display.use((socket, next) => {
    (async () => {
      const found = await s.displays.authenticate(socket.handshake.auth['credential']);
      const config = found ? await s.displays.boardConfig(found.id) : undefined;
      if (!found || !config) return next(new Error('unauthorized'));
      socket.data.display = found;
      socket.data.config = config;
      next();
    })().catch(() => next(new Error('unauthorized')));
  });

  /** Puts a screen in the rooms of its services (and only those), synchronously. */
  const enterRooms = (socket: DisplaySocket, config: BoardConfig) => {
    for (const room of socket.rooms) if (room !== socket.id) void socket.leave(room);
    void socket.join(config.serviceIds.length === 0 ? [EVERY_SERVICE] : config.serviceIds.map(serviceRoom));
  };
  /** (Re)sends a screen its configuration and board; `known` is a configuration just read. */
  const configure = async (socket: DisplaySocket, known?: BoardConfig) => {
    const config = known ?? (await s.displays.boardConfig(socket.data.display.id));
    if (!config) {
      socket.disconnect(true);
      return;
    }
    enterRooms(socket, config);
    const shown = new Set(config.serviceIds);
    const calls = (await s.queue.recentCalls(RECENT_CALLS)).filter((c) => shown.size === 0 || shown.has(c.serviceId));
    socket.emit('board:configured', config);
    socket.emit('board:refreshed', calls);
  };
  const reconfigureLocal = (displayId: string | null) => {
    for (const socket of display.sockets.values())
      if (displayId === null || socket.data.display.id === displayId)
        configure(socket).catch((e: unknown) => log.warn({ err: String(e) }, 'display configuration failed'));
  };
  const revokeLocal = (displayId: string) => {
    for (const socket of display.sockets.values()) if (socket.data.display.id === displayId) socket.disconnect(true);
  };
  display.on('display:reconfigure', reconfigureLocal);
  display.on('display:revoke', revokeLocal);

  display.on('connection', (socket) => {
    // With the handshake's configuration the screen enters its rooms before this handler
    // returns: a call made right after the connection reaches it.
    configure(socket, socket.data.config).catch((e: unknown) =>
      log.warn({ err: String(e) }, 'display snapshot failed'),
    );
  });
  return {
    callAnnounced: (call: CalledTicket) =>
      display.to([EVERY_SERVICE, serviceRoom(call.serviceId)]).emit('call:announced', call),
    /** One display's configuration changed, or (null) the board settings of every display. */
    reconfigure(displayId: string | null): void {
      reconfigureLocal(displayId);
      display.serverSideEmit('display:reconfigure', displayId);
    },
    revoke(displayId: string): void {
      revokeLocal(displayId);
      display.serverSideEmit('display:revoke', displayId);
    },
  };
}
