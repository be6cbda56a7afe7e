import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createBundle, readPublicKey, verifyBundle } from './bundle';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-spec-'));
fs.writeFileSync(path.join(dir, 'main.mjs'), 'console.log("hello");\n');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const pair = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
};
const trusted = pair();
const key = (() => {
  const k = readPublicKey(trusted.publicKeyPem);
  if (!k.ok) throw new Error(k.error.code);
  return k.value;
})();
const bundle = createBundle({ dir, version: '1.2.3', entry: 'main.mjs', privateKeyPem: trusted.privateKeyPem });
const tarball = Buffer.from(bundle.tarball, 'base64');
const codeOf = (r: { ok: boolean; error?: { code: string } }) => (r.ok ? 'ok' : r.error?.code);

describe('signed bundles', () => {
  it('verifies a bundle signed by the trusted key', () => {
    const r = verifyBundle({ ...bundle, tarball }, key, { version: '1.2.3', sha256: bundle.parsed.sha256 });
    expect(r).toEqual({ ok: true, value: bundle.parsed });
  });

  it('refuses another key, an edited manifest, a changed tarball and another version', () => {
    const other = createBundle({ dir, version: '1.2.3', entry: 'main.mjs', privateKeyPem: pair().privateKeyPem });
    expect(codeOf(verifyBundle({ ...other, tarball }, key, { version: '1.2.3' }))).toBe('bad-signature');
    const edited = bundle.manifest.replace('"main.mjs"', '"evil.mjs"');
    expect(codeOf(verifyBundle({ ...bundle, manifest: edited, tarball }, key, { version: '1.2.3' }))).toBe(
      'bad-signature',
    );
    const changed = Buffer.from(tarball);
    changed[changed.length - 1] = (changed[changed.length - 1] ?? 0) ^ 0xff;
    expect(codeOf(verifyBundle({ ...bundle, tarball: changed }, key, { version: '1.2.3' }))).toBe('checksum-mismatch');
    expect(codeOf(verifyBundle({ ...bundle, tarball }, key, { version: '9.9.9' }))).toBe('version-mismatch');
  });

  it('refuses a key that is not Ed25519', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    expect(codeOf(readPublicKey(publicKey.export({ type: 'spki', format: 'pem' }).toString()))).toBe('bad-update-key');
    expect(codeOf(readPublicKey('not a key'))).toBe('bad-update-key');
  });

  it('never throws on random signatures and manifests', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.uint8Array({ maxLength: 64 }), (manifest, signature, bytes) => {
        const r = verifyBundle({ manifest, signature, tarball: bytes }, key, { version: '1.2.3' });
        expect(r.ok).toBe(false);
      }),
    );
  });
});
