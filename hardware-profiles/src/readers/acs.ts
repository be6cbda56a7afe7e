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
  {
    id: 'acs.acr122u',
    vendor: 'ACS',
    model: 'ACR122U',
    class: 'card-reader',
    protocol: 'pcsc',
    notes:
      'The cheapest NFC pad sold in Vietnam with CCCD-reading software for counters and small clinics. Contactless only, no optics: the key comes from the QR or staff.',
    match: [
      { vendorId: 0x072f, productId: 0x2200 },
      { readerName: '^ACS ACR122U?( PICC Interface)?' },
      { vendorId: 0x072f, productId: 0x2200, readerName: 'ACR122' },
    ],
    transports: [{ kind: 'pcsc', shareMode: 'shared' }],
    // PN532 behind a CCID front end: short APDUs only, 424 kbit/s at most.
    capabilities: { contactless: true, contact: false, extendedLength: false, maxBitRateKbps: 424 },
    uncertain: [
      'bit rates above 106 kbit/s with ISO 14443-4 type B cards depend on the firmware version',
      "its use at Vietnamese hospital counters is from resellers' listings, not a device seen in a hospital",
    ],
  },
];
