import type { DeviceProfileInput } from '../schema';

/**
 * Bank card terminals (PAX, Verifone, Ingenico as Vietnamese banks lend them) on their ECR link.
 * Never matched by discovery (`match` is empty): a terminal is named in the agent's configuration
 * (`CARD_TERMINAL=serial:/dev/ttyUSB0` or `tcp:10.0.0.5:8888`), since a USB serial port says
 * nothing about what answers on it.
 */
export const profiles: DeviceProfileInput[] = [
  {
    id: 'generic.ecr-serial-terminal',
    vendor: 'Generic',
    model: 'Card terminal, ECR over serial (RS-232 / USB CDC)',
    class: 'payment-terminal',
    protocol: 'ecr',
    generic: true,
    match: [],
    transports: [{ kind: 'serial', baudRate: 115_200, dataBits: 8, parity: 'none', stopBits: 1 }],
    capabilities: { contactless: true, saleTimeoutSec: 120 },
    uncertain: ['baud rate: most bank ECR specs say 115200, some older terminals 9600'],
  },
  {
    id: 'generic.ecr-tcp-terminal',
    vendor: 'Generic',
    model: 'Card terminal, ECR over TCP (Ethernet / Wi-Fi)',
    class: 'payment-terminal',
    protocol: 'ecr',
    generic: true,
    match: [],
    transports: [{ kind: 'tcp', port: 8888 }],
    capabilities: { contactless: true, saleTimeoutSec: 120 },
    uncertain: ['the listening port differs per bank (set it with the host: tcp:HOST:PORT)'],
  },
];
