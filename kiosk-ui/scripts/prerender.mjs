// Prerenders the kiosk's start screen into dist/kiosk/index.html (run after `vite build`): a
// server-side build of src/kiosk/prerender.ts into a temporary folder, rendered with Svelte's
// server renderer, its comments and test ids stripped, and put into the page's mount target as an
// inert copy, with the live page's stylesheets inlined in the head. The browser paints it from the
// HTML alone, before any script or stylesheet has arrived; the page's entry then loads the live
// page, which replaces it on mount (src/kiosk/main.ts, app.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { build } from 'vite';

const root = path.resolve(import.meta.dirname, '..');
const page = path.join(root, 'dist/kiosk/index.html');
const manifestFile = path.join(root, 'dist/.vite/manifest.json');
const mountTarget = '<div id="app"></div>';

/**
 * Every stylesheet the live kiosk page loads at start: the entry's and those of the chunks it
 * imports, statically or on its first (deferred) import. Inlined in the page's head so the
 * prerendered screen is styled from its first paint without waiting for a request.
 */
export function kioskStylesheets(manifest) {
  const entry = Object.values(manifest).find((c) => c.isEntry && c.src === 'kiosk/index.html');
  if (!entry) throw new Error('prerender: the kiosk page is not in the build manifest');
  const seen = new Set();
  const css = new Set();
  const visit = (key, chunk) => {
    if (!chunk || seen.has(key)) return;
    seen.add(key);
    for (const file of chunk.css ?? []) css.add(`/${file}`);
    for (const next of chunk.imports ?? []) visit(next, manifest[next]);
  };
  visit('kiosk/index.html', entry);
  // The live page itself: the entry's deferred import of src/kiosk/app.ts.
  visit('src/kiosk/app.ts', manifest['src/kiosk/app.ts']);
  return [...css];
}

/** The rendered markup as shipped: no hydration comments, no test ids (the live page has them). */
export function shippable(markup) {
  return markup
    .replace(/<!--[\s\S]*?-->/gu, '')
    .replace(/\sdata-testid="[^"]*"/gu, '')
    .trim();
}

/** The page with the prerendered start screen inside its (empty) mount target. */
export function inject(html, markup, css) {
  if (!html.includes(mountTarget)) throw new Error(`prerender: no empty ${mountTarget} in the kiosk page`);
  if (/<\/style/iu.test(css)) throw new Error('prerender: a stylesheet closes its <style>');
  return html
    .replace('  </head>', `    <style>${css}</style>\n  </head>`)
    .replace(mountTarget, `<div id="app"><div data-prerendered inert>${markup}</div></div>`);
}

async function main() {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-prerender-'));
  try {
    await build({
      root,
      configFile: false,
      logLevel: 'warn',
      plugins: [svelte()],
      ssr: { noExternal: true },
      build: {
        ssr: path.join(root, 'src/kiosk/prerender.ts'),
        outDir,
        emptyOutDir: true,
        target: 'node20',
        rollupOptions: { output: { entryFileNames: 'prerender.mjs' } },
      },
    });
    const { renderStartScreen } = await import(pathToFileURL(path.join(outDir, 'prerender.mjs')).href);
    const markup = shippable(renderStartScreen());
    const html = fs.readFileSync(page, 'utf8');
    const css = kioskStylesheets(JSON.parse(fs.readFileSync(manifestFile, 'utf8')))
      .filter((href) => !html.includes(`href="${href}"`))
      .map((href) => fs.readFileSync(path.join(root, 'dist', href), 'utf8').trim())
      .join('\n');
    fs.writeFileSync(page, inject(html, markup, css));
    fs.rmSync(path.dirname(manifestFile), { recursive: true, force: true });
    console.log(
      `prerender: kiosk start screen, ${markup.length} characters, ${css.length} of CSS, into ${path.relative(root, page)}`,
    );
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}

await main();
