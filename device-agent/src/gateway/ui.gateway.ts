/**
 * The kiosk UI gateway: socket.io on 127.0.0.1 only, an origin allow-list, the typed event maps
 * from protocol, every payload validated, acks carrying a Result, and a rate limit per socket (a
 * token bucket and a bound on commands running), so a runaway page cannot flood the agent or,
 * through it, the server.
 */
import http from 'node:http';
import { Server } from 'socket.io';
import {
  cutOff,
  kioskUiCommands,
  serveCommands,
  TokenBucket,
  type BucketSize,
  type AgentToKioskUiEvents,
  type CommandHandlers,
  type KioskUiToAgentEvents,
} from '@kiosk/protocol';
import type { Logger } from '../logger';

export type UiServer = Server<KioskUiToAgentEvents, AgentToKioskUiEvents>;

export interface UiGatewayOptions {
  port: number;
  allowedOrigins: string[];
  log: Logger;
  /** One handler per command of the kiosk page (`kioskUiCommands`), given the validated payload. */
  commands: CommandHandlers<typeof kioskUiCommands>;
  /** GET /health: devices, disabled transports, server link (no personal data). */
  health: () => unknown;
  /** Each socket's token bucket and the commands it may have running at once. */
  limits: BucketSize & { maxInFlight: number; floodAfter: number };
}

export interface UiGateway {
  io: UiServer;
  http: http.Server;
  port: number;
  close(): Promise<void>;
}

export async function startUiGateway(options: UiGatewayOptions): Promise<UiGateway> {
  const server = http.createServer((req, res) => {
    const get = req.method === 'GET';
    if (get && req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"ok"}');
    } else if (get && req.url === '/health') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(options.health()));
    } else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":"not-found"}');
    }
  });
  const allowed = new Set(options.allowedOrigins);
  const io: UiServer = new Server(server, {
    serveClient: false,
    maxHttpBufferSize: 64_000,
    cors: { origin: options.allowedOrigins },
    // Browsers always send Origin on cross-site and WebSocket requests; refuse any we do not know.
    allowRequest: (req, callback) => {
      const origin = req.headers.origin;
      callback(null, origin === undefined || allowed.has(origin));
    },
  });
  let limited = 0;
  io.on('connection', (socket) =>
    serveCommands(socket, kioskUiCommands, options.commands, {
      onError: (e, event) => options.log.error({ event, err: String(e) }, 'kiosk UI command failed'),
      failure: { message: 'the kiosk agent could not complete this request', hint: 'go-to-counter' },
      limits: {
        buckets: [new TokenBucket(options.limits)],
        maxInFlight: options.limits.maxInFlight,
        // A page that keeps sending after this many refusals is cut off (socket.io-client reconnects it).
        floodAfter: options.limits.floodAfter,
        onFlood: () => cutOff(socket),
        onLimited: (event) => {
          // One line per thousand refusals: a flood must not flood the log too.
          if (limited++ % 1000 === 0) options.log.warn({ event, refused: limited }, 'kiosk UI commands rate-limited');
        },
      },
    }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    io,
    http: server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        io.close(() => resolve());
      }),
  };
}
