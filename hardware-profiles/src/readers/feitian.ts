import type { DeviceProfileInput } from '../schema';

/** Feitian, vendor id 0x096E. libccid: 0x060D "Feitian R502", 0x0608 "Feitian 502-CL". */
export const profiles: DeviceProfileInput[] = [
  {
    id: 'feitian.r502',
    vendor: 'Feitian',
    model: 'R502',
    class: 'card-reader',
    protocol: 'pcsc',
    match: [
      { vendorId: 0x096e, productId: 0x060d },
      { vendorId: 0x096e, productId: 0x0608 },
      { readerName: '^Feitian (R502|502-CL)' },
    ],
    transports: [{ kind: 'pcsc', shareMode: 'shared' }],
    capabilities: { contactless: true, contact: true, extendedLength: false, maxBitRateKbps: 424 },
    uncertain: [
      'contact slot present on every R502 variant (the CL variant is contactless only)',
      'max bit rate',
      'extended length',
    ],
  },
];
