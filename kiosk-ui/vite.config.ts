import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// One small bundle per page: the kiosk page must stay light on a low-end kiosk PC.
export default defineConfig({
  plugins: [svelte()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Read by scripts/prerender.mjs (the kiosk's stylesheets to link for its prerendered start
    // screen), then removed from dist.
    manifest: true,
    rollupOptions: {
      input: {
        kiosk: resolve(import.meta.dirname, 'kiosk/index.html'),
        counter: resolve(import.meta.dirname, 'counter/index.html'),
        display: resolve(import.meta.dirname, 'display/index.html'),
        admin: resolve(import.meta.dirname, 'admin/index.html'),
        status: resolve(import.meta.dirname, 'status/index.html'),
        province: resolve(import.meta.dirname, 'province/index.html'),
      },
      // The kiosk's languages beyond Vietnamese load when a patient picks one (lib/i18n.svelte.ts):
      // named so the bundle benchmark can tell them apart.
      output: {
        chunkFileNames: (chunk) =>
          chunk.moduleIds.length > 0 && chunk.moduleIds.every((id) => id.includes('/src/lib/locales/'))
            ? 'assets/locale-[name]-[hash].js'
            : 'assets/[name]-[hash].js',
      },
    },
  },
});
