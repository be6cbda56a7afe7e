/**
 * The real PC/SC path: a real pcscd with Debian's vsmartcard-vpcd driver exposes "Virtual PCD",
 * a virtual card written in TypeScript connects to the driver on 127.0.0.1:35963 (vpcd framing,
 * hardware.md §2), and the PcscTransport — the `smartcard` N-API binding in SHARED mode —
 * transmits APDUs that travel pcscd → vpcd → TCP → our card and back. Nothing is skipped: if
 * pcscd, the driver or the binding is missing, the suite fails and says which and how to fix it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The package entry does not re-export transports yet: import the barrel.
import { PcscTransport, VpcdCard, listPcscReaders } from '@kiosk/device-agent';

const VPCD_PORT = 35963;
const READER = 'Virtual PCD 00 00';
const ICAO_AID = [0xa0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01];
const ATR = Uint8Array.from([0x3b, 0x88, 0x80, 0x01, 0x00, 0x00, 0x00, 0x00, 0x77, 0x81, 0x81, 0x00, 0x7e]);

let daemon: ChildProcess | undefined;
let daemonLog = '';

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

function runningPcscdPid(): number | undefined {
  const pidFile = '/run/pcscd/pcscd.pid';
  if (!existsSync(pidFile)) return undefined;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8'), 10);
  if (!Number.isInteger(pid)) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

async function waitForReader(timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let last: Awaited<ReturnType<typeof listPcscReaders>> = { ok: false, reason: 'not listed yet' };
  while (Date.now() < deadline) {
    last = await listPcscReaders();
    if (last.ok && last.readers.includes(READER)) return last.readers;
    await delay(100);
  }
  throw new Error(
    `"${READER}" did not appear within ${timeoutMs} ms (${last.ok ? `readers: ${last.readers.join(', ') || 'none'}` : last.reason}). ` +
      `Needs: apt-get install pcscd libpcsclite-dev vsmartcard-vpcd; /etc/reader.conf.d/vpcd present. pcscd said: ${daemonLog.slice(-800)}`,
  );
}

/** A minimal ICAO-style card: SELECT of the eMRTD AID succeeds, GET CHALLENGE answers 8 bytes. */
function cardAnswer(apdu: Uint8Array): Uint8Array {
  const [, ins, p1] = apdu;
  if (ins === 0xa4 && p1 === 0x04) {
    const lc = apdu[4] ?? 0;
    const aid = [...apdu.subarray(5, 5 + lc)];
    return aid.length === ICAO_AID.length && aid.every((b, i) => b === ICAO_AID[i])
      ? Uint8Array.of(0x90, 0x00)
      : Uint8Array.of(0x6a, 0x82);
  }
  if (ins === 0x84) return Uint8Array.of(0x46, 0x08, 0xf9, 0x19, 0x88, 0x70, 0x22, 0x12, 0x90, 0x00);
  return Uint8Array.of(0x6d, 0x00);
}

beforeAll(async () => {
  if (!existsSync('/usr/sbin/pcscd')) throw new Error('pcscd is not installed: apt-get install pcscd libpcsclite-dev');
  if (!existsSync('/usr/lib/pcsc/drivers/serial/libifdvpcd.so'))
    throw new Error('vpcd driver missing: apt-get install vsmartcard-vpcd');
  if (runningPcscdPid() === undefined) {
    // -f: foreground (logs to stdout), so the test owns the process and can stop it by pid.
    daemon = spawn('/usr/sbin/pcscd', ['-f', '-e'], { stdio: ['ignore', 'pipe', 'pipe'] });
    daemon.stdout?.on('data', (d: Buffer) => (daemonLog += d.toString()));
    daemon.stderr?.on('data', (d: Buffer) => (daemonLog += d.toString()));
    daemon.once('error', (e) => (daemonLog += `spawn failed: ${e.message}`));
  }
  await waitForReader(10_000);
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

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

describe('PC/SC transport against a real pcscd with a vpcd virtual card', () => {
  it('sees the card arrive, transmits SELECT and GET CHALLENGE, sees it leave', async () => {
    const transport = new PcscTransport({ readerName: READER });
    await transport.open();
    const changes: boolean[] = [];
    transport.onCardChange((present) => changes.push(present));
    const card = new VpcdCard({ port: VPCD_PORT, atr: ATR, onApdu: cardAnswer });
    const apduLengths: number[] = [];
    card.events.add((e) => {
      if (e.kind === 'apdu') apduLengths.push(e.length);
    });
    try {
      await card.insert();
      await until(() => transport.cardPresent, 10_000, 'card presence through pcscd');

      const select = Uint8Array.from([0x00, 0xa4, 0x04, 0x0c, ICAO_AID.length, ...ICAO_AID]);
      expect([...(await transport.transmit(select))]).toEqual([0x90, 0x00]);
      expect([...(transport.atr ?? [])]).toEqual([...ATR]);

      const wrongAid = Uint8Array.from([0x00, 0xa4, 0x04, 0x0c, 0x02, 0x3f, 0x00]);
      expect([...(await transport.transmit(wrongAid))]).toEqual([0x6a, 0x82]);

      const challenge = await transport.transmit(Uint8Array.of(0x00, 0x84, 0x00, 0x00, 0x08));
      expect(challenge).toHaveLength(10);
      expect([...challenge.subarray(8)]).toEqual([0x90, 0x00]);
      expect(apduLengths).toEqual([12, 7, 5]);

      await card.remove();
      await until(() => !transport.cardPresent, 10_000, 'card removal through pcscd');
      const error = await transport.transmit(select).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: expect.stringMatching(/^(not-open|disconnected)$/u) });
      expect(error).toMatchObject({ detail: expect.stringMatching(/^(no-card|card-removed)$/u) });
      expect(changes).toEqual([true, false]);
    } finally {
      await card.remove();
      await transport.close();
    }
  });

  it('a card inserted again is usable again (fresh connection in SHARED mode)', async () => {
    const transport = new PcscTransport({ readerName: READER });
    await transport.open();
    const card = new VpcdCard({ port: VPCD_PORT, atr: ATR, onApdu: cardAnswer });
    try {
      for (let round = 0; round < 2; round += 1) {
        await card.insert();
        await until(() => transport.cardPresent, 10_000, `card presence, round ${round}`);
        const select = Uint8Array.from([0x00, 0xa4, 0x04, 0x0c, ICAO_AID.length, ...ICAO_AID]);
        expect([...(await transport.transmit(select))]).toEqual([0x90, 0x00]);
        // SHARED mode: a second client can open the same reader while we hold the card.
        const other = new PcscTransport({ readerName: READER });
        await other.open();
        expect([...(await other.transmit(select))]).toEqual([0x90, 0x00]);
        await other.close();
        await card.remove();
        await until(() => !transport.cardPresent, 10_000, `card removal, round ${round}`);
      }
    } finally {
      await card.remove();
      await transport.close();
    }
  });
});
