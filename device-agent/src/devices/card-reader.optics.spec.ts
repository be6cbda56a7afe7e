import { describe, expect, it } from 'vitest';
import { profileById, type CardReaderProfile } from '@kiosk/hardware-profiles';
import { createLogger } from '../logger';
import { createTrustStore } from '../identity';
import { createTestPki, SYNTHETIC_MRZ, VirtualCccdChip } from '../simulator/virtual-cccd';
import { SimulatedReaderTransport } from '../simulator/simulated-reader.transport';
import { until } from '@kiosk/protocol';
import { CardReader, type CardEvent } from './card-reader.device';
import { DeviceRegistry } from './device-registry';

const pki = createTestPki();
const trust = createTrustStore([pki.csca.pem]);
if (!trust.ok) throw new Error(trust.error.message);
const trustStore = trust.value;

/** A reader of this profile with the synthetic card lying on it, printed side legible, consented to. */
async function readWith(profileId: string) {
  const profile = profileById(profileId) as CardReaderProfile;
  const transport = new SimulatedReaderTransport('r');
  const events: CardEvent[] = [];
  const reader = new CardReader({
    id: 'r',
    profile,
    transport,
    registry: new DeviceRegistry(),
    trustStore: () => trustStore,
    sessionKey: () => undefined,
    log: createLogger('silent'),
  });
  reader.events.add((e) => {
    events.push(e);
    if (e.type === 'card:present') reader.consent(e.payload.readId);
  });
  await reader.start();
  transport.insertCard(new VirtualCccdChip({ pki, faceBytes: 2000 }), {}, undefined, SYNTHETIC_MRZ);
  await until(() => expect(events.some((e) => e.type === 'card:failed' || e.type === 'card:authenticity')).toBe(true));
  await reader.idle();
  await reader.close();
  return events;
}

describe('CardReader key sources', () => {
  it('a reader whose profile has MRZ optics opens the chip with the printed MRZ, without a session key', async () => {
    const events = await readWith('simulated.card-reader-mrz');
    const identity = events.find((e) => e.type === 'card:identity');
    expect(identity?.type === 'card:identity' && identity.keySource).toBe('mrz-optics');
    expect(events.some((e) => e.type === 'card:failed')).toBe(false);
  });

  it('a plain reader ignores the printed side: no key, the session is told, no APDU is sent', async () => {
    const events = await readWith('simulated.card-reader');
    const failed = events.find((e) => e.type === 'card:failed');
    expect(failed?.type === 'card:failed' && failed.access).toEqual({ outcome: 'no-key' });
    expect(events.some((e) => e.type === 'card:identity')).toBe(false);
  });
});
