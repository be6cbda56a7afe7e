/**
 * The kiosk's start screen rendered at build time (scripts/prerender.mjs): shipped inside
 * dist/kiosk/index.html so a slow kiosk PC paints it before any script has run; the live page
 * replaces it on mount (main.ts). Vietnamese texts, no facility look (the server's configuration
 * arrives with the live page), and a "starting" state: it claims no device ready.
 */
import { render } from 'svelte/server';
import Kiosk from './Kiosk.svelte';

export function renderStartScreen(): string {
  return render(Kiosk, { props: { prerendered: true } }).body;
}
