import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { hex } from '../icao/bytes';
import { buildCardFiles } from '../../simulator/virtual-cccd/synthetic-card';
import { buildSod, createTestPki } from '../../simulator/virtual-cccd/pki';
import { OID, parseSod } from './sod.parser';
import { CPU_BOUND_SPEC_TIMEOUT_MS } from '../../spec-helpers/timeouts';

vi.setConfig({ testTimeout: CPU_BOUND_SPEC_TIMEOUT_MS });

const pki = createTestPki();
const files = buildCardFiles({ faceBytes: 2000 });
const sod = buildSod({ dataGroups: files.dataGroups, signer: pki.documentSigner });

describe('EF.SOD', () => {
  it('extracts the LDSSecurityObject, the document signer and the signer info', () => {
    const r = parseSod(sod);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.eContentType).toBe(OID.LDS_SECURITY_OBJECT);
    expect(r.value.lds.hashName).toBe('sha256');
    expect([...r.value.lds.dataGroupHashes.keys()]).toEqual([1, 2, 13]);
    const dg1 = files.dataGroups.get(1) ?? new Uint8Array(0);
    expect(hex(r.value.lds.dataGroupHashes.get(1) ?? new Uint8Array(0))).toBe(
      createHash('sha256').update(dg1).digest('hex').toUpperCase(),
    );
    expect(r.value.certificates).toHaveLength(1);
    expect(hex(r.value.certificates[0] ?? new Uint8Array(0))).toBe(hex(pki.documentSigner.der));
    const si = r.value.signerInfos[0];
    expect(si?.signedAttributes?.[0]).toBe(0x31);
    expect(si?.messageDigest && hex(si.messageDigest)).toBe(
      createHash('sha256').update(r.value.eContent).digest('hex').toUpperCase(),
    );
    expect(si?.contentTypeAttribute).toBe(OID.LDS_SECURITY_OBJECT);
    expect(si && 'serialNumber' in si.sid && hex(si.sid.serialNumber)).toBe('1001');
  });

  it('accepts the bare ContentInfo without the 77 wrapper', () => {
    const bare = sod.subarray(sod[1] === 0x82 ? 4 : sod[1] === 0x81 ? 3 : 2);
    expect(parseSod(bare).ok).toBe(true);
  });

  it('rejects data that is not SignedData', () => {
    const r = parseSod(Uint8Array.of(0x77, 0x03, 0x30, 0x01, 0x00));
    expect(r.ok).toBe(false);
  });

  it('never throws (fuzz: random, truncated, mutated)', () => {
    const small = buildSod({ dataGroups: new Map([[1, Uint8Array.of(1, 2, 3)]]), signer: pki.documentSigner });
    const inputs = fc.oneof(
      fc.uint8Array({ maxLength: 400 }),
      fc.nat(small.length).map((n) => small.subarray(0, n)),
      fc.tuple(fc.nat(small.length - 1), fc.integer({ min: 0, max: 255 })).map(([i, b]) => {
        const c = Uint8Array.from(small);
        c[i] = b;
        return c;
      }),
    );
    fc.assert(
      fc.property(inputs, (b) => void parseSod(b)),
      { numRuns: 3000 },
    );
  });
});
