/**
 * A real pcscd with vsmartcard's vpcd driver for the PC/SC tests. vpcd listens on one fixed port,
 * so a suite holds the machine's vpcd lock from startPcscd() to stop(): two test runs side by side
 * take turns instead of both putting their virtual card on the one port. A pcscd already running
 * is used as it is; one started here runs in the foreground, owned by the test, and is stopped by
 * its pid. Waits are for what pcscd reports (the reader listed, a card in it), never for a fixed time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { listPcscReaders, PcscTransport, VpcdCard, type VirtualCccdChip } from '@kiosk/device-agent';
import { until } from './until';

export const VPCD_READER = 'Virtual PCD 00 00';
export const VPCD_PORT = 35963;

/**
 * `chip` served as the vpcd card (not yet inserted): a reset or power cycle of the card resets
 * the chip, as a real card's does. `delayMs`: each command answered that much later (a slow card).
 */
export function vpcdChipCard(chip: VirtualCccdChip, delayMs = 0): VpcdCard {
  const card = new VpcdCard({
    port: VPCD_PORT,
    atr: chip.atr,
    onApdu: async (apdu) => {
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      return chip.process(apdu);
    },
  });
  card.events.add((e) => {
    if (e.kind === 'control' && (e.code === 1 || e.code === 2)) chip.reset();
  });
  return card;
}

export interface Pcscd {
  /** What a pcscd started here printed (empty when one was already running). */
  log(): string;
  stop(): Promise<void>;
}

function runningPcscd(): boolean {
  const pidFile = '/run/pcscd/pcscd.pid';
  if (!existsSync(pidFile)) return false;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8'), 10);
  if (!Number.isInteger(pid)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The machine-wide lock on the vpcd port (util-linux flock; released when this process ends, too). */
const VPCD_LOCK = '/tmp/kiosk-vpcd-port.lock';

/**
 * Takes the vpcd lock: `flock` holds it while its child (`cat`) waits on our pipe, so closing the
 * pipe — or this process dying — releases it. Resolves with the release.
 */
async function lockVpcd(): Promise<() => Promise<void>> {
  const holder = spawn('flock', [VPCD_LOCK, 'sh', '-c', 'echo held; exec cat'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    holder.once('error', reject);
    holder.once('exit', (code) => reject(new Error(`flock on ${VPCD_LOCK} ended (${code}) before holding it`)));
    holder.stdout?.once('data', () => resolve());
  });
  holder.removeAllListeners('exit');
  return async () => {
    if (holder.exitCode !== null) return;
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    holder.stdin?.end();
    await exited;
  };
}

/** Takes the vpcd lock, starts pcscd unless one runs, and resolves once `reader` is listed. */
export async function startPcscd(reader = VPCD_READER): Promise<Pcscd> {
  const unlock = await lockVpcd();
  if (!existsSync('/usr/sbin/pcscd')) throw new Error('pcscd is not installed: apt-get install pcscd libpcsclite-dev');
  if (!existsSync('/usr/lib/pcsc/drivers/serial/libifdvpcd.so'))
    throw new Error('vpcd driver missing: apt-get install vsmartcard-vpcd');
  let daemon: ChildProcess | undefined;
  let output = '';
  if (!runningPcscd()) {
    // -f: foreground (logs to stdout), so the test owns the process and can stop it by pid.
    daemon = spawn('/usr/sbin/pcscd', ['-f', '-e'], { stdio: ['ignore', 'pipe', 'pipe'] });
    daemon.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    daemon.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    daemon.once('error', (e) => (output += `spawn failed: ${e.message}`));
  }
  let last: Awaited<ReturnType<typeof listPcscReaders>> = { ok: false, reason: 'not listed yet' };
  await until(
    async () => {
      last = await listPcscReaders();
      return last.ok && last.readers.includes(reader);
    },
    {
      intervalMs: 100,
      what: () =>
        `"${reader}" (${last.ok ? `readers: ${last.readers.join(', ') || 'none'}` : last.reason}); ` +
        `needs pcscd, libpcsclite-dev, vsmartcard-vpcd and /etc/reader.conf.d/vpcd. pcscd said: ${output.slice(-800)}`,
    },
  );
  return {
    log: () => output,
    async stop() {
      const d = daemon;
      daemon = undefined;
      if (!d || d.exitCode !== null) return unlock();
      const exited = new Promise((resolve) => d.once('exit', resolve));
      d.kill('SIGTERM');
      // SIGTERM is asked first; a pcscd that does not exit by then is killed.
      const stopped = await Promise.race([exited.then(() => true), sleep(3000).then(() => false)]);
      if (!stopped && d.exitCode === null) d.kill('SIGKILL');
      await unlock();
    },
  };
}

/** Waits until pcscd reports a card in `reader` (present) or none: the state a PC/SC client will see. */
export async function waitForCardState(present: boolean, reader = VPCD_READER): Promise<void> {
  const transport = new PcscTransport({ readerName: reader });
  await transport.open();
  try {
    await until(() => transport.cardPresent === present, {
      what: `pcscd to report ${present ? 'a card in' : 'no card in'} "${reader}"`,
    });
  } finally {
    await transport.close();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
