/**
 * systemd's notify protocol (sd_notify(3)) without a native module: `READY=1` once the service
 * listens, `WATCHDOG=1` at half the unit's `WatchdogSec` while the event loop turns, `STOPPING=1`
 * on shutdown. Node cannot open an AF_UNIX datagram socket, so one small helper process does: Perl,
 * which Debian always has (perl-base is essential), reads one message per line on its stdin and
 * sends each as a datagram to $NOTIFY_SOCKET (a path, or `@name` in the abstract namespace). The
 * helper lives as long as the service, inside its cgroup, so the unit needs `NotifyAccess=all`;
 * a short-lived `systemd-notify` per message would race systemd's lookup of the sender.
 * Without NOTIFY_SOCKET (not under systemd, or Type=simple) everything here does nothing.
 * The server and the device agent both use it (`@kiosk/protocol/node`).
 */
import { spawn, type ChildProcess } from 'node:child_process';

const HELPER = `
use strict; use Socket;
my $path = $ENV{NOTIFY_SOCKET}; $path =~ s/^@/\\0/;
socket(my $s, AF_UNIX, SOCK_DGRAM, 0) or exit 1;
my $to = pack_sockaddr_un($path);
$| = 1;
while (my $line = <STDIN>) { chomp $line; send($s, $line, 0, $to); }
`;

export interface SdNotifier {
  /** Whether systemd is listening (NOTIFY_SOCKET set and the helper running). */
  readonly active: boolean;
  /** Sends `READY=1` and starts the watchdog pings when the unit has a watchdog. */
  ready(status?: string): void;
  stopping(): void;
  close(): void;
}

const inactive: SdNotifier = {
  active: false,
  ready: () => undefined,
  stopping: () => undefined,
  close: () => undefined,
};

/** One field per line; a value never carries a newline (it would split the message). */
const line = (field: string) => `${field.replace(/[\r\n]+/gu, ' ')}\n`;

export function sdNotifier(env: Record<string, string | undefined> = process.env): SdNotifier {
  const socket = env['NOTIFY_SOCKET'];
  if (!socket) return inactive;
  let helper: ChildProcess | undefined = spawn('perl', ['-e', HELPER], {
    env: { NOTIFY_SOCKET: socket, PATH: env['PATH'] ?? '/usr/bin:/bin' },
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  helper.on('error', () => (helper = undefined));
  helper.on('exit', () => (helper = undefined));
  helper.stdin?.on('error', () => undefined);
  // The helper must not keep a finished process alive.
  helper.unref();
  const send = (...fields: string[]) => {
    helper?.stdin?.write(fields.map(line).join(''));
  };
  // systemd sets WATCHDOG_USEC (and WATCHDOG_PID, the process meant) when the unit has WatchdogSec.
  const watchdogUsec = Number(env['WATCHDOG_USEC'] ?? 0);
  const forUs = !env['WATCHDOG_PID'] || Number(env['WATCHDOG_PID']) === process.pid;
  let timer: NodeJS.Timeout | undefined;
  return {
    get active() {
      return helper !== undefined;
    },
    ready(status) {
      send('READY=1', `MAINPID=${process.pid}`, ...(status ? [`STATUS=${status}`] : []));
      if (watchdogUsec > 0 && forUs && !timer) {
        // A ping needs a turn of the event loop: a loop stuck for WatchdogSec gets the process restarted.
        timer = setInterval(() => send('WATCHDOG=1'), Math.max(100, watchdogUsec / 2000));
        timer.unref();
      }
    },
    stopping() {
      send('STOPPING=1');
    },
    close() {
      if (timer) clearInterval(timer);
      timer = undefined;
      helper?.stdin?.end();
      helper = undefined;
    },
  };
}
