/**
 * Column-level encryption of personal data at rest: ID numbers, names and addresses (and the EMR
 * payloads and BHYT answers that carry them) are sealed with AES-256-GCM before they reach the
 * database and opened as they are read back, in the repositories only: services see plain values.
 *
 * Stored form: `enc:v1:<keyId>:<base64url(iv ‖ tag ‖ ciphertext)>`, the column's name as
 * additional authenticated data (a value moved to another column does not open). Keys come from
 * the environment as `id:base64` (32 bytes each); the current key seals, every listed key opens,
 * so a rotation re-encrypts under a new key while the old one still reads (by key id).
 *
 * ID numbers are matched and kept unique through a keyed hash beside them (HMAC-SHA-256 under a
 * key derived from each data key): a lookup asks for the hash under every configured key, so rows
 * not yet rotated are still found. With encryption off, values are stored as they are and the
 * "hash" is the value itself, so the same queries and unique indexes serve both modes; a value
 * without the `enc:` prefix is read as plain text (data stored before encryption was turned on).
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

const PREFIX = 'enc:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

interface Key {
  id: string;
  seal: Buffer;
  index: Buffer;
}

export class StoredDataError extends Error {
  readonly code = 'stored-data-invalid';
}

/** `id:base64[,id:base64…]` → keys; names the offending entry. */
export function parseDataKeys(spec: string): { id: string; key: Buffer }[] {
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const m = /^([A-Za-z0-9_-]{1,32}):([A-Za-z0-9+/=_-]+)$/u.exec(entry);
      if (!m?.[1] || !m[2]) throw new Error(`DATA_KEYS: '${entry.split(':')[0] ?? ''}' is not id:base64`);
      const key = Buffer.from(m[2], m[2].includes('-') || m[2].includes('_') ? 'base64url' : 'base64');
      if (key.length !== 32) throw new Error(`DATA_KEYS: key '${m[1]}' must be 32 bytes (it has ${key.length})`);
      return { id: m[1], key };
    });
}

const derive = (key: Buffer, purpose: string) =>
  Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `kiosk column ${purpose}`, 32));

export class ColumnCipher {
  private readonly keys: Map<string, Key>;
  private readonly current: Key | undefined;

  /** `keys` empty: encryption off (values stored as they are). */
  constructor(keys: readonly { id: string; key: Buffer }[], currentId?: string) {
    this.keys = new Map(
      keys.map((k) => [k.id, { id: k.id, seal: derive(k.key, 'seal'), index: derive(k.key, 'index') }]),
    );
    const id = currentId ?? keys.at(-1)?.id;
    this.current = id === undefined ? undefined : this.keys.get(id);
    if (id !== undefined && !this.current) throw new Error(`DATA_KEY_ID: '${id}' is not among DATA_KEYS`);
  }

  static off(): ColumnCipher {
    return new ColumnCipher([]);
  }

  get enabled(): boolean {
    return this.current !== undefined;
  }
  get currentKeyId(): string | undefined {
    return this.current?.id;
  }

  /** Seals a value for `column` under the current key; null stays null; off: the value itself. */
  seal(column: string, plain: string): string;
  seal(column: string, plain: string | null): string | null;
  seal(column: string, plain: string | null): string | null {
    if (plain === null || !this.current) return plain;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.seal, iv);
    cipher.setAAD(Buffer.from(column));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${PREFIX}${this.current.id}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
  }

  /** Opens a stored value of `column`; plain text passes through. Throws StoredDataError when it does not open. */
  open(column: string, stored: string): string;
  open(column: string, stored: string | null): string | null;
  open(column: string, stored: string | null): string | null {
    if (stored === null || !stored.startsWith(PREFIX)) return stored;
    const rest = stored.slice(PREFIX.length);
    const colon = rest.indexOf(':');
    const key = this.keys.get(rest.slice(0, colon));
    if (colon < 0 || !key) throw new StoredDataError(`${column}: sealed under a key that is not configured`);
    const raw = Buffer.from(rest.slice(colon + 1), 'base64url');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new StoredDataError(`${column}: sealed value too short`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.seal, raw.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(column));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new StoredDataError(`${column}: sealed value does not authenticate`);
    }
  }

  /** The key id a stored value is sealed under; undefined for plain text. */
  keyIdOf(stored: string | null): string | undefined {
    if (stored === null || !stored.startsWith(PREFIX)) return undefined;
    return stored.slice(PREFIX.length).split(':', 1)[0];
  }

  /** Whether a stored value is already sealed under the current key (nothing to rotate). */
  isCurrent(stored: string | null): boolean {
    return stored === null || stored === '' || !this.current || this.keyIdOf(stored) === this.current.id;
  }

  private hmac(key: Key, value: string): string {
    return `h1:${key.id}:${createHmac('sha256', key.index).update(value, 'utf8').digest('base64url')}`;
  }

  /** The keyed hash stored beside a value (current key); off: the value itself. */
  index(value: string): string;
  index(value: string | null): string | null;
  index(value: string | null): string | null {
    if (value === null || !this.current) return value;
    return this.hmac(this.current, value);
  }

  /** Every stored hash a value may have: under each configured key, and the value itself (rows stored unencrypted). */
  candidates(value: string): string[] {
    return [value, ...[...this.keys.values()].map((k) => this.hmac(k, value))];
  }
}
