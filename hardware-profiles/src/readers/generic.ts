import type { DeviceProfileInput } from '../schema';

export const profiles: DeviceProfileInput[] = [
  {
    id: 'generic.pcsc-contactless',
    vendor: 'Generic',
    model: 'PC/SC contactless reader',
    class: 'card-reader',
    protocol: 'pcsc',
    generic: true,
    match: [{ readerName: 'PICC|contactless|\\bCL\\b|NFC' }],
    transports: [{ kind: 'pcsc', shareMode: 'shared' }],
    // Short APDUs only: the reader sends 223-byte (or smaller) READ BINARY chunks.
    capabilities: { contactless: true, contact: false, extendedLength: false, maxBitRateKbps: 106 },
  },
  {
    id: 'generic.serial-smart-reader',
    vendor: 'Generic',
    model: 'Serial smart-card reader module (CH340/CP210x bridge)',
    class: 'card-reader',
    protocol: 'serial-smart-reader',
    generic: true,
    notes: 'Chip-ID reader modules on a USB-serial bridge that tunnel APDUs in a framed serial protocol.',
    match: [
      { vendorId: 0x1a86, productId: 0x7523, path: 'reader|card' },
      { vendorId: 0x10c4, productId: 0xea60, path: 'reader|card' },
    ],
    transports: [{ kind: 'serial', baudRate: 115200, flowControl: 'none' }],
    capabilities: {
      contactless: true,
      contact: false,
      extendedLength: false,
      maxBitRateKbps: 106,
      // Defined by device-agent's SerialSmartReaderTransport: STX, 2-byte big-endian length, payload
      // (first byte the message type), LRC = XOR of length + payload, ETX.
      framing: 'stx-len16be-type-lrc-etx',
    },
    uncertain: [
      'framing stx-len16be-type-lrc-etx is our own protocol for such readers (message types 0x01/0x81 APDU, 0x02/0x82 power-on/ATR, 0x03/0x83 card status, 0x7F error), not a vendor protocol: a module in hand needs its vendor framing mapped onto it',
      'baud rate',
      'USB bridge ids are generic chips (CH340 0x1A86:0x7523, CP210x 0x10C4:0xEA60): the path pattern is needed to claim the port',
    ],
  },
];
