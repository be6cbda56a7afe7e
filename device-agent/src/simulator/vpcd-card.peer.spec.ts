import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VpcdFramer, vpcdFrame } from './vpcd-card.peer';

describe('VpcdFramer', () => {
  it('reassembles messages split at any byte boundary', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }),
        fc.array(fc.nat(400)),
        (messages, cuts) => {
          const wire = Buffer.concat(messages.map((m) => vpcdFrame(m)));
          const framer = new VpcdFramer();
          const out: Uint8Array[] = [];
          let offset = 0;
          for (const cut of [...cuts, wire.length]) {
            const end = Math.min(wire.length, offset + cut);
            out.push(...framer.push(wire.subarray(offset, end)));
            offset = end;
          }
          expect(out.map((m) => [...m])).toEqual(messages.map((m) => [...m]));
        },
      ),
    );
  });

  it('random and truncated input never throws', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 })), (chunks) => {
        const framer = new VpcdFramer();
        for (const c of chunks) framer.push(c);
      }),
    );
  });
});
