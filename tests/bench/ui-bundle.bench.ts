/**
 * Kiosk page JavaScript size (target ≤ 60 KB gzip): the built kiosk entry and every chunk it
 * imports (modulepreload links, static and dynamic import statements, followed recursively), each
 * gzipped at level 9 as a server would send it. Builds the pages first. The kiosk's languages
 * beyond Vietnamese (`locale-*` chunks) load only when a patient picks one, so the kiosk's figure
 * is everything else plus the largest of them: the most one patient's visit loads. The simulator's
 * developer panel (`DevPanel-*`, loaded only with `?dev=1`) is still counted, though no patient's
 * visit loads it; it uses the page's small socket.io client (kiosk-ui/src/lib/small-socket.ts)
 * like the agent link, so no chunk of the kiosk page carries socket.io-client.
 * Run: npx tsx tests/bench/ui-bundle.bench.ts [--no-build]
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { root } from './ui-stack';

const dist = path.join(root, 'kiosk-ui', 'dist');
if (!process.argv.includes('--no-build'))
  execFileSync('npm', ['run', 'build', '-w', 'kiosk-ui', '--silent'], { cwd: root, stdio: 'ignore' });

function pageAssets(page: string): { js: string[]; css: string[] } {
  const html = fs.readFileSync(path.join(dist, page, 'index.html'), 'utf8');
  const refs = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/gu)].map((m) => m[1] ?? '');
  const js = new Set<string>();
  const queue = refs.filter((r) => r.endsWith('.js'));
  while (queue.length > 0) {
    const ref = queue.shift() ?? '';
    if (js.has(ref)) continue;
    js.add(ref);
    const code = fs.readFileSync(path.join(dist, ref), 'utf8');
    // Imports between chunks — static `import{a}from"./x.js"`, `import"./x.js"`, and dynamic
    // `import("./x.js")` with Vite's preload list `"assets/x.js"`: the kiosk loads them all at start.
    for (const m of code.matchAll(/(?:from|import)\s*\(?\s*"\.\/([^"]+\.js)"/gu)) queue.push(`/assets/${m[1]}`);
    for (const m of code.matchAll(/"assets\/([^"]+\.js)"/gu)) queue.push(`/assets/${m[1]}`);
  }
  return { js: [...js], css: refs.filter((r) => r.endsWith('.css')) };
}

const size = (ref: string) => {
  const raw = fs.readFileSync(path.join(dist, ref));
  return { raw: raw.length, gzip: zlib.gzipSync(raw, { level: 9 }).length };
};

const rows: string[] = [];
let kioskJsGzip = 0;
for (const page of ['kiosk', 'counter', 'display', 'admin']) {
  const { js, css } = pageAssets(page);
  const jsSizes = js.map(size);
  const gz = jsSizes.reduce((a, s) => a + s.gzip, 0);
  const raw = jsSizes.reduce((a, s) => a + s.raw, 0);
  const cssGz = css.map(size).reduce((a, s) => a + s.gzip, 0);
  if (page === 'kiosk') {
    const isLocale = (ref: string) => path.basename(ref).startsWith('locale-');
    const locales = js.flatMap((ref, i) => (isLocale(ref) ? [jsSizes[i]?.gzip ?? 0] : []));
    const start = js.reduce((a, ref, i) => a + (isLocale(ref) ? 0 : (jsSizes[i]?.gzip ?? 0)), 0);
    kioskJsGzip = start + Math.max(0, ...locales);
    rows.push(
      `kiosk    at start ${(start / 1024).toFixed(1)} KB gzip; with the largest other language ${(kioskJsGzip / 1024).toFixed(1)} KB gzip`,
    );
  }
  // The page itself: the kiosk's carries its prerendered start screen and, inlined, its CSS.
  const htmlGz = size(`/${page}/index.html`).gzip;
  rows.push(
    `${page.padEnd(8)} JS ${(gz / 1024).toFixed(1)} KB gzip (${(raw / 1024).toFixed(1)} KB raw, ${js.length} files)  CSS ${(cssGz / 1024).toFixed(1)} KB gzip  HTML ${(htmlGz / 1024).toFixed(1)} KB gzip`,
  );
  if (page === 'kiosk')
    for (const [i, ref] of js.entries())
      rows.push(`           ${path.basename(ref).padEnd(34)} ${((jsSizes[i]?.gzip ?? 0) / 1024).toFixed(1)} KB gzip`);
}
console.log(rows.join('\n'));
const ok = kioskJsGzip <= 60 * 1024;
console.log(`kiosk JS ${(kioskJsGzip / 1024).toFixed(1)} KB gzip — target ≤ 60 KB: ${ok ? 'met' : 'MISSED'}`);
process.exitCode = ok ? 0 : 1;
