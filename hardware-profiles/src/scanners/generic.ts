import type { DeviceProfileInput } from '../schema';

/** Fallbacks: any HID POS scanner (usage page 0x8C), any USB serial/CDC scanner. */
export const profiles: DeviceProfileInput[] = [
  {
    id: 'generic.hid-pos-scanner',
    vendor: 'Generic',
    model: 'HID POS bar code scanner',
    class: 'scanner',
    protocol: 'hid-pos',
    generic: true,
    match: [{ usagePage: 0x8c }],
    transports: [{ kind: 'hid', usagePage: 0x8c }],
    capabilities: { symbologies: ['qr', 'code128'], utf8: true },
    uncertain: ['the device may need a vendor feature report to start sending HID POS reports'],
  },
  {
    id: 'generic.usb-cdc-scanner',
    vendor: 'Generic',
    model: 'USB CDC / serial bar code scanner',
    class: 'scanner',
    protocol: 'serial-line',
    generic: true,
    match: [{ path: '^/dev/tty(ACM|USB)\\d+$' }, { path: '^/dev/serial/by-id/' }],
    // No known suffix: a frame ends when the line goes quiet.
    transports: [{ kind: 'serial', baudRate: 9600, framing: { kind: 'inter-byte-timeout', timeoutMs: 50 } }],
    capabilities: { symbologies: ['qr', 'code128'], utf8: true },
    uncertain: ['baud rate (CDC ignores it; a real UART scanner may not be 9600)'],
  },
];
