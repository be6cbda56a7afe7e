import type { DeviceProfileInput } from '../schema';

/** Epson TM series: ESC/POS reference implementation. Code-page numbers from Epson's character code tables. */
const epsonCodePages = [
  { encoding: 'cp437', number: 0, reliable: true },
  // CP1258 composes tones from base + combining mark; rendered badly on some firmware, so text is rasterized.
  { encoding: 'cp1258', number: 52, reliable: false },
  // TCVN-3 is split over two tables: 30 = lower-case set, 31 = upper-case set.
  { encoding: 'tcvn3', number: 30, reliable: false },
  { encoding: 'tcvn3-upper', number: 31, reliable: false },
];

/** TM printers ship with serial at 38400 8N1 DTR/DSR by default (DIP switches can change it). */
const epsonSerial = { kind: 'serial', baudRate: 38400, flowControl: 'dtrdsr' } as const;

export const profiles: DeviceProfileInput[] = [
  {
    id: 'epson.tm-t82iii',
    vendor: 'Epson',
    model: 'TM-T82III',
    class: 'printer',
    protocol: 'escpos',
    match: [
      { vendorId: 0x04b8, productId: 0x0202, manufacturer: 'EPSON', product: 'TM-T82III' },
      { vendorId: 0x04b8, productId: 0x0202, path: 'TM-T82III' },
    ],
    transports: [{ kind: 'usb-printer' }, epsonSerial, { kind: 'tcp', port: 9100 }],
    capabilities: {
      paperWidthMm: 80,
      dotsPerLine: 576,
      dpi: 203,
      columns: { fontA: 48, fontB: 64 },
      cutter: 'partial',
      codePages: epsonCodePages,
      nativeQr: true,
      realtimeStatus: true,
      automaticStatusBack: true,
    },
    uncertain: [
      'USB product id: Epson TM printers share 0x0202 (UB-U05 class); the product string is assumed to carry the model name',
      'dpi 203 and 576 dots per line (older TM-T82/T82II are 180 dpi, 512 dots)',
      'TCVN-3 tables 30/31 present on this firmware',
    ],
  },
  {
    id: 'epson.tm-t88vi',
    vendor: 'Epson',
    model: 'TM-T88VI',
    class: 'printer',
    protocol: 'escpos',
    match: [
      { vendorId: 0x04b8, productId: 0x0202, manufacturer: 'EPSON', product: 'TM-T88VI' },
      { vendorId: 0x04b8, productId: 0x0202, path: 'TM-T88VI' },
    ],
    transports: [{ kind: 'usb-printer' }, epsonSerial, { kind: 'tcp', port: 9100 }],
    capabilities: {
      paperWidthMm: 80,
      // 180 dpi head: 72 mm printable = 512 dots; font A 12×24 → 42 columns, font B 9×17 → 56.
      dotsPerLine: 512,
      dpi: 180,
      columns: { fontA: 42, fontB: 56 },
      cutter: 'both',
      codePages: epsonCodePages,
      nativeQr: true,
      realtimeStatus: true,
      automaticStatusBack: true,
    },
    uncertain: [
      'USB product string carries "TM-T88VI"',
      'serial interface is an option board (UB-S01); default 38400 DTR/DSR',
    ],
  },
  {
    id: 'epson.tm-t20iii',
    vendor: 'Epson',
    model: 'TM-T20III',
    class: 'printer',
    protocol: 'escpos',
    match: [
      { vendorId: 0x04b8, productId: 0x0e28 },
      { vendorId: 0x04b8, productId: 0x0202, manufacturer: 'EPSON', product: 'TM-T20III' },
      { vendorId: 0x04b8, productId: 0x0e28, path: 'TM-T20III' },
    ],
    transports: [{ kind: 'usb-printer' }, epsonSerial, { kind: 'tcp', port: 9100 }],
    capabilities: {
      paperWidthMm: 80,
      dotsPerLine: 576,
      dpi: 203,
      columns: { fontA: 48, fontB: 64 },
      cutter: 'partial',
      codePages: epsonCodePages,
      nativeQr: true,
      realtimeStatus: true,
      automaticStatusBack: true,
    },
    uncertain: ['USB product id 0x0E28 (TM-T20 is 0x0E03 per usb.ids; III not listed there)'],
  },
];
