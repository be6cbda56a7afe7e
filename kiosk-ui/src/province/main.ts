import { mount } from 'svelte';
import '../lib/base.css';
import Province from './Province.svelte';

mount(Province, { target: document.getElementById('app') as HTMLElement });
