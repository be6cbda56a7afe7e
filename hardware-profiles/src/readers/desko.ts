import type { DeviceProfileInput } from '../schema';

/** DESKO, vendor id unconfirmed. Full-page document readers with MRZ/barcode optics and RFID. */
export const profiles: DeviceProfileInput[] = [
  {
    id: 'desko.penta-scanner',
    vendor: 'DESKO',
    model: 'PENTA Scanner (MRZ/QR optics + RFID)',
    class: 'card-reader',
    protocol: 'pcsc',
    notes: 'Document reader used at border and hotel desks; reads the printed MRZ and barcodes and the chip.',
    match: [{ readerName: 'PENTA|DESKO' }],
    transports: [{ kind: 'pcsc', shareMode: 'shared' }],
    capabilities: {
      contactless: true,
      contact: false,
      extendedLength: true,
      maxBitRateKbps: 848,
      mrzOptics: true,
    },
    uncertain: [
      'USB ids and the PC/SC reader name: matched by name patterns only',
      'RFID through PC/SC or only through the vendor SDK',
      'use at Vietnamese hospital counters (seen in integrators’ offers, not in a hospital)',
    ],
  },
];
