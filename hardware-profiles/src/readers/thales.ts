import type { DeviceProfileInput } from '../schema';

/**
 * Thales (Gemalto), vendor id 0x08E6. All-in-one document readers: a camera reads the printed
 * side (MRZ, barcodes such as the CCCD's front QR) and an RFID part reads the chip, so the
 * patient places the card once. This is the kind of reader sold for hotel and hospital check-in
 * in Vietnam as "đầu đọc CCCD gắn chip" with OCR.
 */
export const profiles: DeviceProfileInput[] = [
  {
    id: 'thales.cr5400',
    vendor: 'Thales',
    model: 'CR5400 document reader (MRZ/QR optics + RFID)',
    class: 'card-reader',
    protocol: 'pcsc',
    notes:
      'ID-1 cards lie face down on the glass: the MRZ on the back and the QR on the front need the card turned, so the agent asks for the side it still needs.',
    match: [{ readerName: 'CR5400|AT10K' }, { vendorId: 0x08e6, readerName: 'CR5400|AT10K' }],
    transports: [{ kind: 'pcsc', shareMode: 'shared' }],
    capabilities: {
      contactless: true,
      contact: false,
      extendedLength: true,
      maxBitRateKbps: 848,
      mrzOptics: true,
    },
    uncertain: [
      'USB product id (vendor id 0x08E6 is Gemalto’s): matched by PC/SC reader name only',
      'whether the RFID part is exposed as a PC/SC reader on Linux or only through the vendor SDK',
      'how the optical MRZ and QR reach the agent (vendor SDK, or a keyboard/serial stream)',
      'reader name as pcscd lists it',
    ],
  },
];
