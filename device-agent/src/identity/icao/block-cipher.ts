/** One pass of a block cipher from node:crypto over whole blocks, without padding (AES and 3DES alike). */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { concat } from './bytes';

export function blockCipher(
  decipher: boolean,
  alg: string,
  key: Uint8Array,
  iv: Uint8Array | null,
  data: Uint8Array,
): Uint8Array {
  const c = decipher ? createDecipheriv(alg, key, iv) : createCipheriv(alg, key, iv);
  c.setAutoPadding(false);
  const a = c.update(data);
  const b = c.final();
  return b.length === 0 ? new Uint8Array(a.buffer, a.byteOffset, a.byteLength) : concat(a, b);
}
