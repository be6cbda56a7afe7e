/**
 * The kiosk UI gateway: socket.io on 127.0.0.1 only, an origin allow-list, the typed event maps
 * from protocol, every payload validated, acks carrying a Result.
 */
import http from 'node:http';
import { Server } from 'socket.io';
import { z } from 'zod';
import {
  cardKeyCommandSchema,
  cardReadCommandSchema,
  checkInRequestSchema,
  insuranceCheckRequestSchema,
  printerTestSchema,
  scanSubmitSchema,
  ticketPrintCommandSchema,
  type PrintReport,
  type Ticket,
  type ClassifiedScan,
  type InsuranceCheck,
  type InsuranceCheckRequest,
  type CardKeyCommand,
  err,
  parseWith,
  type Ack,
  type AgentToKioskUiEvents,
  type CheckInOutcome,
  type CheckInRequest,
  type KioskUiToAgentEvents,
  type Result,
  type ServiceInfo,
} from '@kiosk/protocol';
import type { Logger } from '../logger';

export type UiServer = Server<KioskUiToAgentEvents, AgentToKioskUiEvents>;

const emptySchema = z.object({}).strict();

export interface UiGatewayOptions {
  port: number;
  allowedOrigins: string[];
  log: Logger;
  onServices: () => Promise<Result<ServiceInfo[]>>;
  onCheckIn: (request: CheckInRequest) => Promise<Result<CheckInOutcome>>;
  onReset: () => Promise<void>;
  /** The patient consented on the page: read the card announced with this readId (`consent: true` checked by the schema). */
  onCardRead: (readId: string) => Promise<Result<null>>;
  /** Staff typed the MRZ or ID + dates that open the chip. */
  onSetKey: (command: CardKeyCommand) => Promise<Result<null>>;
  onPrinterTest: (printerId: string | undefined) => Promise<Result<{ state: 'confirmed' | 'failed'; reason?: string }>>;
  /** A keyboard-wedge scan typed into the page: classified like any other scan. */
  onWedgeScan: (payload: string) => Promise<Result<ClassifiedScan>>;
  /** A counter page prints a ticket the server issued on this agent's printer. */
  onTicketPrint: (command: { ticketId: string; ticket: Ticket }) => Promise<Result<PrintReport>>;
  /** BHYT eligibility, relayed to the server (gateway credentials never reach the kiosk). */
  onInsuranceCheck: (request: InsuranceCheckRequest) => Promise<Result<InsuranceCheck>>;
  /** GET /health: devices, disabled transports, server link (no personal data). */
  health: () => unknown;
}

export interface UiGateway {
  io: UiServer;
  http: http.Server;
  port: number;
  close(): Promise<void>;
}

function wrap<S extends z.ZodType, T>(log: Logger, schema: S, fn: (p: z.infer<S>) => Promise<Result<T>>) {
  return (payload: unknown, ack: unknown) => {
    const reply: Ack<T> = typeof ack === 'function' ? (ack as Ack<T>) : () => undefined;
    const parsed = parseWith(schema, payload ?? {});
    if (!parsed.ok) return reply(parsed);
    fn(parsed.value).then(reply, (e: unknown) => {
      log.error({ err: String(e) }, 'kiosk UI handler failed');
      reply(err('internal-error', 'the kiosk agent could not complete this request', 'go-to-counter'));
    });
  };
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
  io.on('connection', (socket) => {
    socket.on(
      'services:list',
      wrap(options.log, emptySchema, () => options.onServices()),
    );
    socket.on(
      'checkin:submit',
      wrap(options.log, checkInRequestSchema, (r) => options.onCheckIn(r)),
    );
    socket.on(
      'card:read',
      wrap(options.log, cardReadCommandSchema, (c) => options.onCardRead(c.readId)),
    );
    socket.on(
      'card:set-key',
      wrap(options.log, cardKeyCommandSchema, (c) => options.onSetKey(c)),
    );
    socket.on(
      'printer:test',
      wrap(options.log, printerTestSchema, (c) => options.onPrinterTest(c.printerId)),
    );
    socket.on(
      'scan:submit',
      wrap(options.log, scanSubmitSchema, (c) => options.onWedgeScan(c.payload)),
    );
    socket.on(
      'ticket:print',
      wrap(options.log, ticketPrintCommandSchema, (c) => options.onTicketPrint(c)),
    );
    socket.on(
      'insurance:check',
      wrap(options.log, insuranceCheckRequestSchema, (r) => options.onInsuranceCheck(r)),
    );
    socket.on(
      'session:reset',
      wrap(options.log, emptySchema, async () => {
        await options.onReset();
        return { ok: true as const, value: null };
      }),
    );
  });
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
