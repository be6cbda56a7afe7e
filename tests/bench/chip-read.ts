/**
 * What the chip-read benchmarks share (identity-chip.bench.ts, identity-pace.bench.ts): the test
 * PKI and its trust store, the card's access key, a virtual chip whose own CPU is accounted, a
 * simulated link that accounts the time spent in transmit, and the agent-CPU measurement.
 */
import {
  createTestPki,
  createTrustStore,
  readChip,
  SimulatedApduTransport,
  VirtualCccdChip,
  type ChipAccessKey,
  type SimulatedApduLinkOptions,
  type VirtualCccdOptions,
} from '@kiosk/device-agent';

export const KEY: ChipAccessKey = {
  kind: 'cccd',
  idNumber: '079188012345',
  dateOfBirth: '1988-03-12',
  issueDate: '2021-05-10',
};
const pki = createTestPki();
const trust = createTrustStore([pki.csca.pem]);
if (!trust.ok) throw new Error(trust.error.message);
export const trustStore = trust.value;
export const fmt = (ms: number) => `${ms.toFixed(2)} ms`;

/**
 * A chip whose process() CPU time is accounted (process.cpuUsage, not the wall clock: on a loaded
 * machine the wall clock also counts time the process was not running), so it can be subtracted
 * from the agent's CPU.
 */
export function timedChip(options: VirtualCccdOptions): { chip: VirtualCccdChip; chipMs: () => number } {
  const chip = new VirtualCccdChip({ pki, ...options });
  const inner = chip.process.bind(chip);
  let spent = 0;
  chip.process = (apdu: Uint8Array) => {
    const t = process.cpuUsage();
    const r = inner(apdu);
    const d = process.cpuUsage(t);
    spent += (d.user + d.system) / 1000;
    return r;
  };
  return { chip, chipMs: () => spent };
}

/** A simulated link that accounts the time spent inside transmit (air time + its timer overshoot). */
export function timedLink(link: SimulatedApduLinkOptions): {
  transport: SimulatedApduTransport;
  inTransmitMs: () => number;
} {
  const transport = new SimulatedApduTransport('bench', { link });
  const transmit = transport.transmit.bind(transport);
  let inTransmit = 0;
  transport.transmit = async (command: Uint8Array) => {
    const t = performance.now();
    try {
      return await transmit(command);
    } finally {
      inTransmit += performance.now() - t;
    }
  };
  return { transport, inTransmitMs: () => inTransmit };
}

/** Agent CPU for whole reads on an instantaneous link, the chip's own CPU subtracted (5 warm-ups). */
export async function agentCpu(runs: number, options: VirtualCccdOptions) {
  const agentMs: number[] = [];
  const chipMsAll: number[] = [];
  let apdus = 0;
  for (let i = 0; i < runs + 5; i++) {
    const { chip, chipMs } = timedChip(options);
    const transport = new SimulatedApduTransport('bench', { card: chip });
    const cpu0 = process.cpuUsage();
    const r = await readChip(transport, { key: KEY, trustStore });
    const cpu = process.cpuUsage(cpu0);
    if (!r.ok || r.value.authenticity.status !== 'verified') throw new Error('read failed');
    apdus = r.value.stats.apdus;
    if (i < 5) continue; // warm-up
    agentMs.push((cpu.user + cpu.system) / 1000 - chipMs());
    chipMsAll.push(chipMs());
  }
  return { agentMs, chipMsAll, apdus };
}
