import type { DeviceProfileInput } from '../schema';

export const profiles: DeviceProfileInput[] = [
  {
    id: 'simulated.card-terminal',
    vendor: 'Simulated',
    model: 'Card terminal (simulated, ECR)',
    class: 'payment-terminal',
    protocol: 'ecr',
    simulated: true,
    match: [],
    transports: [{ kind: 'simulated' }],
    capabilities: { contactless: true, saleTimeoutSec: 30 },
  },
];
