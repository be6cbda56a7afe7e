/**
 * kiosk-agent: the field technician's diagnostic CLI. Personal data is masked unless --reveal.
 */
import { io } from 'socket.io-client';
import { catalogue } from '@kiosk/hardware-profiles';
import type { Result } from '@kiosk/protocol';

// Piped into `head` and the like: a closed stdout ends the command quietly.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
});

const [command, ...rest] = process.argv.slice(2);
const flags = new Set(rest.filter((a) => a.startsWith('--')));
const args = rest.filter((a) => !a.startsWith('--'));
const agentUrl = process.env.AGENT_URL ?? `http://127.0.0.1:${process.env.AGENT_PORT ?? 8731}`;

function usage(): never {
  process.stderr.write(
    [
      'usage: kiosk-agent <command>',
      '  profiles [--json]        the hardware catalogue',
      "  sim-scan <payload>       make the running agent's simulated scanner read a code",
      '',
    ].join('\n'),
  );
  process.exit(2);
}

async function simScan(payload: string): Promise<void> {
  const socket = io(`${agentUrl}/sim`, { transports: ['websocket'], reconnection: false, timeout: 3000 });
  const result = await new Promise<Result<null>>((resolve) => {
    socket.on('connect_error', (e) => resolve({ ok: false, error: { code: 'agent-unreachable', message: e.message } }));
    socket.on('connect', () => socket.emit('sim:scan', { payload }, resolve));
  });
  socket.close();
  if (!result.ok) {
    process.stderr.write(`scan failed: ${result.error.code} (${result.error.message})\n`);
    process.exit(1);
  }
  process.stdout.write('scanned\n');
}

switch (command) {
  case 'profiles':
    if (flags.has('--json')) process.stdout.write(`${JSON.stringify(catalogue, null, 2)}\n`);
    else
      for (const p of catalogue)
        process.stdout.write(`${p.class.padEnd(12)} ${p.id.padEnd(32)} ${p.vendor} ${p.model}\n`);
    break;
  case 'sim-scan':
    if (!args[0]) usage();
    await simScan(args[0]);
    break;
  default:
    usage();
}
