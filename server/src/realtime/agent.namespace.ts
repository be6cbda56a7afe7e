/**
 * /agent: kiosk agents (device credential). Their commands (check-in, services, print reports,
 * heartbeats, the BHYT pre-check), and what the server asks of or tells one agent: print a
 * ticket, services changed, credential revoked.
 */
import type { Namespace, Server } from 'socket.io';
import {
  agentCommands,
  err,
  ok,
  serveCommands,
  type AgentToServerEvents,
  type InsuranceCheck,
  type InsuranceCheckRequest,
  type PaymentUpdate,
  type PrintReport,
  type Result,
  type ServerToAgentEvents,
  type ServiceInfo,
  type TicketPrintCommand,
  type TrustApplied,
  type TrustSet,
} from '@kiosk/protocol';
import type { AgentChannel } from '../services/fleet-management.service';
import type { Services } from '../services';
import type { AgentIdentity } from '../services/fleet.service';
import type { Logger } from '../logger';
import { commandOptions, type SocketLimits } from './namespace.support';

/** The integrations' BHYT screening, as a kiosk asks it (Integrations.checkInsuranceForKiosk). */
export interface KioskInsurance {
  checkInsuranceForKiosk(request: InsuranceCheckRequest): Promise<Result<InsuranceCheck>>;
}

/** Between server instances, on the /agent namespace. */
interface AgentServerSideEvents {
  'agent:revoke': (agentId: string) => void;
}

const PRINT_ACK_TIMEOUT_MS = 20_000;
const MANAGEMENT_ACK_TIMEOUT_MS = 10_000;
const DIAGNOSTICS_ACK_TIMEOUT_MS = 30_000;
const agentRoom = (agentId: string) => `agent:${agentId}`;

export function attachAgentNamespace(
  io: Server,
  s: Services,
  log: Logger,
  insurance: KioskInsurance,
  limits: SocketLimits,
) {
  const agents = io.of('/agent') as unknown as Namespace<
    AgentToServerEvents,
    ServerToAgentEvents,
    AgentServerSideEvents,
    { agent: AgentIdentity }
  >;
  /** Tells this instance's sockets of a revoked agent why, then closes them (in that order per socket). */
  const revokeLocal = (agentId: string) => {
    for (const socket of agents.sockets.values())
      if (socket.data.agent?.id === agentId) {
        socket.emit('credential:revoked', { agentId });
        socket.disconnect(true);
      }
  };
  // Other server instances ask through the adapter (PostgreSQL NOTIFY).
  agents.on('agent:revoke', revokeLocal);
  agents.use((socket, next) => {
    s.fleet.authenticate(socket.handshake.auth['credential']).then(
      (agent) => {
        if (!agent) return next(new Error('unauthorized'));
        socket.data.agent = agent;
        next();
      },
      () => next(new Error('unauthorized')),
    );
  });
  agents.on('connection', (socket) => {
    const agent = socket.data.agent;
    void socket.join(agentRoom(agent.id));
    s.fleet.touch(agent.id).then(
      () => s.alerts.resolve(agent.id, ['kiosk-offline']),
      (e: unknown) => log.warn({ err: String(e) }, 'agent touch failed'),
    );
    // Its newest configuration, a pending update and the CSCA trust set, once its command listeners are in place.
    setImmediate(() => {
      s.fleetManagement
        .agentConnected(agent.id)
        .catch((e: unknown) => log.warn({ err: String(e) }, 'remote management on connect failed'));
      s.trustStore.currentSet().then(
        (set) => pushTrustTo(agent.id, set),
        (e: unknown) => log.warn({ err: String(e) }, 'trust set on connect failed'),
      );
    });
    serveCommands(
      socket,
      agentCommands,
      {
        'checkin:submit': (request) => s.checkIn.checkIn(request, agent.id),
        'services:list': async () => {
          // The tiles show each clinic's wait: the queue's estimate, in whole minutes.
          const [list, waits] = await Promise.all([s.facility.listServices(), s.queue.estimates()]);
          const minutes = new Map(waits.map((w) => [w.serviceId, Math.round(w.estimatedWaitMs / 60_000)]));
          return ok(list.map((x) => ({ ...x, estimatedWaitMinutes: minutes.get(x.id) ?? 0 })));
        },
        'print:report': async (r) =>
          (await s.queue.recordPrint(r.ticketId, r.state, r.reason, agent.id))
            ? ok(null)
            : err('unknown-ticket', 'no such ticket'),
        'heartbeat:send': async (hb) => {
          await s.fleet.heartbeat(agent.id, hb);
          if (hb.offline) await s.offline.saveBacklog(agent.id, hb.offline.backlog, hb.offline.oldestAt);
          await s.alerts.reconcileHeartbeat(agent.id, hb.devices, hb.storageFaults);
          if (hb.trust) await s.trustStore.recordApplied(agent.id, hb.trust);
          return ok(null);
        },
        'insurance:check': (request) => insurance.checkInsuranceForKiosk(request),
        'payment:quote': (request) => s.payments.quote(request),
        'payment:start': (request) => s.payments.start(request, agent.id),
        'payment:status': ({ paymentId }) => s.payments.status(paymentId, agent.id),
        'payment:cancel': ({ paymentId }) => s.payments.cancel(paymentId, agent.id),
        'payment:card-approved': (report) => s.payments.cardApproved(report, agent.id),
        'appointment:find': (lookup) => s.appointments.find(lookup),
        'appointment:check-in': (request) => s.appointments.checkIn(request, agent.id),
        'rollout:report': (report) => s.fleetManagement.report(agent.id, report),
        'lease:take': async (request) => ok(await s.offline.leases(agent.id, request)),
        'checkin:replay': async (batch) => ok(await s.offline.replay(agent.id, batch)),
        // A ticket scanned at this kiosk: the phone page's answer, no more; this kiosk's unknown
        // codes count against a guess budget of its own, as an address's do.
        'ticket:status': async ({ code }) => {
          const r = await s.ticketStatus.lookup(code, `kiosk:${agent.id}`);
          if (!r.ok) return r;
          const { ticketId: _t, serviceId: _s, ...status } = r.value;
          return ok(status);
        },
      },
      commandOptions(log, limits.forSocket('/agent', agent.id, socket)),
    );
  });

  /** One command to one agent; its ack is the answer (no socket: kiosk-offline). */
  const ask = async <T>(agentId: string, event: string, payload: unknown, timeoutMs: number): Promise<Result<T>> => {
    try {
      const answers = (await (
        agents.to(agentRoom(agentId)).timeout(timeoutMs) as unknown as {
          emitWithAck(event: string, payload: unknown): Promise<Result<T>[]>;
        }
      ).emitWithAck(event, payload)) as Result<T>[];
      return answers[0] ?? err('kiosk-offline', 'that kiosk is not connected');
    } catch {
      return err('kiosk-timeout', 'the kiosk did not answer in time');
    }
  };
  /** One agent takes the trust set; what it applied is recorded (and comes again with its heartbeats). */
  const pushTrustTo = async (agentId: string, set: TrustSet): Promise<void> => {
    const applied = await ask<TrustApplied>(agentId, 'trust:apply', set, MANAGEMENT_ACK_TIMEOUT_MS);
    if (applied.ok) await s.trustStore.recordApplied(agentId, applied.value);
    else log.warn({ agentId, code: applied.error.code }, 'trust set not applied');
  };
  const channel: AgentChannel = {
    restart: (agentId, reason) => ask(agentId, 'agent:restart', reason ? { reason } : {}, MANAGEMENT_ACK_TIMEOUT_MS),
    applyConfig: (agentId, command) => ask(agentId, 'config:apply', command, MANAGEMENT_ACK_TIMEOUT_MS),
    // The doctor looks at the whole machine (pcscd, bindings, udev rules): it takes its time.
    diagnostics: (agentId) => ask(agentId, 'diagnostics:collect', {}, DIAGNOSTICS_ACK_TIMEOUT_MS),
    offerUpdate: (agentId, command) => ask(agentId, 'software:update', command, MANAGEMENT_ACK_TIMEOUT_MS),
  };

  return {
    channel,
    servicesChanged: (list: ServiceInfo[]) => agents.emit('services:changed', list),
    /** The trust set to every agent connected to this instance (each other instance pushes to its own). */
    pushTrust: async (set: TrustSet): Promise<void> => {
      const ids = new Set([...agents.sockets.values()].map((socket) => socket.data.agent.id));
      await Promise.all([...ids].map((id) => pushTrustTo(id, set).catch(() => undefined)));
    },
    /** To the agent that started the payment, on whichever instance holds its socket. */
    paymentUpdated: (agentId: string, update: PaymentUpdate) =>
      agents.to(agentRoom(agentId)).emit('payment:updated', update),
    /** Tells the agent its credential was revoked and disconnects it, on every server instance. */
    disconnectAgent(agentId: string): void {
      revokeLocal(agentId);
      agents.serverSideEmit('agent:revoke', agentId);
    },
    /** Asks one kiosk agent (on whichever instance holds its socket) to print a ticket; its ack is the outcome. */
    async printOnAgent(agentId: string, command: TicketPrintCommand): Promise<Result<PrintReport>> {
      try {
        const answers = await agents
          .to(agentRoom(agentId))
          .timeout(PRINT_ACK_TIMEOUT_MS)
          .emitWithAck('ticket:print', command);
        const first = answers[0];
        if (!first) return err('kiosk-offline', 'that kiosk is not connected', 'go-to-counter');
        return first;
      } catch {
        return err('print-timeout', 'the kiosk did not answer in time');
      }
    },
  };
}
