import type { DeviceProfileInput } from '../schema';

export const profiles: DeviceProfileInput[] = [
  {
    id: 'simulated.printer-80',
    vendor: 'Simulated',
    model: 'ESC/POS 80 mm (simulated)',
    class: 'printer',
    protocol: 'escpos',
    simulated: true,
    match: [],
    transports: [{ kind: 'simulated' }],
    capabilities: {
      paperWidthMm: 80,
      dotsPerLine: 576,
      dpi: 203,
      columns: { fontA: 48, fontB: 64 },
      cutter: 'both',
      codePages: [{ encoding: 'cp1258', number: 52, reliable: false }],
      nativeQr: true,
      realtimeStatus: true,
      automaticStatusBack: true,
    },
  },
];
