import type { DeviceProfileInput } from '../schema';

/**
 * Xprinter: low-cost ESC/POS clones. USB ids depend on the controller chip of the batch
 * (Winbond 0x0416:0x5011, STM 0x0483:0x070B are both seen), so ids alone are weak evidence.
 */
const xprinterCodePages = [
  { encoding: 'cp437', number: 0, reliable: true },
  { encoding: 'cp1258', number: 27, reliable: false },
];

export const profiles: DeviceProfileInput[] = [
  {
    id: 'xprinter.xp-80c',
    vendor: 'Xprinter',
    model: 'XP-80C',
    class: 'printer',
    protocol: 'escpos',
    match: [
      { vendorId: 0x0483, productId: 0x070b, product: 'XP-80' },
      { vendorId: 0x0416, productId: 0x5011, product: 'XP-80' },
      { vendorId: 0x0483, productId: 0x070b, manufacturer: 'Xprinter' },
    ],
    transports: [
      { kind: 'usb-printer' },
      { kind: 'serial', baudRate: 9600, flowControl: 'xonxoff' },
      { kind: 'tcp', port: 9100 },
    ],
    capabilities: {
      paperWidthMm: 80,
      dotsPerLine: 576,
      dpi: 203,
      columns: { fontA: 48, fontB: 64 },
      cutter: 'partial',
      codePages: xprinterCodePages,
      nativeQr: true,
      realtimeStatus: true,
      automaticStatusBack: false,
    },
    uncertain: [
      'USB vendor/product ids vary by production batch',
      'CP1258 code-page number 27 (shared Zjiang-style firmware table); not in hardware.md',
      'native QR (GS ( k) on older firmware',
      'serial flow control: XON/XOFF assumed; some boards only do RTS/CTS',
    ],
  },
  {
    id: 'xprinter.xp-58iih',
    vendor: 'Xprinter',
    model: 'XP-58IIH',
    class: 'printer',
    protocol: 'escpos',
    match: [
      { vendorId: 0x0416, productId: 0x5011, product: 'XP-58' },
      { vendorId: 0x0483, productId: 0x070b, product: 'XP-58' },
    ],
    transports: [{ kind: 'usb-printer' }, { kind: 'serial', baudRate: 9600, flowControl: 'xonxoff' }],
    capabilities: {
      paperWidthMm: 58,
      dotsPerLine: 384,
      dpi: 203,
      columns: { fontA: 32, fontB: 42 },
      cutter: 'none',
      codePages: xprinterCodePages,
      nativeQr: false,
      realtimeStatus: true,
      automaticStatusBack: false,
    },
    uncertain: ['USB ids vary by batch', 'CP1258 number 27', 'native QR absent (raster QR is used)'],
  },
];
