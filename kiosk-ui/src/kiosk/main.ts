import { mount } from 'svelte';
import '../lib/base.css';
import './kiosk.css';
import Kiosk from './Kiosk.svelte';

mount(Kiosk, { target: document.getElementById('app') as HTMLElement });
