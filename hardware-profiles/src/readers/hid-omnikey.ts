import type { DeviceProfileInput } from '../schema';

/** HID Global OMNIKEY, vendor id 0x076B. Ids and names from libccid. */
export const profiles: DeviceProfileInput[] = [
  {
    id: 'hid-omnikey.5022',
    vendor: 'HID Global',
    model: 'OMNIKEY 5022 CL',
    class: 'card-reader',
    protocol: 'pcsc',
    match: [
      { vendorId: 0x076b, productId: 0x5022 },
      { readerName: 'OMNIKEY 5022' },
      { vendorId: 0x076b, productId: 0x5022, readerName: 'OMNIKEY 5022' },
    ],
    transports: [{ kind: 'pcsc', shareMode: 'shared' }],
    capabilities: { contactless: true, contact: false, extendedLength: true, maxBitRateKbps: 848 },
    uncertain: ['extended-length support on ISO 14443-4 through this reader'],
  },
  {
    id: 'hid-omnikey.5422',
    vendor: 'HID Global',
    model: 'OMNIKEY 5422',
    class: 'card-reader',
    protocol: 'pcsc',
    notes: 'Dual interface: two PC/SC readers appear ("… 5422 Smartcard Reader" contact, "… 5422CL" contactless).',
    match: [
      { vendorId: 0x076b, productId: 0x5422 },
      { readerName: 'OMNIKEY 5422' },
      { vendorId: 0x076b, productId: 0x5422, readerName: 'OMNIKEY 5422' },
    ],
    transports: [{ kind: 'pcsc', shareMode: 'shared' }],
    capabilities: { contactless: true, contact: true, extendedLength: true, maxBitRateKbps: 848 },
    uncertain: ['exact contactless reader-name suffix ("5422CL")'],
  },
];
