import type { DeviceProfileInput } from '../schema';

/**
 * Honeywell (vendor id 0x0C2E, inherited from Metrologic). The interface mode (HID POS,
 * USB serial/CDC, keyboard) is set by programming bar codes and changes the product id.
 */
const symbologies2d = ['qr', 'datamatrix', 'pdf417', 'aztec', 'code128', 'ean13', 'code39', 'interleaved2of5'];

export const profiles: DeviceProfileInput[] = [
  {
    id: 'honeywell.voyager-1470g',
    vendor: 'Honeywell',
    model: 'Voyager 1470g',
    class: 'scanner',
    protocol: 'hid-pos',
    match: [
      { vendorId: 0x0c2e, usagePage: 0x8c, product: '1470' },
      { vendorId: 0x0c2e, usagePage: 0x8c },
      { vendorId: 0x0c2e, path: '1470g' },
    ],
    transports: [
      { kind: 'hid', usagePage: 0x8c },
      { kind: 'serial', baudRate: 115200, framing: { kind: 'delimiter', delimiter: [0x0d] } },
    ],
    capabilities: { symbologies: symbologies2d, utf8: true },
    uncertain: [
      'product ids per interface mode are not published in usb.ids (0x0B81 is listed for the 1400g series)',
      'CDC suffix: CR assumed (factory default suffix is configurable)',
      'UTF-8 pass-through of QR byte-mode data in HID POS mode',
    ],
  },
  {
    id: 'honeywell.xenon-1900',
    vendor: 'Honeywell',
    model: 'Xenon 1900',
    class: 'scanner',
    protocol: 'hid-pos',
    match: [
      { vendorId: 0x0c2e, usagePage: 0x8c, product: '1900' },
      { vendorId: 0x0c2e, path: '1900' },
    ],
    transports: [
      { kind: 'hid', usagePage: 0x8c },
      { kind: 'serial', baudRate: 115200, framing: { kind: 'delimiter', delimiter: [0x0d] } },
    ],
    capabilities: { symbologies: symbologies2d, utf8: true },
    uncertain: ['product string contains "1900"', 'CDC suffix CR'],
  },
];
