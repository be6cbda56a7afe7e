import { mount } from 'svelte';
import '../lib/base.css';
import './counter-view.css';
import Counter from './Counter.svelte';

mount(Counter, { target: document.getElementById('app') as HTMLElement });
