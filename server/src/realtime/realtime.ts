/**
 * socket.io for the server: one io server and its namespaces, one file each — /agent (device
 * credential), /staff (staff session: counters, viewers and admins), /admin (staff session of an
 * admin: fleet alerts), /display (paired screens, numbers and rooms only). Every command is served from
 * the protocol's command table of its namespace: validated, answered with a Result.
 */
import type { Server as HttpServer } from 'node:http';
import { Server, type ServerOptions } from 'socket.io';
import type {
  CalledTicket,
  FleetAlert,
  PaymentUpdate,
  PrintReport,
  QueueEntry,
  Result,
  ServiceInfo,
  TicketPrintCommand,
  TrustSet,
} from '@kiosk/protocol';
import type { Services } from '../services';
import type { AgentChannel } from '../services/fleet-management.service';
import type { Logger } from '../logger';
import { attachAgentNamespace, type KioskInsurance } from './agent.namespace';
import { attachStaffNamespace } from './staff.namespace';
import { attachAdminNamespace } from './admin.namespace';
import { attachDisplayNamespace } from './display.namespace';
import { attachTicketStatusNamespace } from './ticket-status.namespace';
import { SocketLimits, type SocketLimitSizes } from './namespace.support';
import { originAllowed } from '../http/edge';

export interface Realtime {
  io: Server;
  ticketIssued(entry: QueueEntry): void;
  ticketChanged(entry: QueueEntry): void;
  callAnnounced(call: CalledTicket): void;
  servicesChanged(services: ServiceInfo[]): void;
  /** The CSCA trust set changed: pushed to every connected kiosk agent. */
  trustChanged(set: TrustSet): void;
  /** To admins, on /admin. */
  alertChanged(alert: FleetAlert): void;
  /** Tells the agent its credential was revoked and disconnects it, on every server instance. */
  disconnectAgent(agentId: string): void;
  /** A display's configuration (or, with null, every display's board settings) changed. */
  displayReconfigured(displayId: string | null): void;
  /** Disconnects a revoked display on every server instance. */
  disconnectDisplay(displayId: string): void;
  /** Asks one kiosk agent (on whichever instance holds its socket) to print a ticket; its ack is the outcome. */
  printOnAgent(agentId: string, command: TicketPrintCommand): Promise<Result<PrintReport>>;
  /** Tells the kiosk agent that started a payment of its new state. */
  paymentUpdated(agentId: string, update: PaymentUpdate): void;
  /** Restart, configuration, diagnostics and updates asked of one kiosk agent. */
  agentChannel: AgentChannel;
  /** A service's queue changed: the public status pages watching its tickets are updated. */
  ticketStatusChanged(serviceId: string): void;
  close(): Promise<void>;
}

export interface RealtimeOptions {
  /** Browser origins allowed to open a socket besides the server's own (never reflected). */
  allowedOrigins: readonly string[];
  /** The kiosks' BHYT pre-check (the integrations module). */
  insurance: KioskInsurance;
  /** Fan-out between server instances (PostgreSQL). */
  adapter?: ServerOptions['adapter'] | undefined;
  /** Rate limits of every namespace's commands. */
  limits: SocketLimitSizes;
  /** A command was refused by a rate limit. */
  onLimited?: (namespace: string, event: string) => void;
}

export function createRealtime(http: HttpServer, s: Services, log: Logger, options: RealtimeOptions): Realtime {
  const allowed = new Set(options.allowedOrigins);
  const io = new Server(http, {
    // Same-origin pages need no CORS; only the configured origins get CORS headers, never a reflection.
    cors: { origin: [...allowed], credentials: true },
    // Every handshake (polling or WebSocket) from a browser of another origin is refused.
    allowRequest: (req, callback) => callback(null, originAllowed(req.headers, allowed)),
    serveClient: false,
    maxHttpBufferSize: 256_000,
    ...(options.adapter ? { adapter: options.adapter } : {}),
  });
  const limits = new SocketLimits(options.limits, options.onLimited);
  const agents = attachAgentNamespace(io, s, log, options.insurance, limits);
  const staff = attachStaffNamespace(io, s, log, limits);
  const admin = attachAdminNamespace(io, s, log, limits);
  const display = attachDisplayNamespace(io, s, log);
  const ticketStatus = attachTicketStatusNamespace(io, s, log, limits, options.adapter !== undefined);
  return {
    io,
    ticketIssued: (entry) => void staff.ticketIssued(entry),
    ticketChanged: (entry) => void staff.ticketChanged(entry),
    callAnnounced: (call) => void display.callAnnounced(call),
    servicesChanged: (list) => void agents.servicesChanged(list),
    trustChanged: (set) => void agents.pushTrust(set),
    alertChanged: (alert) => void admin.alertChanged(alert),
    disconnectAgent: (agentId) => agents.disconnectAgent(agentId),
    printOnAgent: (agentId, command) => agents.printOnAgent(agentId, command),
    paymentUpdated: (agentId, update) => void agents.paymentUpdated(agentId, update),
    agentChannel: agents.channel,
    displayReconfigured: (displayId) => display.reconfigure(displayId),
    disconnectDisplay: (displayId) => display.revoke(displayId),
    ticketStatusChanged: (serviceId) => ticketStatus.serviceChanged(serviceId),
    close: () => new Promise<void>((resolve) => io.close(() => resolve())),
  };
}
