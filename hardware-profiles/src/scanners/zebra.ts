import type { DeviceProfileInput } from '../schema';

/** Zebra/Symbol, vendor id 0x05E0. usb.ids: 0x1200 HID keyboard, 0x1701 CDC, 0x1900 SNAPI. */
export const profiles: DeviceProfileInput[] = [
  {
    id: 'zebra.ds2208',
    vendor: 'Zebra',
    model: 'DS2208',
    class: 'scanner',
    protocol: 'serial-line',
    match: [
      { vendorId: 0x05e0, productId: 0x1701 },
      { vendorId: 0x05e0, productId: 0x1701, manufacturer: 'Symbol' },
      { vendorId: 0x05e0, productId: 0x1701, path: 'Symbol|Zebra' },
      { vendorId: 0x05e0, usagePage: 0x8c },
    ],
    transports: [
      { kind: 'serial', baudRate: 9600, framing: { kind: 'delimiter', delimiter: [0x0d] } },
      { kind: 'hid', usagePage: 0x8c },
    ],
    capabilities: { symbologies: ['qr', 'datamatrix', 'pdf417', 'code128', 'ean13', 'code39'], utf8: true },
    uncertain: [
      'HID POS (usage page 0x8C) mode availability on DS2208 firmware; CDC is the documented path',
      'CDC default suffix CR',
    ],
  },
];
