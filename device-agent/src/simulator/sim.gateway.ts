/**
 * The simulator's control namespace (/sim) on the loopback agent: scan a payload, set a
 * printer fault, read what was printed. Refused in production mode.
 */
import {
  ok,
  parseWith,
  simPrinterFaultSchema,
  simScanSchema,
  type Ack,
  type SimToAgentEvents,
  type AgentToSimEvents,
} from '@kiosk/protocol';
import type { Namespace } from 'socket.io';
import { z } from 'zod';
import type { UiServer } from '../gateway/ui.gateway';
import type { SimulatedDevices } from './simulated-devices';

export function attachSimGateway(io: UiServer, devices: SimulatedDevices): void {
  const sim = io.of('/sim') as unknown as Namespace<SimToAgentEvents, AgentToSimEvents>;
  sim.on('connection', (socket) => {
    socket.on('sim:scan', (payload: unknown, ack: Ack<null>) => {
      const cmd = parseWith(simScanSchema, payload);
      if (cmd.ok) devices.scan(cmd.value.payload);
      if (typeof ack === 'function') ack(cmd.ok ? ok(null) : cmd);
    });
    socket.on('sim:printer-fault', (payload: unknown, ack: Ack<null>) => {
      const cmd = parseWith(simPrinterFaultSchema, payload);
      if (cmd.ok) devices.printer.setFault(cmd.value.fault);
      if (typeof ack === 'function') ack(cmd.ok ? ok(null) : cmd);
    });
    socket.on('sim:printed', (payload: unknown, ack: Ack<{ jobs: { text: string[]; bytes: number }[] }>) => {
      const q = parseWith(z.object({}), payload ?? {});
      if (typeof ack !== 'function') return;
      if (!q.ok) return ack(q);
      ack(ok({ jobs: devices.printer.jobs.map((j) => ({ text: j.lines, bytes: j.byteLength })) }));
    });
  });
}
