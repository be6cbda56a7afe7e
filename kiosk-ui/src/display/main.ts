import { mount } from 'svelte';
import '../lib/base.css';
import Display from './Display.svelte';

mount(Display, { target: document.getElementById('app') as HTMLElement });
