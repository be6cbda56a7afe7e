/**
 * The serial smart-reader path with a real kernel tty: socat makes a pseudo-terminal pair, the
 * reader peer (with a virtual CCCD) holds one end through a SerialTransport, the
 * SerialSmartReaderTransport holds the other, and readChip reads identity, face and a verified
 * passive authentication end to end over the framed protocol at 115200 baud. Garbage on the line
 * is resynced; killing socat (the unplug) ends the read in a code, never a crash.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { profileById, type CardReaderProfile, type TransportSettings } from '@kiosk/hardware-profiles';
import {
  readChip,
  SerialSmartReaderPeer,
  SerialSmartReaderTransport,
  SerialTransport,
  VirtualCccdChip,
} from '@kiosk/device-agent';
import { killPtyPairs, ptyPair } from '../support/pty';
import { until } from '../support/until';
import { keyFromQr, pki, trustStore } from '../support/cccd';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close().catch(() => undefined);
  killPtyPairs();
});

const readerProfile = (): CardReaderProfile => {
  const p = profileById('generic.serial-smart-reader');
  if (p?.class !== 'card-reader') throw new Error('no serial smart-reader profile');
  return p;
};
const serialSettingsOf = (p: CardReaderProfile): Extract<TransportSettings, { kind: 'serial' }> => {
  const s = p.transports.find((t) => t.kind === 'serial');
  if (s?.kind !== 'serial') throw new Error(`${p.id} has no serial transport`);
  return s;
};

async function rig(options: { faceBytes?: number; noiseBeforeAnswer?: (n: number) => Uint8Array | undefined } = {}) {
  const pair = await ptyPair();
  const profile = readerProfile();
  expect(profile.transports[0]).toMatchObject({ kind: 'serial', baudRate: 115200 });
  const settings = serialSettingsOf(profile);
  const framing = profile.capabilities.framing;
  const chip = new VirtualCccdChip({ pki, faceBytes: options.faceBytes ?? 20_000 });
  const deviceLink = new SerialTransport({ path: pair.device, settings });
  const peer = new SerialSmartReaderPeer({
    link: deviceLink,
    framing,
    card: chip,
    noiseBeforeAnswer: options.noiseBeforeAnswer,
  });
  await peer.start();
  const hostLink = new SerialTransport({ path: pair.host, settings });
  const reader = new SerialSmartReaderTransport({ link: hostLink, framing });
  closers.push(
    () => reader.close(),
    () => peer.stop(),
  );
  await reader.open();
  return { pair, chip, peer, reader, hostLink };
}

describe('identity: chip read through a serial smart-reader on a real pseudo-terminal', () => {
  it('reads identity, the 20 KB face and a verified authenticity', async () => {
    const { reader, peer } = await rig();
    expect(reader.cardPresent).toBe(true);
    const { key, qrIdentity } = keyFromQr();
    const order: string[] = [];
    const result = await readChip(
      reader,
      { key, trustStore },
      {
        onIdentity: () => order.push('identity'),
        onFace: () => order.push('face'),
        onAuthenticity: (a) => order.push(`authenticity:${a.status}`),
      },
    );
    expect(result.ok ? null : result.error).toBeNull();
    if (!result.ok) return;
    expect(order).toEqual(['identity', 'face', 'authenticity:verified']);
    for (const field of ['idNumber', 'fullName', 'dateOfBirth', 'sex', 'address', 'issueDate'] as const)
      expect(result.value.identity[field]).toBe(qrIdentity[field]);
    expect(result.value.face?.bytes.length).toBe(20_000);
    expect(result.value.stats.apdus).toBe(peer.counts.apdus);
    expect(peer.counts.powerOns).toBe(1);
  });

  it('garbage on the line in both directions: still reads, verified', async () => {
    // Every 7th answer is preceded by line noise, some of it with a false STX and length.
    const noise = (n: number) =>
      n % 7 === 0
        ? Uint8Array.of(0x00, 0xff, 0x02, 0x00, 0x03, 0x81, 0x90, 0x00, 0x55, 0x03, 0x02, 0xff, 0xfe)
        : undefined;
    const { reader, peer, hostLink } = await rig({ faceBytes: 8000, noiseBeforeAnswer: noise });
    // Noise from the host side too, between messages.
    await hostLink.write(Uint8Array.of(0x13, 0x02, 0x00, 0x01, 0x42, 0x00, 0x03, 0x02, 0x09));
    const result = await readChip(reader, { key: keyFromQr().key, trustStore });
    expect(result.ok ? result.value.authenticity.status : result.error).toBe('verified');
    expect(reader.deframerStats?.droppedBytes).toBeGreaterThan(0);
    expect(peer.droppedBytes).toBeGreaterThan(0);
  });

  it('socat killed mid-read → card-removed or reader-error, no crash', async () => {
    const { reader, pair } = await rig({ faceBytes: 20_000 });
    const changes: boolean[] = [];
    reader.onCardChange((p) => changes.push(p));
    let killed = false;
    const result = await readChip(
      reader,
      { key: keyFromQr().key, trustStore },
      {
        onIdentity: () => {
          killed = true;
          pair.socat.kill('SIGTERM');
        },
      },
    );
    expect(killed).toBe(true);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(['card-removed', 'reader-error']).toContain(result.error.code);
    // A read that ran into the loss (a failed write, drain or read) says card-removed and the reader
    // already reports no card; one that timed out first hears of the loss from its link a moment later.
    if (result.error.code === 'card-removed') expect(reader.cardPresent).toBe(false);
    await until(() => !reader.cardPresent, { what: 'the reader to report no card' });
    expect(changes.at(-1)).toBe(false);
    await expect(reader.transmit(Uint8Array.of(0x00, 0xa4, 0x04, 0x0c))).rejects.toMatchObject({
      code: expect.stringMatching(/^(disconnected|not-open|timeout)$/u),
    });
  });
});
