/**
 * Chip-read figures on this machine. Run: npx tsx tests/bench/identity-chip.bench.ts
 * 1. Card present → identity event, against the link time of the same APDUs on a simulated
 *    ISO 14443 link at 424 kbit/s + 3 ms per APDU (target ≤ 1.15×).
 * 2. Agent CPU for a full read (20 KB DG2 + passive authentication) on an instantaneous link,
 *    with the virtual chip's own time subtracted (target ≤ 50 ms).
 * 3. Whole-read wall time at 106 and 424 kbit/s for reference.
 */
import os from 'node:os';
import { createTrustStore, readChip, type ChipAccessKey } from '@kiosk/device-agent';
import {
  createTestPki,
  SimulatedApduTransport,
  VirtualCccdChip,
  type SimulatedApduLinkOptions,
} from '@kiosk/device-agent';
import { median, percentile } from './stats';

const KEY: ChipAccessKey = {
  kind: 'cccd',
  idNumber: '079188012345',
  dateOfBirth: '1988-03-12',
  issueDate: '2021-05-10',
};
const pki = createTestPki();
const trust = createTrustStore([pki.csca.pem]);
if (!trust.ok) throw new Error(trust.error.message);
const trustStore = trust.value;
const fmt = (ms: number) => `${ms.toFixed(2)} ms`;

/** A chip whose process() time is accounted, so it can be subtracted from the agent's CPU. */
function timedChip(faceBytes: number): { chip: VirtualCccdChip; chipMs: () => number } {
  const chip = new VirtualCccdChip({ pki, faceBytes });
  const inner = chip.process.bind(chip);
  let spent = 0;
  chip.process = (apdu: Uint8Array) => {
    const t = performance.now();
    const r = inner(apdu);
    spent += performance.now() - t;
    return r;
  };
  return { chip, chipMs: () => spent };
}

async function identityVsLink(runs: number, warmup: number, link: SimulatedApduLinkOptions) {
  const ratios: number[] = [];
  const toIdentity: number[] = [];
  const linkToIdentity: number[] = [];
  const agentToIdentity: number[] = [];
  let apdusToIdentity = 0;
  let coldRatio = 0;
  for (let i = 0; i < runs + warmup; i++) {
    const { chip } = timedChip(20_000);
    const transport = new SimulatedApduTransport('bench', { link });
    // Time spent inside transmit (simulated air time + its timer overshoot) vs in the agent.
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
    const started = performance.now();
    transport.insertCard(chip);
    let identityAt = 0;
    let linkAt = 0;
    let transmitAt = 0;
    const r = await readChip(
      transport,
      { key: KEY, trustStore },
      {
        onIdentity: () => {
          identityAt = performance.now() - started;
          linkAt = transport.linkTimeMs;
          transmitAt = inTransmit;
          apdusToIdentity = transport.apduCount;
        },
      },
    );
    if (!r.ok) throw new Error(r.error.message);
    if (i === 0) coldRatio = identityAt / linkAt;
    if (i < warmup) continue;
    toIdentity.push(identityAt);
    linkToIdentity.push(linkAt);
    ratios.push(identityAt / linkAt);
    agentToIdentity.push(identityAt - transmitAt);
  }
  return { ratios, toIdentity, linkToIdentity, agentToIdentity, apdusToIdentity, coldRatio };
}

async function agentCpu(runs: number) {
  const agentMs: number[] = [];
  const chipMsAll: number[] = [];
  let apdus = 0;
  for (let i = 0; i < runs + 5; i++) {
    const { chip, chipMs } = timedChip(20_000);
    const transport = new SimulatedApduTransport('bench', { card: chip });
    const cpu0 = process.cpuUsage();
    const r = await readChip(transport, { key: KEY, trustStore });
    const cpu = process.cpuUsage(cpu0);
    if (!r.ok || r.value.authenticity.status !== 'verified') throw new Error('read failed');
    apdus = r.value.stats.apdus;
    if (i < 5) continue; // warm-up
    const totalMs = (cpu.user + cpu.system) / 1000;
    agentMs.push(totalMs - chipMs());
    chipMsAll.push(chipMs());
  }
  return { agentMs, chipMsAll, apdus };
}

async function wholeRead(link: SimulatedApduLinkOptions) {
  const { chip } = timedChip(20_000);
  const transport = new SimulatedApduTransport('bench', { card: chip, link });
  const t = performance.now();
  const r = await readChip(transport, { key: KEY, trustStore });
  if (!r.ok) throw new Error(r.error.message);
  return { wallMs: performance.now() - t, linkMs: transport.linkTimeMs, apdus: r.value.stats.apdus };
}

const link424 = { bitRateKbps: 424 as const, perApduLatencyMs: 3 };
const a = await identityVsLink(30, 3, link424);
console.log(
  `1. card present → identity event (424 kbit/s + 3 ms/APDU, ${a.apdusToIdentity} APDUs): ` +
    `median ${fmt(median(a.toIdentity))} vs link ${fmt(median(a.linkToIdentity))} → ratio median ${median(a.ratios).toFixed(3)}×, ` +
    `p95 ${percentile(a.ratios, 95).toFixed(3)}× (target ≤ 1.15×, ${a.ratios.length} warm runs; first cold read ${a.coldRatio.toFixed(3)}×)`,
);

const agentMedian = median(a.agentToIdentity);
console.log(
  `   of which agent (outside transmit): median ${fmt(agentMedian)}, p95 ${fmt(percentile(a.agentToIdentity, 95))} → ` +
    `(link + agent) / link = ${((median(a.linkToIdentity) + agentMedian) / median(a.linkToIdentity)).toFixed(3)}×; ` +
    `the rest is the simulated link's timer overshoot on this machine (load ${os.loadavg()[0]?.toFixed(2)})`,
);

const c = await agentCpu(30);
console.log(
  `2. agent CPU for a full read (20 KB DG2 + PA, ${c.apdus} APDUs, chip time subtracted): ` +
    `median ${fmt(median(c.agentMs))}, p95 ${fmt(percentile(c.agentMs, 95))} (target ≤ 50 ms); ` +
    `virtual chip median ${fmt(median(c.chipMsAll))}`,
);

for (const rate of [106, 424] as const) {
  const w = await wholeRead({ bitRateKbps: rate, perApduLatencyMs: 3 });
  console.log(
    `3. whole read at ${rate} kbit/s + 3 ms/APDU: ${fmt(w.wallMs)} wall, ${fmt(w.linkMs)} link, ${w.apdus} APDUs`,
  );
}
