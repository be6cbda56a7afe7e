/**
 * Signed agent bundles: a gzip tarball of a release folder, a manifest naming its SHA-256, size,
 * entry and health check, and an Ed25519 signature of the manifest's exact bytes (node:crypto).
 * The release engineer signs with the private key kept off the kiosks; each agent verifies with
 * the public key of its configuration and refuses anything else before unpacking a byte.
 */
import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { err, ok, parseBundleManifest, type BundleManifest, type BundleUpload, type Result } from '@kiosk/protocol';

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Reads an Ed25519 public key (PEM, SPKI); a key of another type is refused. */
export function readPublicKey(pem: string): Result<KeyObject> {
  try {
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType !== 'ed25519') return err('bad-update-key', 'the update key is not an Ed25519 key');
    return ok(key);
  } catch {
    return err('bad-update-key', 'the update key is not a PEM public key');
  }
}

export interface BundleSource {
  /** The release folder (its content becomes the tarball's root). */
  dir: string;
  version: string;
  entry: string;
  healthCheck?: string;
  /** PKCS#8 PEM of the Ed25519 signing key. */
  privateKeyPem: string;
  now?: Date;
}

/** Packs and signs a release folder (the `kiosk-agent bundle` command and the tests). */
export function createBundle(source: BundleSource): BundleUpload & { parsed: BundleManifest } {
  const tarball = execFileSync('tar', ['-czf', '-', '--owner=0', '--group=0', '-C', source.dir, '.'], {
    maxBuffer: 1024 * 1024 * 1024,
  });
  const parsed: BundleManifest = {
    format: 1,
    version: source.version,
    entry: source.entry,
    ...(source.healthCheck ? { healthCheck: source.healthCheck } : {}),
    sha256: sha256Hex(tarball),
    sizeBytes: tarball.length,
    createdAt: (source.now ?? new Date()).toISOString(),
  };
  const manifest = JSON.stringify(parsed);
  const signature = sign(null, Buffer.from(manifest, 'utf8'), createPrivateKey(source.privateKeyPem)).toString(
    'base64',
  );
  return { manifest, signature, tarball: tarball.toString('base64'), parsed };
}

/**
 * Checks a downloaded bundle against the trusted key and the version the server offered: the
 * signature over the manifest bytes, the manifest itself, then the tarball's size and digest.
 * Never throws; the error code says which check failed.
 */
export function verifyBundle(
  bundle: { manifest: string; signature: string; tarball: Uint8Array },
  publicKey: KeyObject,
  expected: { version: string; sha256?: string },
): Result<BundleManifest> {
  let signed = false;
  try {
    const signature = Buffer.from(bundle.signature, 'base64');
    signed = signature.length === 64 && verify(null, Buffer.from(bundle.manifest, 'utf8'), publicKey, signature);
  } catch {
    signed = false;
  }
  if (!signed) return err('bad-signature', 'the bundle is not signed by the trusted update key');
  const manifest = parseBundleManifest(bundle.manifest);
  if (!manifest.ok) return manifest;
  const m = manifest.value;
  if (m.version !== expected.version) return err('version-mismatch', 'the bundle is not the offered version');
  if (bundle.tarball.length !== m.sizeBytes) return err('size-mismatch', 'the tarball does not have the signed size');
  const digest = sha256Hex(bundle.tarball);
  if (digest !== m.sha256 || (expected.sha256 !== undefined && expected.sha256 !== digest))
    return err('checksum-mismatch', 'the tarball does not match the signed digest');
  return ok(m);
}
