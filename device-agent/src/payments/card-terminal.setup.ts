/**
 * The card terminal the configuration names (`CARD_TERMINAL`), on the link its profile says:
 * the simulator's, a serial port, or a TCP host and port. Not found by discovery: a serial port
 * does not say that a bank terminal answers on it.
 */
import { profileById, type PaymentTerminalProfile } from '@kiosk/hardware-profiles';
import type { AgentConfig } from '../config';
import type { DeviceRegistry } from '../devices/device-registry';
import type { Logger } from '../logger';
import type { SimulatedDevices } from '../simulator/simulated-devices';
import { createByteTransport } from '../transports/transport.factory';
import type { ByteTransport } from '../transports/transport';
import { CardTerminal } from './card-terminal.device';

export function createCardTerminal(
  config: Pick<AgentConfig, 'CARD_TERMINAL' | 'CARD_TERMINAL_PROFILE' | 'CARD_TERMINAL_SALE_TIMEOUT_MS'>,
  deps: { registry: DeviceRegistry; log: Logger; simulated: SimulatedDevices | undefined },
): CardTerminal | undefined {
  // The plainest kiosk has no card terminal, simulated or not: one is configured or there is none.
  const spec = config.CARD_TERMINAL ?? 'none';
  if (spec === 'none') return undefined;
  const [kind = '', ...rest] = spec.split(':');
  const defaultProfile =
    kind === 'serial'
      ? 'generic.ecr-serial-terminal'
      : kind === 'tcp'
        ? 'generic.ecr-tcp-terminal'
        : 'simulated.card-terminal';
  const profile = profileById(config.CARD_TERMINAL_PROFILE ?? defaultProfile);
  if (profile?.class !== 'payment-terminal') {
    deps.log.error({ profile: config.CARD_TERMINAL_PROFILE ?? defaultProfile }, 'no such card terminal profile');
    return undefined;
  }
  const transport = transportOf(kind, rest, profile, deps.simulated);
  if (!transport) {
    deps.log.error({ terminal: kind }, 'the card terminal link cannot be made');
    return undefined;
  }
  return new CardTerminal({
    id: 'card-terminal',
    profile,
    transport,
    registry: deps.registry,
    log: deps.log,
    ...(config.CARD_TERMINAL_SALE_TIMEOUT_MS
      ? { driver: { saleTimeoutMs: config.CARD_TERMINAL_SALE_TIMEOUT_MS } }
      : {}),
  });
}

function transportOf(
  kind: string,
  rest: string[],
  profile: PaymentTerminalProfile,
  simulated: SimulatedDevices | undefined,
): ByteTransport | undefined {
  if (kind === 'simulated') return simulated?.cardTerminalTransport;
  if (kind === 'serial') {
    const settings = profile.transports.find((t) => t.kind === 'serial');
    const made = settings ? createByteTransport(settings, rest.join(':')) : undefined;
    return made?.ok ? made.value : undefined;
  }
  if (kind === 'tcp') {
    const [host = '', port = ''] = rest;
    const made = createByteTransport({ kind: 'tcp', port: Number(port) }, host);
    return made.ok ? made.value : undefined;
  }
  return undefined;
}
