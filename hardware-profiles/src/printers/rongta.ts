import type { DeviceProfileInput } from '../schema';

export const profiles: DeviceProfileInput[] = [
  {
    id: 'rongta.rp326',
    vendor: 'Rongta',
    model: 'RP326',
    class: 'printer',
    protocol: 'escpos',
    match: [
      { vendorId: 0x0fe6, productId: 0x811e },
      { vendorId: 0x0fe6, productId: 0x811e, manufacturer: 'Rongta' },
    ],
    transports: [
      { kind: 'usb-printer' },
      { kind: 'serial', baudRate: 115200, flowControl: 'rtscts' },
      { kind: 'tcp', port: 9100 },
    ],
    capabilities: {
      paperWidthMm: 80,
      dotsPerLine: 576,
      dpi: 203,
      columns: { fontA: 48, fontB: 64 },
      cutter: 'partial',
      codePages: [
        { encoding: 'cp437', number: 0, reliable: true },
        { encoding: 'cp1258', number: 35, reliable: false },
      ],
      nativeQr: true,
      realtimeStatus: true,
      automaticStatusBack: false,
    },
    uncertain: [
      'USB ids 0x0FE6:0x811E (ICS Advent chip seen on Rongta boards)',
      'serial default 115200 RTS/CTS (configurable by the vendor tool)',
      'raster graphics command support (escpos-printer-db lists graphics: false; GS v 0 expected to work)',
    ],
  },
];
