/**
 * Kiosk page first render (target ≤ 1 s in Chromium with 4× CPU throttling), over fresh page loads
 * (cold browser cache each time) from the real stack on loopback; CPU throttled with CDP
 * Emulation.setCPUThrottlingRate. Two moments from navigation start:
 *  - start screen painted: the first contentful paint, which is the start screen prerendered into
 *    index.html (kiosk-ui/scripts/prerender.mjs) when it is painted before the live page mounts;
 *    the benchmark checks which one the first paint showed;
 *  - live: the mounted page's start screen (its test id, absent from the prerendered copy) in the
 *    DOM and the next frame painted, so a tap is answered from then on.
 * The target is judged on "start screen painted" (median and p90); "live" is reported beside it.
 * Run: npx tsx tests/bench/ui-first-render.bench.ts [runs]
 * (BENCH_PORT and BENCH_AGENT_PORT choose the stack's ports; default 18380 and 18931.)
 */
import { percentile } from './stats';
import { launchChromium, median, startStack } from './ui-stack';

const runs = Number(process.argv[2] ?? 15);
const stack = await startStack(Number(process.env.BENCH_PORT ?? 18380), Number(process.env.BENCH_AGENT_PORT ?? 18931));
const browser = await launchChromium();
const samples: { painted: number; live: number; prerenderedFirst: boolean; load: number }[] = [];
try {
  for (let i = 0; i < runs + 1; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    // Stamp the moment the live start screen enters the DOM and the next frame (painted then), and
    // whether the first contentful paint came while the prerendered copy was still the page.
    await page.addInitScript(() => {
      const w = window as unknown as { __liveAt?: number; __paintedAt?: number };
      new MutationObserver((_m, obs) => {
        if (document.querySelector('[data-testid="attract"]')) {
          w.__liveAt = performance.now();
          requestAnimationFrame(() => requestAnimationFrame(() => (w.__paintedAt = performance.now())));
          obs.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    });
    await page.goto(stack.kioskUrl, { waitUntil: 'load' });
    await page.waitForFunction(() => (window as unknown as { __paintedAt?: number }).__paintedAt !== undefined);
    const t = await page.evaluate(() => {
      const w = window as unknown as { __paintedAt: number; __liveAt: number };
      const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN;
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
      return { painted: fcp, live: w.__paintedAt, prerenderedFirst: fcp < w.__liveAt, load: nav?.loadEventEnd ?? NaN };
    });
    if (i > 0) samples.push(t); // the first load warms the server's file cache
    await context.close();
  }
} finally {
  await browser.close();
  await stack.stop();
}
const figures = (xs: number[]) =>
  `median ${median(xs).toFixed(0)} ms, p90 ${percentile(xs, 90).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms`;
const painted = samples.map((s) => s.painted);
const live = samples.map((s) => s.live);
const prerendered = samples.filter((s) => s.prerenderedFirst).length;
console.log(
  `kiosk first render, 4× CPU throttling, ${samples.length} cold loads at 1280×800:\n` +
    `  start screen painted (FCP): ${figures(painted)}; the prerendered screen was the first paint in ${prerendered} of ${samples.length}\n` +
    `  live (mounted, painted): ${figures(live)}\n` +
    `  load event median ${median(samples.map((s) => s.load)).toFixed(0)} ms`,
);
// Judged on the median and p90: a single slow load on a shared 2-core machine is noise, not the page.
const ok = median(painted) <= 1000 && percentile(painted, 90) <= 1000;
console.log(`target ≤ 1000 ms, start screen painted (median and p90): ${ok ? 'met' : 'MISSED'}`);
process.exitCode = ok ? 0 : 1;
