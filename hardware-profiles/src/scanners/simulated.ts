import type { DeviceProfileInput } from '../schema';

export const profiles: DeviceProfileInput[] = [
  {
    id: 'simulated.scanner',
    vendor: 'Simulated',
    model: '2D scanner (simulated)',
    class: 'scanner',
    protocol: 'serial-line',
    simulated: true,
    match: [],
    // The simulator's scanner ends each code with CR LF.
    transports: [{ kind: 'simulated', framing: { kind: 'delimiter', delimiter: [0x0d] } }],
    capabilities: { symbologies: ['qr', 'code128', 'pdf417', 'datamatrix'], utf8: true },
  },
];
