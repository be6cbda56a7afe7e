/**
 * DES primitives for BAC and secure messaging (ICAO 9303-11 §9.7, Appendix D).
 * Node 20 / OpenSSL 3 has no single-DES cipher in its default provider: single DES is
 * `des-ede-ecb`/`des-ede-cbc` with key Ka‖Ka (EDE with K1 = K2 collapses to one DES).
 * Two-key 3DES is `des-ede-cbc`.
 */
import { createHash } from 'node:crypto';
import { concat } from './bytes';
import { blockCipher as run } from './block-cipher';

const ZERO_IV = new Uint8Array(8);

/** Sets the odd-parity bit (LSB) of each byte, as DES keys require. */
export function adjustParity(key: Uint8Array): Uint8Array {
  const out = Uint8Array.from(key);
  for (let i = 0; i < out.length; i++) {
    const b = (out[i] ?? 0) & 0xfe;
    let ones = 0;
    for (let v = b; v; v >>= 1) ones += v & 1;
    out[i] = ones % 2 === 0 ? b | 1 : b;
  }
  return out;
}

export const KDF_ENC = 1;
export const KDF_MAC = 2;

/** KDF(K, c) = first 16 bytes of SHA-1(K ‖ c as 4 bytes BE), DES parity adjusted. */
export function kdf(seed: Uint8Array, counter: number): Uint8Array {
  const c = Uint8Array.of((counter >>> 24) & 0xff, (counter >>> 16) & 0xff, (counter >>> 8) & 0xff, counter & 0xff);
  const digest = createHash('sha1').update(concat(seed, c)).digest();
  return adjustParity(new Uint8Array(digest.subarray(0, 16)));
}

/** Two-key 3DES-CBC encryption; `data` must be a multiple of 8 bytes. */
export function tdesEncrypt(key16: Uint8Array, data: Uint8Array, iv: Uint8Array = ZERO_IV): Uint8Array {
  return run(false, 'des-ede-cbc', key16, iv, data);
}

export function tdesDecrypt(key16: Uint8Array, data: Uint8Array, iv: Uint8Array = ZERO_IV): Uint8Array {
  return run(true, 'des-ede-cbc', key16, iv, data);
}

function doubled(key8: Uint8Array): Uint8Array {
  return concat(key8, key8);
}

export function desEncryptBlock(key8: Uint8Array, block: Uint8Array): Uint8Array {
  return run(false, 'des-ede-ecb', doubled(key8), null, block);
}

export function desDecryptBlock(key8: Uint8Array, block: Uint8Array): Uint8Array {
  return run(true, 'des-ede-ecb', doubled(key8), null, block);
}

/** ISO 9797-1 padding method 2: `80` then zeros to a multiple of 8. */
export function pad(data: Uint8Array): Uint8Array {
  const out = new Uint8Array((Math.floor(data.length / 8) + 1) * 8);
  out.set(data);
  out[data.length] = 0x80;
  return out;
}

/** Removes method-2 padding; undefined when the padding is malformed. */
export function unpad(data: Uint8Array): Uint8Array | undefined {
  let i = data.length - 1;
  while (i >= 0 && data[i] === 0) i--;
  if (i < 0 || data[i] !== 0x80 || data.length - i > 8) return undefined;
  return data.subarray(0, i);
}

/**
 * ISO 9797-1 MAC algorithm 3 ("retail MAC") with padding method 2: single-DES CBC with Ka
 * over every block, then decrypt with Kb and encrypt with Ka on the last result.
 * `message` is padded here.
 */
export function retailMac(key16: Uint8Array, message: Uint8Array): Uint8Array {
  const ka = key16.subarray(0, 8);
  const kb = key16.subarray(8, 16);
  const cbc = run(false, 'des-ede-cbc', doubled(ka), ZERO_IV, pad(message));
  const last = cbc.subarray(cbc.length - 8);
  return desEncryptBlock(ka, desDecryptBlock(kb, last));
}
