/**
 * The chip reader through the real PC/SC stack: the virtual CCCD is served as a vpcd card
 * (pcscd → vsmartcard-vpcd → TCP 127.0.0.1:35963 → our chip), the PcscTransport (SHARED mode)
 * carries the APDUs, and the whole read — BAC, secure messaging, DG1/DG13/DG2/EF.SOD, passive
 * authentication — runs as it would on a kiosk. Uses a running pcscd or starts one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestPki,
  createTrustStore,
  PcscTransport,
  readChip,
  VirtualCccdChip,
  VpcdCard,
} from '@kiosk/device-agent';
import { startPcscd, VPCD_PORT, VPCD_READER as READER, type Pcscd } from '../support/pcscd';
import { until } from '../support/until';

let pcscd: Pcscd | undefined;
beforeAll(async () => {
  pcscd = await startPcscd();
});
afterAll(async () => {
  await pcscd?.stop();
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
      await until(() => transport.cardPresent, { what: 'card presence through pcscd' });
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
