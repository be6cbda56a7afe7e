/**
 * The chip reader through the real PC/SC stack: the virtual CCCD is served as a vpcd card
 * (pcscd → vsmartcard-vpcd → TCP 127.0.0.1:35963 → our chip), the PcscTransport (SHARED mode)
 * carries the APDUs, and the whole read — BAC, secure messaging, DG1/DG13/DG2/EF.SOD, passive
 * authentication — runs as it would on a kiosk. Uses a running pcscd or starts one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The package entry does not re-export the simulator and transports: import their barrels.
import { createTrustStore, readChip } from '@kiosk/device-agent';
import { createTestPki, VirtualCccdChip } from '@kiosk/device-agent';
import { listPcscReaders, PcscTransport, VpcdCard } from '@kiosk/device-agent';

const VPCD_PORT = 35963;
const READER = 'Virtual PCD 00 00';
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

let daemon: ChildProcess | undefined;
let daemonLog = '';

function pcscdRunning(): boolean {
  const pidFile = '/run/pcscd/pcscd.pid';
  if (!existsSync(pidFile)) return false;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8'), 10);
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

beforeAll(async () => {
  if (!existsSync('/usr/sbin/pcscd')) throw new Error('pcscd is not installed: apt-get install pcscd libpcsclite-dev');
  if (!existsSync('/usr/lib/pcsc/drivers/serial/libifdvpcd.so'))
    throw new Error('vpcd driver missing: apt-get install vsmartcard-vpcd');
  if (!pcscdRunning()) {
    daemon = spawn('/usr/sbin/pcscd', ['-f', '-e'], { stdio: ['ignore', 'pipe', 'pipe'] });
    daemon.stdout?.on('data', (d: Buffer) => (daemonLog += d.toString()));
    daemon.stderr?.on('data', (d: Buffer) => (daemonLog += d.toString()));
  }
  const deadline = Date.now() + 10_000;
  for (;;) {
    const r = await listPcscReaders();
    if (r.ok && r.readers.includes(READER)) break;
    if (Date.now() > deadline) throw new Error(`"${READER}" did not appear; pcscd said: ${daemonLog.slice(-600)}`);
    await delay(100);
  }
});

afterAll(async () => {
  const d = daemon;
  daemon = undefined;
  if (d && d.exitCode === null) {
    const exited = new Promise((r) => d.once('exit', r));
    d.kill('SIGTERM');
    await Promise.race([exited, delay(3000)]);
    if (d.exitCode === null) d.kill('SIGKILL');
  }
});

describe('identity: virtual CCCD behind a real pcscd', () => {
  it('reads identity, face and a verified authenticity through PC/SC', async () => {
    const pki = createTestPki();
    const trust = createTrustStore([pki.csca.pem]);
    if (!trust.ok) throw new Error(trust.error.message);
    const chip = new VirtualCccdChip({ pki, faceBytes: 20_000 });
    const card = new VpcdCard({
      port: VPCD_PORT,
      atr: chip.atr,
      onApdu: (apdu) => chip.process(apdu),
    });
    card.events.add((e) => {
      if (e.kind === 'control' && (e.code === 1 || e.code === 2)) chip.reset();
    });
    const transport = new PcscTransport({ readerName: READER });
    await transport.open();
    try {
      await card.insert();
      await until(() => transport.cardPresent, 10_000, 'card presence through pcscd');
      const events: string[] = [];
      const result = await readChip(
        transport,
        {
          key: { kind: 'cccd', idNumber: '079188012345', dateOfBirth: '1988-03-12', issueDate: '2021-05-10' },
          trustStore: trust.value,
        },
        {
          onIdentity: () => events.push('identity'),
          onFace: () => events.push('face'),
          onAuthenticity: (a) => events.push(`authenticity:${a.status}`),
        },
      );
      expect(result.ok ? null : result.error).toBeNull();
      expect(events).toEqual(['identity', 'face', 'authenticity:verified']);
      if (result.ok) {
        expect(result.value.identity.fullName).toBe('Nguyễn Thị Lan');
        expect(result.value.face?.bytes.length).toBe(20_000);
      }
    } finally {
      await card.remove();
      await transport.close();
    }
  });
});
