/**
 * Mapping of chip-read outcomes onto the protocol's kiosk-flow contracts (card:identity,
 * card:failed): what the page may see, never the chip data itself.
 */
import type { CardAuthenticity, CardFailure } from '@kiosk/protocol';
import type { PassiveAuthResult, PassiveAuthStep } from '../pa/passive-auth';
import type { ChipReadErrorCode } from './chip-errors';

const REASONS: Readonly<Record<PassiveAuthStep, string>> = {
  'sod-parse': 'no-sod',
  'content-type': 'bad-sod',
  'unsupported-algorithm': 'unsupported-algorithm',
  'dg-hash': 'hash-mismatch',
  'message-digest': 'bad-signature',
  'signer-certificate': 'no-document-signer',
  signature: 'bad-signature',
  'certificate-chain': 'bad-chain',
  'certificate-validity': 'certificate-expired',
  'dsc-revoked': 'dsc-revoked',
};

/** Failed steps after the SOD's own signature verified: the data is as signed, the signer is not trusted. */
const SIGNED_BUT_NOT_TRUSTED: ReadonlySet<PassiveAuthStep> = new Set([
  'certificate-chain',
  'certificate-validity',
  'dsc-revoked',
]);

/** What a read verified beyond passive authentication, and how the chip was opened. */
export interface ChipVerification {
  pa: 'verified' | 'no-trust-anchor' | 'failed' | 'unavailable';
  ca: 'verified' | 'not-supported' | 'failed';
  aa: 'verified' | 'not-supported' | 'failed';
  access: 'pace-can' | 'pace-mrz' | 'bac';
  /** The identity is tied to a signed chip and a face to compare (see CardAuthenticity.verified). */
  verified: boolean;
  /** Staff-facing reasons when not verified: 'no-sod', 'sod-unreadable', 'no-face' … */
  unverifiedReasons: string[];
}

/** `undefined` (PA not yet run) → not-checked. The verification summary adds pa/ca/aa/access. */
export function cardAuthenticityOf(
  result: PassiveAuthResult | undefined,
  verification?: ChipVerification,
): CardAuthenticity {
  const base = passiveOf(result);
  if (!verification) return base;
  const out: CardAuthenticity = {
    ...base,
    pa: verification.pa,
    ca: verification.ca,
    aa: verification.aa,
    access: verification.access,
    verified: verification.verified,
  };
  if (verification.unverifiedReasons.length > 0) out.unverifiedReasons = verification.unverifiedReasons.slice(0, 8);
  return out;
}

function passiveOf(result: PassiveAuthResult | undefined): CardAuthenticity {
  if (!result) return { passive: 'not-checked', signer: 'unknown' };
  if (result.status === 'verified') return { passive: 'valid', signer: 'trusted' };
  if (result.status === 'unavailable') return { passive: 'not-checked', signer: 'unknown', reason: result.reason };
  if (result.status === 'no-trust-anchor')
    return {
      passive: 'valid',
      signer: result.reason === 'trust store is empty' ? 'unknown' : 'untrusted',
      reason: 'no-trust-anchor',
    };
  return {
    passive: SIGNED_BUT_NOT_TRUSTED.has(result.step) ? 'valid' : 'invalid',
    signer: result.step === 'certificate-chain' || result.step === 'dsc-revoked' ? 'untrusted' : 'unknown',
    reason: REASONS[result.step],
  };
}

const FAILURE_CODES: Readonly<Record<ChipReadErrorCode, CardFailure['code']>> = {
  'no-card': 'reader-error',
  'card-removed': 'card-removed',
  'reader-error': 'reader-error',
  'not-an-eid': 'unsupported-card',
  'bad-access-key': 'access-denied',
  'bac-refused': 'access-denied',
  'bad-mac': 'read-error',
  'secure-messaging-lost': 'read-error',
  'unreadable-file': 'read-error',
  'passive-auth-failed': 'not-authentic',
  'pace-refused': 'access-denied',
  'cloned-chip': 'cloned-chip',
};

export function cardFailureCodeOf(code: ChipReadErrorCode): CardFailure['code'] {
  return FAILURE_CODES[code];
}
