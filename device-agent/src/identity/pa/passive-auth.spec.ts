import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { encodeBerTlv } from '@kiosk/protocol';
import { parseSod } from '../lds/sod.parser';
import {
  buildCrl,
  buildLdsSecurityObject,
  buildSod,
  createTestPki,
  generateKeyPair,
  issueCertificate,
  type KeyKind,
} from '../../simulator/virtual-cccd/pki';
import { buildCardFiles } from '../../simulator/virtual-cccd/synthetic-card';
import { verifyPassiveAuth } from './passive-auth';
import { createTrustStore, EMPTY_TRUST_STORE, type TrustStore } from './trust-store';
import { CPU_BOUND_SPEC_TIMEOUT_MS } from '../../spec-helpers/timeouts';

vi.setConfig({ testTimeout: CPU_BOUND_SPEC_TIMEOUT_MS });

const files = buildCardFiles({ faceBytes: 4000 });
const pki = createTestPki();
const store = (...pems: string[]): TrustStore => {
  const r = createTrustStore(pems);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};
const trusted = store(pki.csca.pem);
const sod = buildSod({ dataGroups: files.dataGroups, signer: pki.documentSigner });

describe('verifyPassiveAuth with CRLs', () => {
  const withCrl = (crl: Uint8Array): TrustStore => {
    const r = createTrustStore([pki.csca.pem], [crl]);
    if (!r.ok) throw new Error(r.error.message);
    return r.value;
  };

  it('fails as dsc-revoked when a CRL signed by the CSCA lists the document signer', () => {
    const crl = buildCrl({ issuer: pki.csca, revoked: [0x0fff, 0x1001] });
    const r = verifyPassiveAuth(sod, files.dataGroups, { trustStore: withCrl(crl) });
    expect(r.status === 'failed' && r.step).toBe('dsc-revoked');
  });

  it('ignores a CRL that does not list the signer, one not signed by the CSCA, and one of another CSCA', () => {
    const other = createTestPki();
    const stores = [
      withCrl(buildCrl({ issuer: pki.csca, revoked: [0x2002] })),
      withCrl(buildCrl({ issuer: pki.csca, revoked: [0x1001], signWithKey: generateKeyPair('ec-p256') })),
      withCrl(buildCrl({ issuer: other.csca, revoked: [0x1001] })),
    ];
    for (const trustStore of stores)
      expect(verifyPassiveAuth(sod, files.dataGroups, { trustStore }).status).toBe('verified');
  });

  it('still honours a CRL past its nextUpdate (a revocation does not expire)', () => {
    const crl = buildCrl({
      issuer: pki.csca,
      revoked: [0x1001],
      thisUpdate: new Date(Date.now() - 60 * 86_400_000),
      nextUpdate: new Date(Date.now() - 30 * 86_400_000),
    });
    const r = verifyPassiveAuth(sod, files.dataGroups, { trustStore: withCrl(crl) });
    expect(r.status === 'failed' && r.step).toBe('dsc-revoked');
  });
});

describe('verifyPassiveAuth', () => {
  it.each<KeyKind>(['ec-p256', 'rsa-2048', 'rsa-pss-2048'])('verifies a SOD signed with %s', (kind) => {
    const p = kind === 'ec-p256' ? pki : createTestPki({ keyKind: kind });
    const s = buildSod({
      dataGroups: files.dataGroups,
      signer: p.documentSigner,
      hash: kind === 'rsa-2048' ? 'sha384' : 'sha256',
    });
    const r = verifyPassiveAuth(s, files.dataGroups, { trustStore: store(p.csca.pem) });
    expect(r.status).toBe('verified');
    if (r.status === 'verified') {
      expect(r.dataGroups).toEqual([1, 2, 13]);
      expect(r.csca.subject).toContain('Test CSCA Viet Nam');
      expect(r.documentSigner.serialNumber).toBe('1001');
    }
  });

  it('verifies with only the DGs read so far (DG1 + DG13)', () => {
    const partial = new Map([...files.dataGroups].filter(([n]) => n !== 2));
    expect(verifyPassiveAuth(sod, partial, { trustStore: trusted }).status).toBe('verified');
  });

  it('accepts DER anchors and PEM bundles', () => {
    const other = createTestPki();
    const der = createTrustStore([other.csca.pem + pki.csca.pem]);
    expect(der.ok && verifyPassiveAuth(sod, files.dataGroups, { trustStore: der.value }).status).toBe('verified');
    const raw = createTrustStore([pki.csca.der]);
    expect(raw.ok && raw.value.anchors.length).toBe(1);
    const bad = createTrustStore(['not a pem']);
    expect(bad.ok ? '' : bad.error.code).toBe('trust-store-bad-certificate');
  });

  it('is no-trust-anchor with an empty store or a foreign CSCA', () => {
    const empty = verifyPassiveAuth(sod, files.dataGroups, { trustStore: EMPTY_TRUST_STORE });
    expect(empty).toMatchObject({ status: 'no-trust-anchor', reason: 'trust store is empty', dataGroups: [1, 2, 13] });
    const foreign = verifyPassiveAuth(sod, files.dataGroups, { trustStore: store(createTestPki().csca.pem) });
    expect(foreign.status).toBe('no-trust-anchor');
  });

  it('fails at dg-hash naming the DG whose bytes differ', () => {
    const tampered = new Map(files.dataGroups);
    const dg13 = Uint8Array.from(tampered.get(13) ?? []);
    dg13[dg13.length - 1] = (dg13[dg13.length - 1] ?? 0) ^ 0x01;
    tampered.set(13, dg13);
    expect(verifyPassiveAuth(sod, tampered, { trustStore: trusted })).toMatchObject({
      status: 'failed',
      step: 'dg-hash',
      dataGroup: 13,
    });
    const extra = new Map(files.dataGroups).set(14, Uint8Array.of(0x6e, 0));
    expect(verifyPassiveAuth(sod, extra, { trustStore: trusted })).toMatchObject({ step: 'dg-hash', dataGroup: 14 });
  });

  it('fails at signature when the signature is corrupted', () => {
    const bad = buildSod({ dataGroups: files.dataGroups, signer: pki.documentSigner, corruptSignature: true });
    expect(verifyPassiveAuth(bad, files.dataGroups, { trustStore: trusted })).toMatchObject({ step: 'signature' });
  });

  it('fails at message-digest when the LDSSecurityObject was altered after signing', () => {
    const copy = Uint8Array.from(sod);
    const parsed = parseSod(copy);
    if (!parsed.ok) throw new Error('parse');
    // LDSSecurityObject version INTEGER value: 30 L 02 01 00 → 01
    const at = parsed.value.eContent.byteOffset - copy.byteOffset;
    const versionAt = at + (copy[at + 1] === 0x82 ? 4 : copy[at + 1] === 0x81 ? 3 : 2) + 2;
    copy[versionAt] = 1;
    expect(verifyPassiveAuth(copy, files.dataGroups, { trustStore: trusted })).toMatchObject({
      step: 'message-digest',
    });
  });

  it('fails at signer-certificate when the SOD has no document signer', () => {
    const bare = buildSod({ dataGroups: files.dataGroups, signer: pki.documentSigner, omitCertificate: true });
    expect(verifyPassiveAuth(bare, files.dataGroups, { trustStore: trusted })).toMatchObject({
      step: 'signer-certificate',
    });
  });

  it('fails at certificate-chain for a look-alike CSCA (same name and key id, other key)', () => {
    const fake = issueCertificate({
      subject: { country: 'VN', organization: 'Test Ministry of Public Security', commonName: 'Test CSCA Viet Nam' },
      key: generateKeyPair('ec-p256'),
      isCa: true,
      subjectKeyIdentifier: pki.csca.subjectKeyIdentifier,
    });
    expect(verifyPassiveAuth(sod, files.dataGroups, { trustStore: store(fake.pem) })).toMatchObject({
      step: 'certificate-chain',
    });
  });

  it('fails at certificate-validity for an expired document signer, unless validity is not checked', () => {
    const expiredDs = issueCertificate({
      subject: { country: 'VN', commonName: 'Expired DS' },
      key: generateKeyPair('ec-p256'),
      issuer: pki.csca,
      notBefore: new Date('2015-01-01'),
      notAfter: new Date('2020-01-01'),
    });
    const s = buildSod({ dataGroups: files.dataGroups, signer: expiredDs });
    expect(verifyPassiveAuth(s, files.dataGroups, { trustStore: trusted })).toMatchObject({
      step: 'certificate-validity',
    });
    expect(verifyPassiveAuth(s, files.dataGroups, { trustStore: trusted, validityAt: false }).status).toBe('verified');
    // In 2018 the DS was valid but the CSCA (issued yesterday) was not yet.
    expect(
      verifyPassiveAuth(s, files.dataGroups, { trustStore: trusted, validityAt: new Date('2018-06-01') }),
    ).toMatchObject({ step: 'certificate-validity', reason: 'CSCA certificate is outside its validity period' });
  });

  it.runIf(existsSync('/usr/bin/openssl'))('verifies a SOD produced by `openssl cms -sign`', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sod-'));
    try {
      writeFileSync(join(dir, 'lds.der'), buildLdsSecurityObject(files.dataGroups, 'sha256'));
      writeFileSync(join(dir, 'ds.pem'), pki.documentSigner.pem);
      writeFileSync(
        join(dir, 'ds.key'),
        pki.documentSigner.key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      );
      execFileSync('openssl', [
        'cms',
        '-sign',
        '-binary',
        '-nodetach',
        '-nosmimecap',
        '-econtent_type',
        '2.23.136.1.1.1',
        '-md',
        'sha256',
        '-in',
        join(dir, 'lds.der'),
        '-signer',
        join(dir, 'ds.pem'),
        '-inkey',
        join(dir, 'ds.key'),
        '-outform',
        'DER',
        '-out',
        join(dir, 'sod.der'),
      ]);
      const sodFromOpenssl = encodeBerTlv(0x77, new Uint8Array(readFileSync(join(dir, 'sod.der'))));
      expect(verifyPassiveAuth(sodFromOpenssl, files.dataGroups, { trustStore: trusted }).status).toBe('verified');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never throws and never verifies a mutated SOD (fuzz)', () => {
    const small = new Map([[1, files.dataGroups.get(1) ?? new Uint8Array(0)]]);
    const s = buildSod({ dataGroups: small, signer: pki.documentSigner });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.nat(s.length - 1).map((n) => s.subarray(0, n)),
          fc.tuple(fc.nat(s.length - 1), fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
            const c = Uint8Array.from(s);
            c[i] = (c[i] ?? 0) ^ x;
            return c;
          }),
        ),
        (bytes) => {
          const r = verifyPassiveAuth(bytes, small, { trustStore: trusted });
          // A flip inside an unused field (signing time, certificate extensions…) may still verify
          // or chain; anything else must fail. Never a throw.
          expect(['verified', 'failed', 'no-trust-anchor']).toContain(r.status);
        },
      ),
      { numRuns: 1500 },
    );
  });
});
