import type { DeviceProfileInput } from '../schema';

export const profiles: DeviceProfileInput[] = [
  {
    id: 'simulated.card-reader',
    vendor: 'Simulated',
    model: 'Contactless reader (simulated)',
    class: 'card-reader',
    protocol: 'pcsc',
    simulated: true,
    match: [],
    transports: [{ kind: 'simulated' }],
    capabilities: { contactless: true, contact: false, extendedLength: false, maxBitRateKbps: 424 },
  },
];
