import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{protocol,hardware-profiles,device-agent,server,kiosk-ui}/src/**/*.spec.ts'],
          environment: 'node',
          // A bound on hangs only: property tests count runs, not seconds, and a busy machine
          // makes them slower, not wrong (a spec of thousands of runs took over 10 s at load 23).
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          // Hang bounds too; a PC/SC suite's setup may wait its turn for the machine's one vpcd port
          // while another test run's PC/SC suite holds it (tests/support/pcscd.ts).
          hookTimeout: 180_000,
          // Suites start real servers, pseudo-terminals and daemons: run files one at a time on 2 cores.
          fileParallelism: false,
        },
      },
    ],
  },
});
