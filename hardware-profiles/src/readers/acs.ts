import type { DeviceProfileInput } from '../schema';

/** ACS, vendor id 0x072F. Ids and reader names from libccid's supported-readers list. */
export const profiles: DeviceProfileInput[] = [
  {
    id: 'acs.acr1252u',
    vendor: 'ACS',
    model: 'ACR1252U',
    class: 'card-reader',
    protocol: 'pcsc',
    match: [
      { vendorId: 0x072f, productId: 0x223b },
      { readerName: '^ACS ACR1252 (Dual|1S CL) Reader' },
      { vendorId: 0x072f, productId: 0x223b, readerName: 'ACR1252' },
    ],
    transports: [{ kind: 'pcsc', shareMode: 'shared' }],
    capabilities: { contactless: true, contact: false, extendedLength: true, maxBitRateKbps: 848 },
    uncertain: ['extended-length APDUs through the PICC interface', '848 kbit/s only with cards that support it'],
    notes: 'The SAM slot shows up as a second reader ("… SAM"): not used for ID cards.',
  },
  {
    id: 'acs.acr1281u-c1',
    vendor: 'ACS',
    model: 'ACR1281U-C1 DualBoost II',
    class: 'card-reader',
    protocol: 'pcsc',
    match: [
      { vendorId: 0x072f, productId: 0x2224 },
      { readerName: '^ACS ACR1281 1S Dual Reader (PICC|ICC)' },
      { vendorId: 0x072f, productId: 0x2224, readerName: 'ACR1281' },
    ],
    transports: [{ kind: 'pcsc', shareMode: 'shared' }],
    capabilities: { contactless: true, contact: true, extendedLength: true, maxBitRateKbps: 848 },
    uncertain: ['C1 variant uses product id 0x2224 (libccid "ACR1281U"; C2/C4/C5 variants have other ids)'],
  },
];
