/**
 * PACE chip-read figures on this machine. Run: npx tsx tests/bench/identity-pace.bench.ts [runs]
 * A PACE-capable virtual CCCD (brainpoolP256r1, AES-128, PACE with the CAN of the QR key) with a
 * chip authentication key (AES, P-256) and a 20 KB JPEG face.
 * 1. Whole PACE read (EF.CardAccess, PACE, EF.COM, DG1, DG13, DG14 + CA, DG2, EF.SOD + PA) at
 *    424 kbit/s + 3 ms per APDU, against the link time of the same APDUs (target ≤ 1.15×).
 * 2. Agent CPU for PACE + full read + PA + CA on an instantaneous link, the virtual chip's own CPU
 *    (its half of PACE and CA included) subtracted (target ≤ 60 ms).
 * 3. The same read as BAC-only for comparison, and the CPU of the PACE and CA steps alone.
 */
import os from 'node:os';
import { readChip, type SimulatedApduLinkOptions, type VirtualCccdOptions } from '@kiosk/device-agent';
import { agentCpu, fmt, KEY, timedChip, timedLink, trustStore } from './chip-read';
import { median, percentile } from './stats';

const RUNS = Number(process.argv[2] ?? 30);
const PACE_CARD: VirtualCccdOptions = { access: 'pace', chipAuthentication: 'aes', faceBytes: 20_000 };

async function readVsLink(runs: number, warmup: number, link: SimulatedApduLinkOptions) {
  const ratios: number[] = [];
  const wall: number[] = [];
  const linkMs: number[] = [];
  const agent: number[] = [];
  let apdus = 0;
  let coldRatio = 0;
  for (let i = 0; i < runs + warmup; i++) {
    const { chip } = timedChip(PACE_CARD);
    // Time spent inside transmit (simulated air time + its timer overshoot) vs in the agent.
    const { transport, inTransmitMs } = timedLink(link);
    transport.insertCard(chip);
    const started = performance.now();
    const r = await readChip(transport, { key: KEY, trustStore });
    const ms = performance.now() - started;
    if (!r.ok || r.value.verification.access !== 'pace-can' || r.value.verification.ca !== 'verified')
      throw new Error(`PACE read failed: ${r.ok ? JSON.stringify(r.value.verification) : r.error.message}`);
    apdus = r.value.stats.apdus;
    if (i === 0) coldRatio = ms / transport.linkTimeMs;
    if (i < warmup) continue;
    wall.push(ms);
    agent.push(ms - inTransmitMs());
    linkMs.push(transport.linkTimeMs);
    ratios.push(ms / transport.linkTimeMs);
  }
  return { ratios, wall, linkMs, agent, apdus, coldRatio };
}

const link424 = { bitRateKbps: 424 as const, perApduLatencyMs: 3 };
const a = await readVsLink(RUNS, 3, link424);
console.log(
  `1. PACE read (CAN) + CA + PA at 424 kbit/s + 3 ms/APDU, ${a.apdus} APDUs: median ${fmt(median(a.wall))} ` +
    `vs link ${fmt(median(a.linkMs))} → ratio median ${median(a.ratios).toFixed(3)}×, p95 ${percentile(a.ratios, 95).toFixed(3)}× ` +
    `(target ≤ 1.15×, ${a.ratios.length} warm runs; first cold read ${a.coldRatio.toFixed(3)}×; load ${os.loadavg()[0]?.toFixed(2)})`,
);

const agentMedian = median(a.agent);
console.log(
  `   of which agent (outside transmit): median ${fmt(agentMedian)}, p95 ${fmt(percentile(a.agent, 95))} → ` +
    `(link + agent) / link = ${((median(a.linkMs) + agentMedian) / median(a.linkMs)).toFixed(3)}×; ` +
    `the rest is the simulated link's timer overshoot on this machine`,
);

const c = await agentCpu(RUNS, PACE_CARD);
console.log(
  `2. agent CPU for PACE + full read (20 KB DG2) + PA + CA, ${c.apdus} APDUs, chip time subtracted: ` +
    `median ${fmt(median(c.agentMs))}, p95 ${fmt(percentile(c.agentMs, 95))} (target ≤ 60 ms); ` +
    `virtual chip median ${fmt(median(c.chipMsAll))}`,
);

const b = await agentCpu(RUNS, { faceBytes: 20_000 });
console.log(
  `3. for comparison, BAC-only card without CA: agent CPU median ${fmt(median(b.agentMs))}, p95 ${fmt(percentile(b.agentMs, 95))}, ${b.apdus} APDUs`,
);
