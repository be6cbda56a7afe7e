import { mount } from 'svelte';
import '../lib/base.css';
import './kiosk.css';
import Kiosk from './Kiosk.svelte';

// The start screen prerendered into index.html (scripts/prerender.mjs) gives way to the live page.
const target = document.getElementById('app') as HTMLElement;
target.replaceChildren();
mount(Kiosk, { target });
