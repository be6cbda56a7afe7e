/**
 * The real PC/SC path: a real pcscd with Debian's vsmartcard-vpcd driver exposes "Virtual PCD",
 * a virtual card written in TypeScript connects to the driver on 127.0.0.1:35963 (vpcd framing,
 * hardware.md §2), and the PcscTransport — the `smartcard` N-API binding in SHARED mode —
 * transmits APDUs that travel pcscd → vpcd → TCP → our card and back. Nothing is skipped: if
 * pcscd, the driver or the binding is missing, the suite fails and says which and how to fix it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PcscTransport, VpcdCard } from '@kiosk/device-agent';
import { startPcscd, VPCD_PORT, VPCD_READER as READER, type Pcscd } from '../support/pcscd';
import { until } from '../support/until';

const ICAO_AID = [0xa0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01];
const ATR = Uint8Array.from([0x3b, 0x88, 0x80, 0x01, 0x00, 0x00, 0x00, 0x00, 0x77, 0x81, 0x81, 0x00, 0x7e]);

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

let pcscd: Pcscd | undefined;
beforeAll(async () => {
  pcscd = await startPcscd();
});
afterAll(async () => {
  await pcscd?.stop();
});

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
      await until(() => transport.cardPresent, { what: 'card presence through pcscd' });

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
      await until(() => !transport.cardPresent, { what: 'card removal through pcscd' });
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
        await until(() => transport.cardPresent, { what: `card presence, round ${round}` });
        const select = Uint8Array.from([0x00, 0xa4, 0x04, 0x0c, ICAO_AID.length, ...ICAO_AID]);
        expect([...(await transport.transmit(select))]).toEqual([0x90, 0x00]);
        // SHARED mode: a second client can open the same reader while we hold the card.
        const other = new PcscTransport({ readerName: READER });
        await other.open();
        expect([...(await other.transmit(select))]).toEqual([0x90, 0x00]);
        await other.close();
        await card.remove();
        await until(() => !transport.cardPresent, { what: `card removal, round ${round}` });
      }
    } finally {
      await card.remove();
      await transport.close();
    }
  });
});
