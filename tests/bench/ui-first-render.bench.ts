/**
 * Kiosk page first render (target ≤ 1 s in Chromium with 4× CPU throttling): time from navigation
 * start to the attract screen in the DOM and painted, over fresh page loads (cold browser cache
 * each time) from the real stack on loopback; CPU throttled with CDP Emulation.setCPUThrottlingRate.
 * Run: npx tsx tests/bench/ui-first-render.bench.ts [runs]
 * (BENCH_PORT and BENCH_AGENT_PORT choose the stack's ports; default 18380 and 18931.)
 */
import { launchChromium, median, startStack } from './ui-stack';

const runs = Number(process.argv[2] ?? 15);
const stack = await startStack(Number(process.env.BENCH_PORT ?? 18380), Number(process.env.BENCH_AGENT_PORT ?? 18931));
const browser = await launchChromium();
const samples: { attract: number; fcp: number; load: number }[] = [];
try {
  for (let i = 0; i < runs + 1; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    // Stamp the moment the attract screen enters the DOM, and the next frame (it is painted then).
    await page.addInitScript(() => {
      const w = window as unknown as { __attractAt?: number; __paintedAt?: number };
      new MutationObserver((_m, obs) => {
        if (document.querySelector('[data-testid="attract"]')) {
          w.__attractAt = performance.now();
          requestAnimationFrame(() => requestAnimationFrame(() => (w.__paintedAt = performance.now())));
          obs.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    });
    await page.goto(stack.kioskUrl, { waitUntil: 'load' });
    await page.waitForFunction(() => (window as unknown as { __paintedAt?: number }).__paintedAt !== undefined);
    const t = await page.evaluate(() => {
      const w = window as unknown as { __paintedAt: number };
      const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN;
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
      return { attract: w.__paintedAt, fcp, load: nav?.loadEventEnd ?? NaN };
    });
    if (i > 0) samples.push(t); // the first load warms the server's file cache
    await context.close();
  }
} finally {
  await browser.close();
  await stack.stop();
}
const attract = samples.map((s) => s.attract).sort((a, b) => a - b);
const fcp = samples.map((s) => s.fcp);
const p90 = attract[Math.min(attract.length - 1, Math.ceil(attract.length * 0.9) - 1)] ?? NaN;
const worst = attract.at(-1) ?? NaN;
console.log(
  `kiosk first render, 4× CPU throttling, ${samples.length} cold loads: attract painted median ${median(attract).toFixed(0)} ms, p90 ${p90.toFixed(0)} ms, max ${worst.toFixed(0)} ms; FCP median ${median(fcp).toFixed(0)} ms; load event median ${median(samples.map((s) => s.load)).toFixed(0)} ms`,
);
// Judged on the median and p90: a single slow load on a shared 2-core machine is noise, not the page.
const ok = median(attract) <= 1000 && p90 <= 1000;
console.log(`target ≤ 1000 ms (median and p90): ${ok ? 'met' : 'MISSED'}`);
process.exitCode = ok ? 0 : 1;
