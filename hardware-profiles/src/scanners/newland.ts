import type { DeviceProfileInput } from '../schema';

/**
 * Newland, vendor id 0x1EAB. Its engines encode the mode in the low byte of the product id:
 * xx03 keyboard, xx06 serial CDC, xx10 HID POS (usb.ids).
 */
export const profiles: DeviceProfileInput[] = [
  {
    id: 'newland.fr40',
    vendor: 'Newland',
    model: 'FR40 Hyperion',
    class: 'scanner',
    protocol: 'hid-pos',
    notes: 'Presentation scanner: suited to a kiosk (hands-free).',
    match: [
      { vendorId: 0x1eab, usagePage: 0x8c },
      { vendorId: 0x1eab, usagePage: 0x8c, product: 'FR40' },
      { vendorId: 0x1eab, path: 'Newland|FR40' },
    ],
    transports: [
      { kind: 'hid', usagePage: 0x8c },
      { kind: 'serial', baudRate: 115200, framing: { kind: 'inter-byte-timeout', timeoutMs: 50 } },
    ],
    capabilities: { symbologies: ['qr', 'datamatrix', 'pdf417', 'code128', 'ean13'], utf8: true },
    uncertain: [
      'FR40 product ids (engine pattern xx06/xx10 assumed)',
      'CDC suffix (none by default → inter-byte timeout)',
    ],
  },
];
