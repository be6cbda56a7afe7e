/**
 * The simulator's control namespace (/sim) on the loopback agent: scan a payload, present or
 * remove a virtual CCCD (with link speed and faults), printer faults, unplug/replug any device,
 * slow a link down, send garbage bytes, read what was printed. Every command is validated and
 * answers a Result, within a per-socket rate limit like the kiosk page's ('rate-limited' past it;
 * a socket that keeps sending is cut off). Loopback callers only (and the gateway's origin
 * allow-list); in production mode every connection is refused.
 */
import {
  cutOff,
  err,
  ok,
  serveCommands,
  simCommands,
  TokenBucket,
  type AgentToSimEvents,
  type BucketSize,
  type SimToAgentEvents,
} from '@kiosk/protocol';
import type { Namespace } from 'socket.io';
import type { UiServer } from '../gateway/ui.gateway';
import type { Logger } from '../logger';
import type { SimulatedDevices } from './simulated-devices';

type SimNamespace = Namespace<SimToAgentEvents, AgentToSimEvents>;

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/u;

export function isLoopback(address: string | undefined): boolean {
  return address !== undefined && LOOPBACK.test(address);
}

/** Production: the namespace exists only to refuse, so a client learns why instead of "invalid namespace". */
export function refuseSimGateway(io: UiServer): void {
  io.of('/sim').use((_socket, next) => next(new Error('simulator-disabled-in-production')));
}

export function attachSimGateway(
  io: UiServer,
  devices: SimulatedDevices,
  log: Logger,
  limits: BucketSize & { maxInFlight: number; floodAfter: number },
): void {
  let limited = 0;
  const sim = io.of('/sim') as unknown as SimNamespace;
  sim.use((socket, next) => {
    if (isLoopback(socket.handshake.address)) next();
    else next(new Error('simulator-loopback-only'));
  });
  sim.on('connection', (socket) =>
    serveCommands(
      socket,
      simCommands,
      {
        'sim:scan': (c) => devices.scan(c.payload),
        'sim:set-printer-fault': (c) => {
          if (c.printerId !== undefined && c.printerId !== devices.printerTransport.id)
            return err('unknown-device', `no simulated printer ${c.printerId}`);
          devices.printer.setFault(c.fault);
          return ok(null);
        },
        'sim:list-printed': () =>
          ok({ jobs: devices.printer.jobs.map((j) => ({ text: j.lines, bytes: j.byteLength })) }),
        'sim:set-card': (c) => {
          if (c.action === 'remove') {
            devices.removeCard();
            return ok(null);
          }
          return devices.presentCard({
            card: c.card,
            faults: c.faults,
            ...(c.printedMrz !== undefined && { printedMrz: c.printedMrz }),
            ...(c.link && { link: c.link }),
            ...(c.faceBytes !== undefined && { faceBytes: c.faceBytes }),
          });
        },
        'sim:set-device': (c) => {
          const d = devices.find(c);
          return d.ok ? devices.setPlugged(d.value.key, c.action === 'replug') : d;
        },
        'sim:set-link': (c) => {
          const d = devices.find(c);
          return d.ok ? devices.setLink(d.value.key, c) : d;
        },
        'sim:get-state': () => ok({ devices: devices.state() }),
        'sim:set-card-terminal': ({ behaviour, scope }) => {
          if (scope === 'next') devices.cardTerminal.nextSale(behaviour);
          else devices.cardTerminal.behave(behaviour);
          return ok(null);
        },
      },
      {
        onError: (e, event) => log.error({ event, err: String(e) }, 'simulator command failed'),
        failure: { message: 'the simulator could not run this command' },
        limits: {
          buckets: [new TokenBucket(limits)],
          maxInFlight: limits.maxInFlight,
          floodAfter: limits.floodAfter,
          onFlood: () => cutOff(socket),
          onLimited: (event) => {
            if (limited++ % 1000 === 0) log.warn({ event, refused: limited }, 'simulator commands rate-limited');
          },
        },
      },
    ),
  );
}
