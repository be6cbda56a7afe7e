import { mount } from 'svelte';
import '../lib/base.css';
import Status from './Status.svelte';
import { codeFromPath } from './status-text';

// The manifest names this ticket's page as the installed app's start, so it is made per code.
const code = codeFromPath(location.pathname);
if (code) {
  const link = document.createElement('link');
  link.rel = 'manifest';
  link.href = `/t/manifest.webmanifest?code=${code}`;
  document.head.append(link);
}
mount(Status, { target: document.getElementById('app') as HTMLElement });
