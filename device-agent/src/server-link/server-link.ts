/**
 * The agent's link to the central server: enrollment with a one-time pairing code → a device
 * credential stored owner-only; a socket.io connection that reconnects with backoff; requests
 * with a timeout that answer a Result; facts for the server — print reports and device-health
 * changes — kept in one bounded outbox on disk while the server is unreachable and delivered in
 * order afterwards. A newer health report supersedes an older undelivered one (the server keeps
 * the last state only), so an outage costs one health entry, not one per change. The service list
 * is asked once for any number of kiosk-page requests in flight, then answered from a cache until
 * the server says it changed (`services:changed`) or the link drops.
 */
import fs from 'node:fs';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import {
  err,
  serveCommands,
  serverToAgentCommands,
  serviceInfoSchema,
  type AgentHeartbeat,
  type AgentToServerEvents,
  type CheckInReceipt,
  type AgentCheckInRequest,
  type InsuranceCheck,
  type InsuranceCheckRequest,
  type PrintReport,
  type Result,
  type ServerToAgentEvents,
  type ServiceInfo,
  type TicketPrintCommand,
  type Appointment,
  type AppointmentCheckInRequest,
  type AppointmentLookup,
  type CardPaymentReport,
  type PaymentIntent,
  type PaymentQuote,
  type PaymentQuoteRequest,
  type PaymentStartRequest,
  type PaymentUpdate,
  type CommandHandlers,
  type RolloutReport,
  type LeaseRequest,
  type OfflineLease,
  type ReplayBatch,
  type ReplayOutcome,
  type TicketPublicStatus,
} from '@kiosk/protocol';
import { z } from 'zod';
import { DurableQueue } from './durable-queue';
import { corruptFilesIn, ensurePrivateDir, writePrivateFileAtomic } from './private-files';
import { getJson, postJson, tlsCodeOf } from './https-post';
import { Listeners } from '../transports/transport';
import type { Logger } from '../logger';

/** One fact for the server, in the order it happened. */
export type OutboxEntry = { kind: 'print'; report: PrintReport } | { kind: 'health'; heartbeat: AgentHeartbeat };

const credentialFileSchema = z.object({ agentId: z.string(), credential: z.string(), serverUrl: z.string() });

export interface ServerLinkOptions {
  serverUrl: string;
  /** PEM of the CAs trusted for an https server (instead of the system's), from SERVER_CA_FILE. */
  ca?: string;
  dataDir: string;
  name: string;
  pairingCode?: string | undefined;
  timeoutMs: number;
  log: Logger;
  /** Outbox bound (entries). */
  outboxMaxItems?: number;
}

type ServerCommandHandlers = CommandHandlers<typeof serverToAgentCommands>;

export type LinkState = 'unenrolled' | 'connecting' | 'connected' | 'disconnected' | 'refused';

export class ServerLink {
  private socket: Socket<ServerToAgentEvents, AgentToServerEvents> | undefined;
  private readonly outbox: DurableQueue<OutboxEntry>;
  private flushing = false;
  private servicesCache: ServiceInfo[] | undefined;
  private servicesInFlight: Promise<Result<ServiceInfo[]>> | undefined;
  /** The list the server last gave, kept across disconnections: what the kiosk offers while it issues offline. */
  private lastServices: ServiceInfo[] | undefined;
  /** Service-list requests the server actually received (the rest came from the cache or joined one). */
  servicesRequests = 0;
  state: LinkState = 'unenrolled';
  /**
   * A request went unanswered past its time-out and nothing has come back from the server since
   * (a hung process, or a network that drops packets without a reset). Calls with an offline budget
   * then give up at once instead of waiting again: the second patient of an outage gets their ticket
   * from the lease without the wait. Any answer (a late one too) or a new connection clears it.
   */
  private unansweredSince: number | undefined;
  readonly changes = new Listeners<[{ connected: boolean; pending: number }]>();
  /** The server told of a payment this kiosk started (paid, expired, cancelled, refunded). */
  readonly paymentUpdates = new Listeners<[PaymentUpdate]>();

  constructor(private readonly options: ServerLinkOptions) {
    ensurePrivateDir(options.dataDir);
    this.outbox = new DurableQueue(path.join(options.dataDir, 'outbox.json'), options.outboxMaxItems ?? 2000, {
      onCorrupt: (movedTo) =>
        options.log.error(
          { movedTo: path.basename(movedTo) },
          'the outbox file could not be read: moved aside for a technician, the server is alerted',
        ),
    });
    // Print reports queued by an agent version that kept them in their own file.
    const legacy = path.join(options.dataDir, 'pending-reports.json');
    if (fs.existsSync(legacy)) {
      const old = new DurableQueue<PrintReport>(legacy);
      for (let r = old.shift(); r; r = old.shift()) this.outbox.push({ kind: 'print', report: r });
      fs.rmSync(legacy, { force: true });
    }
  }

  /** Files of the data folder moved aside as unreadable (the server raises an alert while any remain). */
  get storageFaults(): { file: string }[] {
    return corruptFilesIn(this.options.dataDir).map((file) => ({ file }));
  }

  /** The service list the server last gave (no personal data): an agent restarted during an outage still offers it. */
  private get servicesFile(): string {
    return path.join(this.options.dataDir, 'services.json');
  }

  private readStoredServices(): ServiceInfo[] | undefined {
    try {
      const parsed = z.array(serviceInfoSchema).safeParse(JSON.parse(fs.readFileSync(this.servicesFile, 'utf8')));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  private storeServices(list: ServiceInfo[]): void {
    try {
      writePrivateFileAtomic(this.servicesFile, JSON.stringify(list));
    } catch (e) {
      this.options.log.warn({ err: e instanceof Error ? e.message : String(e) }, 'service list not stored');
    }
  }

  get credentialFile(): string {
    return path.join(this.options.dataDir, 'credential.json');
  }
  get connected(): boolean {
    return this.state === 'connected';
  }
  get pending(): number {
    return this.outbox.length;
  }
  /** Entries dropped past the outbox bound since start. */
  get dropped(): number {
    return this.outbox.dropped;
  }

  private closed = false;
  private firstEnrollAttempt: (() => void) | undefined;

  /**
   * Resolves once the link is connecting, or once a first enrollment attempt could not reach the
   * server (or was refused its certificate): enrollment then goes on with backoff in the
   * background, so an agent waiting for its server still starts (and tells systemd it is ready).
   */
  async start(): Promise<void> {
    const attempted = new Promise<void>((resolve) => (this.firstEnrollAttempt = resolve));
    await Promise.race([this.enrollAndConnect(), attempted]);
  }

  private async enrollAndConnect(): Promise<void> {
    const credential = await this.ensureCredential();
    if (!credential || this.closed) return;
    this.state = 'connecting';
    const socket: Socket<ServerToAgentEvents, AgentToServerEvents> = io(`${this.options.serverUrl}/agent`, {
      auth: { credential },
      transports: ['websocket'],
      ...(this.options.ca ? { ca: this.options.ca } : {}),
      reconnectionDelay: 500,
      reconnectionDelayMax: 10_000,
      randomizationFactor: 0.5,
    });
    this.socket = socket;
    socket.on('connect', () => {
      this.unansweredSince = undefined;
      this.setState('connected');
      void this.flush();
      // Known before the server can stop answering, so a patient can still choose a service then.
      void this.services();
    });
    socket.on('disconnect', () => {
      // Changes made while the link was down were announced to nobody: ask again next time.
      this.servicesCache = undefined;
      this.setState('disconnected');
    });
    socket.on('payment:updated', (update) => this.paymentUpdates.emit(update));
    socket.on('services:changed', () => {
      this.servicesCache = undefined;
      this.servicesInFlight = undefined;
    });
    const notHere = () => err('not-supported', 'this kiosk does not do that');
    const managed = (event: Exclude<keyof ServerCommandHandlers, 'ticket:print'>) =>
      ((payload: never) => {
        const handler = this.managementHandlers[event] as ((p: never) => unknown) | undefined;
        return handler ? handler(payload) : notHere();
      }) as never;
    serveCommands(
      socket,
      serverToAgentCommands,
      {
        'ticket:print': (command) =>
          this.printHandler ? this.printHandler(command) : err('no-printer', 'this kiosk has no printer'),
        'agent:restart': managed('agent:restart'),
        'config:apply': managed('config:apply'),
        'diagnostics:collect': managed('diagnostics:collect'),
        'software:update': managed('software:update'),
        'trust:apply': managed('trust:apply'),
      },
      {
        onError: (e, event) => this.options.log.error({ event, err: String(e) }, 'server command failed'),
        failure: { message: 'the kiosk could not run this command' },
      },
    );
    socket.on('connect_error', (e) => {
      if (e.message === 'unauthorized') {
        this.options.log.error(
          'the server refused this kiosk credential (revoked?): re-enroll with a new pairing code',
        );
        this.setState('refused');
        socket.close();
      } else {
        if (this.state !== 'disconnected') this.setState('disconnected');
        // A certificate the agent does not trust says so here (no personal data in these codes).
        const code = tlsCodeOf(e);
        if (code) this.options.log.warn({ code }, 'server TLS certificate refused');
      }
    });
  }

  private setState(state: LinkState): void {
    if (this.state === state) return;
    this.state = state;
    this.options.log.info({ state }, 'server link');
    this.changes.emit({ connected: state === 'connected', pending: this.outbox.length });
  }

  private async ensureCredential(): Promise<string | undefined> {
    try {
      const stored = credentialFileSchema.parse(JSON.parse(fs.readFileSync(this.credentialFile, 'utf8')));
      if (stored.serverUrl === this.options.serverUrl) return stored.credential;
    } catch {
      // No stored credential yet: enroll below.
    }
    if (!this.options.pairingCode) {
      this.options.log.warn('not enrolled: set PAIRING_CODE to a code from the admin page');
      return undefined;
    }
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await postJson(
          `${this.options.serverUrl}/api/agents/enroll`,
          { pairingCode: this.options.pairingCode, name: this.options.name },
          { timeoutMs: this.options.timeoutMs, ...(this.options.ca ? { ca: this.options.ca } : {}) },
        );
        const body = res.body as { ok: boolean; value?: { agentId: string; credential: string } };
        if (!body.ok || !body.value) {
          this.options.log.error(
            { status: res.status },
            'enrollment refused: the pairing code is unknown, used or expired',
          );
          this.state = 'refused';
          return undefined;
        }
        const record = { ...body.value, serverUrl: this.options.serverUrl };
        writePrivateFileAtomic(this.credentialFile, JSON.stringify(record));
        this.options.log.info({ agentId: body.value.agentId }, 'enrolled');
        return body.value.credential;
      } catch (e) {
        // Server not up yet (or its certificate not trusted): retry with backoff.
        const code = tlsCodeOf(e);
        if (code) this.options.log.warn({ code }, 'server TLS certificate refused');
        this.firstEnrollAttempt?.();
        if (this.closed) return undefined;
        await new Promise((r) => setTimeout(r, Math.min(500 * 2 ** attempt, 10_000)));
      }
    }
  }

  /** True while the server has left a request unanswered past its time-out and said nothing since. */
  get answering(): boolean {
    return this.unansweredSince === undefined;
  }

  /**
   * One request and its answer. `fallback`: the caller has a way on without the server (the kiosk's
   * lease, the cashier), so the request is not sent at all while the server is known not to answer.
   */
  private request<T>(
    send: (socket: Socket<ServerToAgentEvents, AgentToServerEvents>, ack: (r: Result<T>) => void) => void,
    timeoutMs = this.options.timeoutMs,
    fallback = false,
  ) {
    return new Promise<Result<T>>((resolve) => {
      const socket = this.socket;
      if (!socket || !this.connected) {
        resolve(err('server-unreachable', 'the server cannot be reached', 'go-to-counter'));
        return;
      }
      if (fallback && !this.answering) {
        resolve(err('server-timeout', 'the server has not answered since an earlier request', 'go-to-counter'));
        return;
      }
      const timer = setTimeout(() => {
        this.unansweredSince ??= Date.now();
        resolve(err('server-timeout', 'the server did not answer in time', 'go-to-counter'));
      }, timeoutMs);
      send(socket, (r) => {
        clearTimeout(timer);
        this.unansweredSince = undefined;
        resolve(r);
      });
    });
  }

  /**
   * Relays the kiosk page's check-in to the server, which issues the ticket. `timeoutMs`: a shorter
   * budget, after which the kiosk issues the ticket itself from its lease (offline check-in).
   */
  submitCheckIn(request: AgentCheckInRequest, timeoutMs?: number): Promise<Result<CheckInReceipt>> {
    return this.request((s, ack) => s.emit('checkin:submit', request, ack), timeoutMs, timeoutMs !== undefined);
  }
  /** Today's leases of numbers for offline check-in, topped up where few are left. */
  takeLeases(request: LeaseRequest): Promise<Result<OfflineLease[]>> {
    return this.request((s, ack) => s.emit('lease:take', request, ack));
  }
  /** Offline check-ins for the server to store, in issue order (idempotent on each check-in id). */
  replay(batch: ReplayBatch, timeoutMs?: number): Promise<Result<ReplayOutcome[]>> {
    return this.request((s, ack) => s.emit('checkin:replay', batch, ack), timeoutMs);
  }
  private printHandler: ((command: TicketPrintCommand) => Promise<Result<PrintReport>>) | undefined;
  private managementHandlers: Partial<ServerCommandHandlers> = {};

  /** Remote management: restart, configuration, diagnostics, software updates (agent.ts). */
  onManagement(handlers: Partial<ServerCommandHandlers>): void {
    this.managementHandlers = handlers;
  }

  /** A step of a rollout, for the admin's fleet view (lost with the link: the next connect reports the outcome again). */
  reportRollout(report: RolloutReport): Promise<Result<null>> {
    return this.request((s, ack) => s.emit('rollout:report', report, ack));
  }

  /** Fetches a bundle the server hosts, authenticated with this kiosk's credential. */
  async downloadBundle(version: string): Promise<Result<unknown>> {
    let credential: string;
    try {
      credential = credentialFileSchema.parse(JSON.parse(fs.readFileSync(this.credentialFile, 'utf8'))).credential;
    } catch {
      return err('not-enrolled', 'this kiosk has no credential');
    }
    try {
      const res = await getJson(`${this.options.serverUrl}/api/agent/bundles/${encodeURIComponent(version)}`, {
        timeoutMs: Math.max(this.options.timeoutMs, 120_000),
        headers: { authorization: `Bearer ${credential}` },
        maxBytes: 1024 * 1024 * 1024,
        ...(this.options.ca ? { ca: this.options.ca } : {}),
      });
      const body = res.body as Result<unknown>;
      if (res.status !== 200 || !body.ok)
        return err(body.ok ? 'download-failed' : body.error.code, `download answered ${res.status}`);
      return body;
    } catch (e) {
      return err('download-failed', e instanceof Error ? e.message.slice(0, 120) : 'download failed');
    }
  }

  /** Staff asked the server to print a ticket on this kiosk (a reprint). */
  onPrintRequest(handler: (command: TicketPrintCommand) => Promise<Result<PrintReport>>): void {
    this.printHandler = handler;
  }

  insuranceCheck(request: InsuranceCheckRequest): Promise<Result<InsuranceCheck>> {
    return this.request((s, ack) => s.emit('insurance:check', request, ack));
  }
  /** `timeoutMs`: a short budget, so that a hung server sends the fee to the cashier in seconds. */
  paymentQuote(request: PaymentQuoteRequest, timeoutMs?: number): Promise<Result<PaymentQuote>> {
    return this.request((s, ack) => s.emit('payment:quote', request, ack), timeoutMs, timeoutMs !== undefined);
  }
  paymentStart(request: PaymentStartRequest): Promise<Result<PaymentIntent>> {
    return this.request((s, ack) => s.emit('payment:start', request, ack));
  }
  paymentStatus(paymentId: string): Promise<Result<PaymentIntent>> {
    return this.request((s, ack) => s.emit('payment:status', { paymentId }, ack));
  }
  paymentCancel(paymentId: string): Promise<Result<PaymentIntent>> {
    return this.request((s, ack) => s.emit('payment:cancel', { paymentId }, ack));
  }
  cardApproved(report: CardPaymentReport): Promise<Result<PaymentIntent>> {
    return this.request((s, ack) => s.emit('payment:card-approved', report, ack));
  }
  appointmentFind(lookup: AppointmentLookup): Promise<Result<Appointment[]>> {
    return this.request((s, ack) => s.emit('appointment:find', lookup, ack));
  }
  appointmentCheckIn(
    request: AppointmentCheckInRequest,
  ): Promise<Result<{ receipt: CheckInReceipt; appointment: Appointment }>> {
    return this.request((s, ack) => s.emit('appointment:check-in', request, ack));
  }
  /** A scanned ticket's public status (unknown codes count against this kiosk's guess budget). */
  ticketStatus(code: string): Promise<Result<TicketPublicStatus>> {
    return this.request((s, ack) => s.emit('ticket:status', { code }, ack));
  }
  /**
   * The facility's services: from the cache, else one request shared by every caller meanwhile.
   * When the server does not answer (down, hung, the network cut), the list it last gave: the kiosk
   * keeps issuing tickets from its leases, and the patient must be able to choose the service.
   */
  services(): Promise<Result<ServiceInfo[]>> {
    if (this.servicesCache) return Promise.resolve({ ok: true, value: this.servicesCache });
    if (this.servicesInFlight) return this.servicesInFlight;
    this.servicesRequests += 1;
    const asked = this.request<ServiceInfo[]>((s, ack) => s.emit('services:list', {}, ack)).then((r) => {
      if (r.ok) {
        this.lastServices = r.value;
        this.storeServices(r.value);
      }
      // Cached only if no change was announced while the request was on its way.
      if (this.servicesInFlight === asked) {
        this.servicesInFlight = undefined;
        if (r.ok) this.servicesCache = r.value;
      }
      const unanswered = !r.ok && (r.error.code === 'server-unreachable' || r.error.code === 'server-timeout');
      this.lastServices ??= unanswered ? this.readStoredServices() : undefined;
      return unanswered && this.lastServices ? ({ ok: true, value: this.lastServices } as const) : r;
    });
    this.servicesInFlight = asked;
    return asked;
  }
  heartbeat(hb: AgentHeartbeat): Promise<Result<null>> {
    return this.request((s, ack) => s.emit('heartbeat:send', hb, ack));
  }

  /** Queued on disk first, so a report survives a lost link or an agent restart. */
  reportPrint(report: PrintReport): void {
    this.outbox.push({ kind: 'print', report });
    void this.flush();
  }

  /** A device-health change: queued on disk (superseding an undelivered older one), then sent in order. */
  reportHealth(heartbeat: AgentHeartbeat): void {
    this.outbox.replace({ kind: 'health', heartbeat }, (e) => e.kind === 'health');
    void this.flush();
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (let next = this.outbox.peek(); next && this.connected; next = this.outbox.peek()) {
        const entry = next;
        const r = await this.request<null>((s, ack) =>
          entry.kind === 'print'
            ? s.emit('print:report', entry.report, ack)
            : s.emit('heartbeat:send', entry.heartbeat, ack),
        );
        if (!r.ok && (r.error.code === 'server-unreachable' || r.error.code === 'server-timeout')) break;
        // Delivered, or refused for good (unknown ticket): either way it leaves the queue. An entry
        // that is no longer the head was superseded (health) or dropped meanwhile: leave the rest.
        if (this.outbox.peek() === entry) this.outbox.shift();
      }
    } finally {
      this.flushing = false;
    }
  }

  close(): void {
    this.closed = true;
    this.socket?.close();
  }
}
