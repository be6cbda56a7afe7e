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
    notes:
      'The plainest reader, as most kiosks have: a PC/SC pad without optics. Its chip key comes from the CCCD QR or staff.',
  },
  {
    id: 'simulated.card-reader-mrz',
    vendor: 'Simulated',
    model: 'All-in-one CCCD reader with MRZ optics (simulated)',
    class: 'card-reader',
    protocol: 'pcsc',
    simulated: true,
    match: [],
    transports: [{ kind: 'simulated' }],
    capabilities: {
      contactless: true,
      contact: false,
      extendedLength: false,
      maxBitRateKbps: 424,
      mrzOptics: true,
    },
    notes: 'Reads the printed MRZ of the card lying on it, as the check-in readers sold in Vietnam do.',
  },
];
