/**
 * Basic Access Control (ICAO 9303-11 §4.3): key derivation from the MRZ information and the
 * mutual authentication of GET CHALLENGE / EXTERNAL AUTHENTICATE. Both sides are here, the
 * terminal's for the chip reader and the chip's for the virtual card.
 */
import { createHash } from 'node:crypto';
import type { AppError, Result } from '@kiosk/protocol';
import { bytesEqual, concat, xor } from './bytes';
import { kdf, KDF_ENC, KDF_MAC, retailMac, tdesDecrypt, tdesEncrypt } from './des';

export interface BacKeys {
  kSeed: Uint8Array;
  kEnc: Uint8Array;
  kMac: Uint8Array;
}

export interface SessionKeys {
  ksEnc: Uint8Array;
  ksMac: Uint8Array;
  /** Send sequence counter start: last 4 bytes of RND.IC ‖ last 4 bytes of RND.IFD. */
  ssc: Uint8Array;
}

export type BacRejection = 'bac-bad-mac' | 'bac-bad-length' | 'bac-nonce-mismatch';
export interface BacError extends AppError {
  code: BacRejection;
}

const bacErr = (code: BacRejection, message: string): { ok: false; error: BacError } => ({
  ok: false,
  error: { code, message },
});

/** Kseed = first 16 bytes of SHA-1(MRZ information); Kenc/Kmac = KDF(Kseed, 1/2). */
export function deriveBacKeys(mrzInformation: string): BacKeys {
  const sha = createHash('sha1').update(mrzInformation, 'ascii').digest();
  const kSeed = new Uint8Array(sha.subarray(0, 16));
  return { kSeed, kEnc: kdf(kSeed, KDF_ENC), kMac: kdf(kSeed, KDF_MAC) };
}

export function deriveSessionKeys(
  kIfd: Uint8Array,
  kIc: Uint8Array,
  rndIc: Uint8Array,
  rndIfd: Uint8Array,
): SessionKeys {
  const seed = xor(kIfd, kIc);
  return {
    ksEnc: kdf(seed, KDF_ENC),
    ksMac: kdf(seed, KDF_MAC),
    ssc: concat(rndIc.subarray(4, 8), rndIfd.subarray(4, 8)),
  };
}

/** Terminal: S = RND.IFD ‖ RND.IC ‖ K.IFD; returns E.IFD ‖ M.IFD, the EXTERNAL AUTHENTICATE data. */
export function buildMutualAuthData(
  keys: BacKeys,
  rndIc: Uint8Array,
  rndIfd: Uint8Array,
  kIfd: Uint8Array,
): { eIfd: Uint8Array; mIfd: Uint8Array; data: Uint8Array } {
  const eIfd = tdesEncrypt(keys.kEnc, concat(rndIfd, rndIc, kIfd));
  const mIfd = retailMac(keys.kMac, eIfd);
  return { eIfd, mIfd, data: concat(eIfd, mIfd) };
}

/** Terminal: checks the chip's E.IC ‖ M.IC and derives the session keys. */
export function completeMutualAuth(
  keys: BacKeys,
  response: Uint8Array,
  rndIc: Uint8Array,
  rndIfd: Uint8Array,
  kIfd: Uint8Array,
): Result<SessionKeys & { kIc: Uint8Array }, BacError> {
  if (response.length !== 40)
    return bacErr('bac-bad-length', `mutual authentication response of ${response.length} bytes`);
  const eIc = response.subarray(0, 32);
  if (!bytesEqual(retailMac(keys.kMac, eIc), response.subarray(32, 40)))
    return bacErr('bac-bad-mac', 'chip authentication cryptogram MAC does not verify');
  const r = tdesDecrypt(keys.kEnc, eIc);
  if (!bytesEqual(r.subarray(0, 8), rndIc) || !bytesEqual(r.subarray(8, 16), rndIfd))
    return bacErr('bac-nonce-mismatch', 'chip did not echo the nonces');
  const kIc = r.subarray(16, 32);
  return { ok: true, value: { ...deriveSessionKeys(kIfd, kIc, rndIc, rndIfd), kIc } };
}

/** Chip: verifies E.IFD ‖ M.IFD against its RND.IC and answers E.IC ‖ M.IC with R = RND.IC ‖ RND.IFD ‖ K.IC. */
export function answerMutualAuth(
  keys: BacKeys,
  command: Uint8Array,
  rndIc: Uint8Array,
  kIc: Uint8Array,
): Result<{ response: Uint8Array; session: SessionKeys }, BacError> {
  if (command.length !== 40) return bacErr('bac-bad-length', 'EXTERNAL AUTHENTICATE data is not 40 bytes');
  const eIfd = command.subarray(0, 32);
  if (!bytesEqual(retailMac(keys.kMac, eIfd), command.subarray(32, 40)))
    return bacErr('bac-bad-mac', 'terminal cryptogram MAC does not verify');
  const s = tdesDecrypt(keys.kEnc, eIfd);
  if (!bytesEqual(s.subarray(8, 16), rndIc)) return bacErr('bac-nonce-mismatch', 'terminal did not echo RND.IC');
  const rndIfd = s.subarray(0, 8);
  const kIfd = s.subarray(16, 32);
  const eIc = tdesEncrypt(keys.kEnc, concat(rndIc, rndIfd, kIc));
  const response = concat(eIc, retailMac(keys.kMac, eIc));
  return { ok: true, value: { response, session: deriveSessionKeys(kIfd, kIc, rndIc, rndIfd) } };
}
