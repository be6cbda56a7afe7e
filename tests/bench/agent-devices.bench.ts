/**
 * Device paths through the real agent (simulated devices, loopback socket.io):
 *  1. chip read at 424 and 106 kbit/s (3 ms per APDU, 20 KB face): the patient's consent
 *     (card:read, sent as soon as card:presented arrives; nothing is read before it) → card:identified
 *     and → card:verified as the kiosk page sees them (targets: name ≤ 1 s, whole read ≤ 3 s
 *     at 424 kbit/s — "a couple of seconds" in the field);
 *  2. hot-plug notice in hardware mode: a device appears in / disappears from the discovery
 *     listing → its state in the registry (default 1 s polling; target ≤ 2 s);
 *  3. simulated unplug → devices:changed on the kiosk socket.
 * Run: npx tsx tests/bench/agent-devices.bench.ts [reads]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { createAgent, createLogger, loadAgentConfig, type Agent, type DiscoverySources } from '@kiosk/device-agent';
import type {
  AgentToKioskUiEvents,
  AgentToSimEvents,
  KioskUiToAgentEvents,
  Result,
  SimToAgentEvents,
} from '@kiosk/protocol';
import { median } from './stats';
import { until } from '../support/until';
import { CCCD_QR as QR } from '../support/cccd';

const reads = Number(process.argv[2] ?? 10);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-agent-devices-'));
const silent = createLogger('silent');

type Ui = Socket<AgentToKioskUiEvents, KioskUiToAgentEvents>;
type Sim = Socket<AgentToSimEvents, SimToAgentEvents>;
const connect = async <S extends Socket>(url: string): Promise<S> => {
  const s = io(url, { transports: ['websocket'] }) as S;
  await new Promise<void>((resolve) => s.once('connect', () => resolve()));
  return s;
};
const call = <T>(fn: (ack: (r: Result<T>) => void) => void) => new Promise<Result<T>>((resolve) => fn(resolve));
const round = (n: number) => Math.round(n * 10) / 10;

// ---- 1 + 3: simulated agent ----------------------------------------------------------------------

const agent: Agent = await createAgent(
  loadAgentConfig({
    AGENT_PORT: '0',
    AGENT_DATA_DIR: path.join(dir, 'sim'),
    SERVER_URL: 'http://127.0.0.1:9',
    LOG_LEVEL: 'silent',
    SCAN_DUPLICATE_WINDOW_MS: '0',
  }),
  silent,
);
const base = `http://127.0.0.1:${agent.gateway.port}`;
const ui = await connect<Ui>(base);
const sim = await connect<Sim>(`${base}/sim`);
await call<null>((ack) => sim.emit('sim:scan', { payload: QR }, ack));

const results: Record<string, unknown>[] = [];
for (const bitRateKbps of [424, 106] as const) {
  const toIdentity: number[] = [];
  const toAuth: number[] = [];
  for (let i = 0; i < reads; i++) {
    const identity = new Promise<number>((resolve) => ui.once('card:identified', () => resolve(performance.now())));
    const auth = new Promise<number>((resolve) => ui.once('card:verified', () => resolve(performance.now())));
    // The read starts when the page sends the patient's consent for the card it was told about.
    const consented = new Promise<number>((resolve, reject) =>
      ui.once('card:presented', ({ readId }) => {
        const t = performance.now();
        ui.emit('card:read', { readId, consent: true }, (r) =>
          r.ok ? resolve(t) : reject(new Error(`card:read refused: ${r.error.code}`)),
        );
      }),
    );
    await call<null>((ack) =>
      sim.emit(
        'sim:set-card',
        { action: 'present', printedMrz: false, link: { bitRateKbps, perApduLatencyMs: 3 } },
        ack,
      ),
    );
    const t0 = await consented;
    toIdentity.push((await identity) - t0);
    toAuth.push((await auth) - t0);
    await call<null>((ack) => sim.emit('sim:set-card', { action: 'remove' }, ack));
  }
  results.push({
    bench: `chip read through the agent at ${bitRateKbps} kbit/s (3 ms/APDU, 20 KB face)`,
    reads,
    identityMedianMs: round(median(toIdentity)),
    identityMaxMs: round(Math.max(...toIdentity)),
    authenticityMedianMs: round(median(toAuth)),
    authenticityMaxMs: round(Math.max(...toAuth)),
  });
}

const plugMs: Record<'unplug' | 'replug', number[]> = { unplug: [], replug: [] };
for (let i = 0; i < 40; i++) {
  const action = i % 2 === 0 ? 'unplug' : 'replug';
  const want = action === 'unplug' ? 'disconnected' : 'ready';
  const heard = new Promise<number>((resolve) => {
    const on = (devices: { id: string; state: string }[]) => {
      if (devices.find((d) => d.id === 'sim-printer')?.state !== want) return;
      ui.off('devices:changed', on);
      resolve(performance.now());
    };
    ui.on('devices:changed', on);
  });
  const t0 = performance.now();
  await call<null>((ack) => sim.emit('sim:set-device', { deviceId: 'sim-printer', action }, ack));
  plugMs[action].push((await heard) - t0);
}
for (const action of ['unplug', 'replug'] as const)
  results.push({
    bench: `simulated printer ${action} → devices:changed (${action === 'unplug' ? 'disconnected' : 'ready'}) on the kiosk socket`,
    samples: plugMs[action].length,
    medianMs: round(median(plugMs[action])),
    maxMs: round(Math.max(...plugMs[action])),
  });
ui.close();
sim.close();
await agent.close();

// ---- 2: hardware mode, discovery hot-plug ------------------------------------------------------

const printers: { path: string; vendorId: number; productId: number; manufacturer: string; product: string }[] = [];
const sources: DiscoverySources = {
  listSerial: async () => ({ ok: true, items: [] }),
  listHid: async () => ({ ok: true, items: [] }),
  listPcsc: async () => ({ ok: true, items: [] }),
  listUsbPrinters: async () => ({ ok: true, items: [...printers] }),
};
const hw = await createAgent(
  loadAgentConfig({
    AGENT_PORT: '0',
    AGENT_DATA_DIR: path.join(dir, 'hw'),
    SERVER_URL: 'http://127.0.0.1:9',
    DEVICES: 'hardware',
    LOG_LEVEL: 'silent',
  }),
  silent,
  // A usblp node that never opens (no /dev/usb/lp9 here): its state still tells attach and detach apart.
  { discoverySources: sources },
);
const id = 'usb-printer:/dev/usb/lp9';
/** When `check` first held (polled every 2 ms): the end of one sample. */
const heldAt = async (check: () => boolean) => {
  await until(check, { intervalMs: 2 });
  return performance.now();
};
const attachMs: number[] = [];
const detachMs: number[] = [];
for (let i = 0; i < 8; i++) {
  const t0 = performance.now();
  printers.push({
    path: '/dev/usb/lp9',
    vendorId: 0x04b8,
    productId: 0x0202,
    manufacturer: 'EPSON',
    product: 'TM-T88VI',
  });
  attachMs.push((await heldAt(() => hw.registry.get(id)?.reason === 'open-failed')) - t0);
  const t1 = performance.now();
  printers.length = 0;
  detachMs.push((await heldAt(() => hw.registry.get(id)?.reason === 'unplugged')) - t1);
  // Plug events land at random points of the polling period.
  await new Promise((r) => setTimeout(r, Math.random() * 1000));
}
results.push({
  bench: 'hardware mode: device listed / unlisted by discovery → registry state (1 s polling)',
  samples: attachMs.length,
  attachMedianMs: round(median(attachMs)),
  attachMaxMs: round(Math.max(...attachMs)),
  detachMedianMs: round(median(detachMs)),
  detachMaxMs: round(Math.max(...detachMs)),
  targetMs: 2000,
});
await hw.close();
fs.rmSync(dir, { recursive: true, force: true });
for (const r of results) console.log(JSON.stringify(r));
process.exit(0);
