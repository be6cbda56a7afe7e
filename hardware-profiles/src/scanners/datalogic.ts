import type { DeviceProfileInput } from '../schema';

/** Datalogic, vendor id 0x05F9 (PSC Scanning in usb.ids). */
export const profiles: DeviceProfileInput[] = [
  {
    id: 'datalogic.quickscan',
    vendor: 'Datalogic',
    model: 'QuickScan QD2500 / QD2590',
    class: 'scanner',
    protocol: 'serial-line',
    match: [
      { vendorId: 0x05f9, path: 'Datalogic' },
      { vendorId: 0x05f9, manufacturer: 'Datalogic' },
      { vendorId: 0x05f9, usagePage: 0x8c },
    ],
    transports: [
      { kind: 'serial', baudRate: 9600, framing: { kind: 'delimiter', delimiter: [0x0d] } },
      { kind: 'hid', usagePage: 0x8c },
    ],
    capabilities: { symbologies: ['qr', 'datamatrix', 'pdf417', 'code128', 'ean13'], utf8: true },
    uncertain: [
      'product ids of the USB-COM and HID POS interfaces',
      'CDC suffix CR',
      'QD2100 (1D-only) would not read CCCD QR: only 2D variants belong here',
    ],
  },
];
