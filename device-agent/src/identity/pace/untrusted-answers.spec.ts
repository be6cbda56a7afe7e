/**
 * PACE, chip authentication and active authentication face the chip's answers, which are outside
 * input: random, truncated or mutated answers must end in a typed result, never an exception.
 */
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ApduTransport } from '../../transports/transport';
import { runActiveAuthentication, verifyActiveAuthSignature } from '../ca/active-auth';
import { runChipAuthentication } from '../ca/chip-auth';
import { ApduChannel } from '../chip/apdu-channel';
import { concat, fromHex } from '../icao/bytes';
import { curveByName, curveByParameterId, encodePoint } from './ec';
import { PACE_ALGORITHMS } from './pace-crypto';
import { runPace } from './pace';

/** A card that answers each APDU with the next of `answers` (then 6F00). */
function cardAnswering(answers: Uint8Array[]): ApduTransport {
  let i = 0;
  return {
    id: 'fuzz',
    cardPresent: true,
    onCardChange: () => () => {},
    close: async () => {},
    transmit: () => Promise.resolve(answers[i++] ?? fromHex('6F00')),
  };
}

const answer = fc.oneof(
  fc.uint8Array({ maxLength: 200 }),
  fc.uint8Array({ maxLength: 150 }).map((b) => concat(Uint8Array.of(0x7c, b.length), b, fromHex('9000'))),
  fc
    .tuple(fc.constantFrom(0x80, 0x82, 0x84, 0x86), fc.uint8Array({ maxLength: 100 }))
    .map(([tag, v]) => concat(Uint8Array.of(0x7c, v.length + 2, tag, v.length), v, fromHex('9000'))),
);
const random = (n: number) => new Uint8Array(n).fill(0x5a);

describe('untrusted chip answers', () => {
  it('PACE never throws on random answers', async () => {
    const algorithm = PACE_ALGORITHMS['0.4.0.127.0.7.2.2.4.2.2'];
    const curve = curveByParameterId(13);
    if (!algorithm || !curve) throw new Error('setup');
    await fc.assert(
      fc.asyncProperty(fc.array(answer, { minLength: 1, maxLength: 6 }), async (answers) => {
        const r = await runPace(new ApduChannel(cardAnswering([fromHex('9000'), ...answers]), 100), {
          algorithm,
          curve,
          parameterId: 13,
          password: { kind: 'can', can: '123456' },
          random,
        });
        expect(r.ok).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it('chip authentication never throws on random answers, and never reports verified for them', async () => {
    const curve = curveByName('P-256');
    if (!curve) throw new Error('setup');
    const publicPoint = encodePoint(curve.Point.BASE.multiply(12345n));
    await fc.assert(
      fc.asyncProperty(fc.array(answer, { minLength: 1, maxLength: 4 }), fc.boolean(), async (answers, aes) => {
        const r = await runChipAuthentication(new ApduChannel(cardAnswering(answers), 100), {
          ...(aes && { info: { kind: 'ca' as const, protocol: '0.4.0.127.0.7.2.2.3.2.2', version: 2 } }),
          publicKey: { kind: 'ca-public-key', protocol: '0.4.0.127.0.7.2.2.1.2', curve, publicPoint },
          random,
          probeFileId: 0x010e,
        });
        expect(r.ok && r.value.status).not.toBe('verified');
      }),
      { numRuns: 150 },
    );
  });

  it('active authentication never throws on random signatures (RSA and ECDSA)', async () => {
    const rsa = {
      spki: new Uint8Array(
        generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'der' }),
      ),
      algorithm: '1.2.840.113549.1.1.1',
    };
    const ec = {
      spki: new Uint8Array(
        generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'der' }),
      ),
      algorithm: '1.2.840.10045.2.1',
    };
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 140 }), fc.boolean(), (sig, useRsa) => {
        expect(verifyActiveAuthSignature(useRsa ? rsa : ec, random(8), sig).status).not.toBe('verified');
      }),
      { numRuns: 300 },
    );
    await fc.assert(
      fc.asyncProperty(answer, async (a) => {
        const r = await runActiveAuthentication(new ApduChannel(cardAnswering([a]), 100), { dg15: rsa, random });
        expect(r.ok && r.value.status).not.toBe('verified');
      }),
      { numRuns: 100 },
    );
  });
});
