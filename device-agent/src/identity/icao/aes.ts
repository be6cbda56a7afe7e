/**
 * AES primitives for PACE and AES secure messaging (ICAO 9303-11 §9.8.6, BSI TR-03110): CBC
 * without padding, one ECB block, and AES-CMAC (RFC 4493 / NIST SP 800-38B) over node:crypto.
 * Keys of 16, 24 or 32 bytes select AES-128/192/256.
 */
import { concat, xor } from './bytes';
import { blockCipher as run } from './block-cipher';

export const AES_BLOCK_BYTES = 16;
const ZERO_IV = new Uint8Array(16);

function algorithm(key: Uint8Array, mode: 'cbc' | 'ecb'): string {
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) throw new Error('AES key of 16, 24 or 32 bytes');
  return `aes-${key.length * 8}-${mode}`;
}

/** AES-CBC encryption; `data` must be a multiple of 16 bytes. */
export function aesCbcEncrypt(key: Uint8Array, data: Uint8Array, iv: Uint8Array = ZERO_IV): Uint8Array {
  return run(false, algorithm(key, 'cbc'), key, iv, data);
}

export function aesCbcDecrypt(key: Uint8Array, data: Uint8Array, iv: Uint8Array = ZERO_IV): Uint8Array {
  return run(true, algorithm(key, 'cbc'), key, iv, data);
}

/** AES-ECB of one or more whole blocks. */
export function aesEcbEncrypt(key: Uint8Array, data: Uint8Array): Uint8Array {
  return run(false, algorithm(key, 'ecb'), key, null, data);
}

/** Doubling in GF(2^128) as RFC 4493 §2.3 defines it (left shift, conditional XOR with 0x87). */
function dbl(block: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = (((block[i] ?? 0) << 1) | ((block[i + 1] ?? 0) >> 7)) & 0xff;
  if (((block[0] ?? 0) & 0x80) !== 0) out[15] = (out[15] ?? 0) ^ 0x87;
  return out;
}

/** AES-CMAC of `message` (RFC 4493), 16 bytes; callers truncate (secure messaging keeps 8). */
export function aesCmac(key: Uint8Array, message: Uint8Array): Uint8Array {
  const l = aesEcbEncrypt(key, new Uint8Array(16));
  const k1 = dbl(l);
  const k2 = dbl(k1);
  const blocks = Math.max(1, Math.ceil(message.length / 16));
  const complete = message.length > 0 && message.length % 16 === 0;
  const last = new Uint8Array(16);
  const tail = message.subarray((blocks - 1) * 16);
  last.set(tail);
  if (!complete) last[tail.length] = 0x80;
  const lastMixed = xor(last, complete ? k1 : k2);
  const head = message.subarray(0, (blocks - 1) * 16);
  // CBC-MAC over the leading blocks, then the mixed last block: the tag is the final cipher block.
  const cbc = aesCbcEncrypt(key, concat(head, lastMixed));
  return cbc.subarray(cbc.length - 16);
}
