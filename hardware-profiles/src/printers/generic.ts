import type { DeviceProfileInput } from '../schema';

/**
 * Fallbacks for unknown ESC/POS printers: conservative capabilities only (no Vietnamese code page,
 * so Vietnamese lines are rasterized; QR rasterized too).
 */
export const profiles: DeviceProfileInput[] = [
  {
    id: 'generic.escpos-80',
    vendor: 'Generic',
    model: 'ESC/POS 80 mm',
    class: 'printer',
    protocol: 'escpos',
    generic: true,
    match: [{ path: '^/dev/usb/lp\\d+$' }],
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
      codePages: [{ encoding: 'cp437', number: 0, reliable: true }],
      nativeQr: false,
      realtimeStatus: true,
      automaticStatusBack: false,
    },
    uncertain: ['an unknown printer may be 512 dots (180 dpi)', 'cutter presence', 'real-time status support'],
  },
  {
    id: 'generic.escpos-58',
    vendor: 'Generic',
    model: 'ESC/POS 58 mm',
    class: 'printer',
    protocol: 'escpos',
    generic: true,
    match: [],
    transports: [{ kind: 'usb-printer' }, { kind: 'serial', baudRate: 9600, flowControl: 'xonxoff' }],
    capabilities: {
      paperWidthMm: 58,
      dotsPerLine: 384,
      dpi: 203,
      columns: { fontA: 32, fontB: 42 },
      cutter: 'none',
      codePages: [{ encoding: 'cp437', number: 0, reliable: true }],
      nativeQr: false,
      realtimeStatus: true,
      automaticStatusBack: false,
    },
    uncertain: ['real-time status support'],
  },
];
