/**
 * Chip-read figures on this machine. Run: npx tsx tests/bench/identity-chip.bench.ts
 * 1. Card present → identity event, against the link time of the same APDUs on a simulated
 *    ISO 14443 link at 424 kbit/s + 3 ms per APDU (target ≤ 1.15×).
 * 2. Agent CPU for a full read (20 KB DG2 + passive authentication) on an instantaneous link,
 *    with the virtual chip's own time subtracted (target ≤ 50 ms).
 * 3. Whole-read wall time at 106 and 424 kbit/s for reference.
 */
import os from 'node:os';
import { readChip, SimulatedApduTransport, type SimulatedApduLinkOptions } from '@kiosk/device-agent';
import { agentCpu, fmt, KEY, timedChip, timedLink, trustStore } from './chip-read';
import { median, percentile } from './stats';

async function identityVsLink(runs: number, warmup: number, link: SimulatedApduLinkOptions) {
  const ratios: number[] = [];
  const toIdentity: number[] = [];
  const linkToIdentity: number[] = [];
  const agentToIdentity: number[] = [];
  let apdusToIdentity = 0;
  let coldRatio = 0;
  for (let i = 0; i < runs + warmup; i++) {
    const { chip } = timedChip({ faceBytes: 20_000 });
    // Time spent inside transmit (simulated air time + its timer overshoot) vs in the agent.
    const { transport, inTransmitMs } = timedLink(link);
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
          transmitAt = inTransmitMs();
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

async function wholeRead(link: SimulatedApduLinkOptions) {
  const { chip } = timedChip({ faceBytes: 20_000 });
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

const c = await agentCpu(30, { faceBytes: 20_000 });
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
