/**
 * A real kernel pseudo-terminal pair made by socat: serial tests put a driver on one end
 * (`device`) and play the peripheral on the other (`host`). Killing `socat` is the unplug.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface PtyPair {
  socat: ChildProcess;
  device: string;
  host: string;
}

const running = new Set<ChildProcess>();

export function ptyPair(): Promise<PtyPair> {
  return new Promise((resolve, reject) => {
    const socat = spawn('socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    running.add(socat);
    socat.once('exit', () => running.delete(socat));
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`socat gave no pty pair within 5 s: ${stderr}`)), 5000);
    socat.once('error', (e) => reject(new Error(`socat could not start (apt-get install socat): ${e.message}`)));
    socat.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      const paths = [...stderr.matchAll(/PTY is (\/dev\/pts\/\d+)/gu)].map((m) => m[1] ?? '');
      if (paths.length >= 2 && paths[0] && paths[1]) {
        clearTimeout(timer);
        resolve({ socat, host: paths[0], device: paths[1] });
      }
    });
  });
}

/** Kills every pair still running (an afterEach hook). */
export function killPtyPairs(): void {
  for (const p of running) if (p.exitCode === null) p.kill('SIGKILL');
  running.clear();
}
