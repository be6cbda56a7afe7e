import type { DeviceProfileInput } from '../schema';

export const profiles: DeviceProfileInput[] = [
  {
    id: 'zjiang.pos-5890',
    vendor: 'Zjiang',
    model: 'POS-5890',
    class: 'printer',
    protocol: 'escpos',
    notes: 'Sold under many names; the same firmware table exposes CP1258 at 27 and again at 94.',
    match: [
      { vendorId: 0x0416, productId: 0x5011 },
      { vendorId: 0x0416, productId: 0x5011, product: 'POS58' },
    ],
    transports: [{ kind: 'usb-printer' }, { kind: 'serial', baudRate: 9600, flowControl: 'none' }],
    capabilities: {
      paperWidthMm: 58,
      dotsPerLine: 384,
      dpi: 203,
      columns: { fontA: 32, fontB: 42 },
      cutter: 'none',
      codePages: [
        { encoding: 'cp437', number: 0, reliable: true },
        { encoding: 'cp1258', number: 27, reliable: false },
        { encoding: 'cp1258', number: 94, reliable: false },
      ],
      nativeQr: false,
      realtimeStatus: true,
      automaticStatusBack: false,
    },
    uncertain: [
      'Winbond 0x0416:0x5011 is shared by many 58 mm clones',
      'which of 27 / 94 prints CP1258 on a given batch',
      'real-time status answered over USB on all batches',
    ],
  },
];
