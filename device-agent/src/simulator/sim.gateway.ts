/**
 * The simulator's control namespace (/sim) on the loopback agent: scan a payload, present or
 * remove a virtual CCCD (with link speed and faults), printer faults, unplug/replug any device,
 * slow a link down, send garbage bytes, read what was printed. Every command is validated and
 * answers a Result. Loopback callers only; in production mode every connection is refused.
 */
import {
  err,
  ok,
  parseWith,
  simCardCommandSchema,
  simDeviceCommandSchema,
  simLinkCommandSchema,
  simPrinterFaultSchema,
  simScanSchema,
  type Ack,
  type AgentToSimEvents,
  type Result,
  type SimToAgentEvents,
} from '@kiosk/protocol';
import type { Namespace } from 'socket.io';
import { z } from 'zod';
import type { UiServer } from '../gateway/ui.gateway';
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

function handler<S extends z.ZodType, T>(schema: S, fn: (command: z.infer<S>) => Result<T>) {
  return (payload: unknown, ack: unknown) => {
    const reply: Ack<T> = typeof ack === 'function' ? (ack as Ack<T>) : () => undefined;
    const cmd = parseWith(schema, payload ?? {});
    if (!cmd.ok) return reply(cmd);
    try {
      reply(fn(cmd.value));
    } catch (e) {
      reply(err('internal-error', e instanceof Error ? e.message.slice(0, 200) : 'simulator error'));
    }
  };
}

export function attachSimGateway(io: UiServer, devices: SimulatedDevices): void {
  const sim = io.of('/sim') as unknown as SimNamespace;
  sim.use((socket, next) => {
    if (isLoopback(socket.handshake.address)) next();
    else next(new Error('simulator-loopback-only'));
  });
  sim.on('connection', (socket) => {
    socket.on(
      'sim:scan',
      handler(simScanSchema, (c) => devices.scan(c.payload)),
    );
    socket.on(
      'sim:printer-fault',
      handler(simPrinterFaultSchema, (c) => {
        if (c.printerId !== undefined && c.printerId !== devices.printerTransport.id)
          return err('unknown-device', `no simulated printer ${c.printerId}`);
        devices.printer.setFault(c.fault);
        return ok(null);
      }),
    );
    socket.on(
      'sim:printed',
      handler(z.object({}), () =>
        ok({ jobs: devices.printer.jobs.map((j) => ({ text: j.lines, bytes: j.byteLength })) }),
      ),
    );
    socket.on(
      'sim:card',
      handler(simCardCommandSchema, (c) => {
        if (c.action === 'remove') {
          devices.removeCard();
          return ok(null);
        }
        return devices.presentCard({
          card: c.card,
          faults: c.faults,
          printedMrz: c.printedMrz,
          ...(c.link && { link: c.link }),
          ...(c.faceBytes !== undefined && { faceBytes: c.faceBytes }),
        });
      }),
    );
    socket.on(
      'sim:device',
      handler(simDeviceCommandSchema, (c) => {
        const d = devices.find(c);
        return d.ok ? devices.setPlugged(d.value.key, c.action === 'replug') : d;
      }),
    );
    socket.on(
      'sim:link',
      handler(simLinkCommandSchema, (c) => {
        const d = devices.find(c);
        return d.ok ? devices.setLink(d.value.key, c) : d;
      }),
    );
    socket.on(
      'sim:state',
      handler(z.object({}), () => ok({ devices: devices.state() })),
    );
  });
}
