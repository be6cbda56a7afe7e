/**
 * Kiosk page memory over a long session (target: JS heap growth ≤ 5 MB after 500 check-ins in one
 * page session). Drives scan → confirm → consent → service → priority → ticket → done cycles
 * against the real stack (simulated scanner and printer), and reads the heap with CDP
 * (HeapProfiler.collectGarbage, then Performance.getMetrics JSHeapUsedSize).
 * Run: npx tsx tests/bench/ui-heap.bench.ts [cycles]
 */
import { io, type Socket } from 'socket.io-client';
import type { AgentToSimEvents, Result, SimToAgentEvents } from '@kiosk/protocol';
import { launchChromium, median, startStack } from './ui-stack';

const cycles = Number(process.argv[2] ?? 500);
// A different patient each cycle: the scanner suppresses the same code read twice in a row.
const names = ['Nguyễn Thị Lan', 'Trần Văn Bình', 'Lê Thị Hồng', 'Phạm Minh Đức', 'Hoàng Thu Trang'];
const cccdQr = (i: number) =>
  `0791880${String(i).padStart(5, '0')}||${names[i % names.length]}|12031988|Nữ|Phường Ninh Kiều, TP. Cần Thơ|10052021`;
const stack = await startStack(18480, 19031);
const browser = await launchChromium();
const sim: Socket<AgentToSimEvents, SimToAgentEvents> = io(`${stack.agentUrl}/sim`, { transports: ['websocket'] });
await new Promise<void>((resolve) => sim.once('connect', () => resolve()));
const scan = (i: number) =>
  new Promise<Result<null>>((resolve) => sim.emit('sim:scan', { payload: cccdQr(i) }, resolve));

const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
const cdp = await page.context().newCDPSession(page);
await cdp.send('Performance.enable');
const heapMb = async () => {
  for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  return (metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN) / 1024 / 1024;
};

const durations: number[] = [];
const samples: { cycle: number; mb: number }[] = [];
try {
  await page.goto(stack.kioskUrl);
  await page.getByTestId('attract').waitFor();
  await page.waitForFunction(() => !document.body.textContent?.includes('Ki-ốt đang khởi động lại'));
  const start = await heapMb();
  samples.push({ cycle: 0, mb: start });
  for (let i = 1; i <= cycles; i++) {
    const t0 = performance.now();
    const scanned = await scan(i);
    if (!scanned.ok) throw new Error(`scan refused: ${scanned.error.code}`);
    await page
      .getByTestId('confirm')
      .waitFor({ timeout: 5000 })
      .catch(async (e: unknown) => {
        throw new Error(`cycle ${i}: step ${await page.locator('.kiosk').getAttribute('data-step')}: ${String(e)}`);
      });
    await page.getByTestId('confirm-yes').click();
    await page.getByTestId('consent-agree').click();
    await page.getByTestId('service-noi-tong-quat').click();
    await page.getByTestId('submit').click();
    await page.getByTestId('ticket-number').waitFor();
    await page.getByTestId('done').click();
    await page.getByTestId('thanks').waitFor();
    durations.push(performance.now() - t0);
    if (i % 50 === 0 || i === 10 || i === cycles) {
      samples.push({ cycle: i, mb: await heapMb() });
      process.stderr.write(`  ${i} check-ins, heap ${samples.at(-1)?.mb.toFixed(2)} MB\n`);
    }
  }
  // No patient data left on the page after the last cycle either.
  await page.getByTestId('attract').waitFor({ timeout: 10_000 });
  const html = await page.content();
  if (names.some((n) => html.includes(n))) throw new Error('a patient name is still in the DOM');
} finally {
  sim.close();
  await browser.close();
  await stack.stop();
}
const first = samples[0]?.mb ?? NaN;
const warm = samples.find((s) => s.cycle === 10)?.mb ?? NaN;
const last = samples.at(-1)?.mb ?? NaN;
console.log(
  `kiosk heap over ${cycles} check-ins in one page session: ${first.toFixed(2)} MB at start, ${warm.toFixed(2)} MB after 10, ${last.toFixed(2)} MB after ${cycles}; growth ${(last - first).toFixed(2)} MB from start (${(last - warm).toFixed(2)} MB after warm-up); cycle median ${median(durations).toFixed(0)} ms`,
);
console.log(`samples: ${samples.map((s) => `${s.cycle}:${s.mb.toFixed(2)}`).join(' ')}`);
const ok = last - first <= 5;
console.log(`target growth ≤ 5 MB: ${ok ? 'met' : 'MISSED'}`);
process.exitCode = ok ? 0 : 1;
