import type { DeviceProfileInput } from '../schema';

/** Identiv (formerly SCM Microsystems), vendor id 0x04E6. Ids and names from libccid. */
export const profiles: DeviceProfileInput[] = [
  {
    id: 'identiv.utrust-3700f',
    vendor: 'Identiv',
    model: 'uTrust 3700 F',
    class: 'card-reader',
    protocol: 'pcsc',
    notes: 'Desktop contactless reader sold with e-ID readers for counters; no optics.',
    match: [
      { vendorId: 0x04e6, productId: 0x5790 },
      { readerName: 'uTrust 3700 F' },
      { vendorId: 0x04e6, productId: 0x5790, readerName: '3700 F' },
    ],
    transports: [{ kind: 'pcsc', shareMode: 'shared' }],
    capabilities: { contactless: true, contact: false, extendedLength: true, maxBitRateKbps: 848 },
    uncertain: [
      'extended-length APDUs to ISO 14443-4 cards',
      '848 kbit/s with the CCCD chip',
      'seen at Vietnamese hospital counters (reseller listings only)',
    ],
  },
];
