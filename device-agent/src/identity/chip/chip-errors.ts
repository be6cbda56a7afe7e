/**
 * Failures of a chip read: a stable code, a patient-facing hint key (translated by the UI) and
 * a staff-facing reason without personal data.
 */
import type { AppError } from '@kiosk/protocol';
import type { PassiveAuthResult } from '../pa/passive-auth';

export type ChipReadErrorCode =
  | 'no-card'
  | 'card-removed'
  | 'reader-error'
  | 'not-an-eid'
  | 'bad-access-key'
  | 'bac-refused'
  | 'bad-mac'
  | 'secure-messaging-lost'
  | 'unreadable-file'
  | 'passive-auth-failed'
  /** PACE refused every password the key gives (wrong CAN or MRZ). */
  | 'pace-refused'
  /** Chip or active authentication failed: the chip does not hold the key of DG14/DG15. */
  | 'cloned-chip';

export type ChipHint = 'hold-card-still' | 'scan-qr-instead' | 'go-to-counter';

export type ChipReadStage =
  | 'start'
  | 'EF.CardAccess'
  | 'pace'
  | 'select'
  | 'bac'
  | 'EF.COM'
  | 'DG1'
  | 'DG13'
  | 'DG14'
  | 'chip-auth'
  | 'DG15'
  | 'active-auth'
  | 'DG2'
  | 'EF.SOD'
  | 'passive-auth';

export interface ChipReadError extends AppError {
  code: ChipReadErrorCode;
  hint: ChipHint;
  stage: ChipReadStage;
  /** Status word (hex) the chip answered, when one is at fault. */
  sw?: string;
  /** For `passive-auth-failed`: the failing step and DG. */
  passiveAuth?: PassiveAuthResult;
  /** True when the identity event had already been emitted before the failure. */
  identityEmitted?: boolean;
}

export const CHIP_HINTS: Readonly<Record<ChipReadErrorCode, ChipHint>> = {
  'no-card': 'hold-card-still',
  'card-removed': 'hold-card-still',
  'reader-error': 'hold-card-still',
  'bad-mac': 'hold-card-still',
  'secure-messaging-lost': 'hold-card-still',
  'not-an-eid': 'scan-qr-instead',
  'bad-access-key': 'scan-qr-instead',
  'bac-refused': 'scan-qr-instead',
  'unreadable-file': 'scan-qr-instead',
  'passive-auth-failed': 'go-to-counter',
  'pace-refused': 'scan-qr-instead',
  'cloned-chip': 'go-to-counter',
};

export function chipError(
  code: ChipReadErrorCode,
  stage: ChipReadStage,
  message: string,
  extra: Partial<Pick<ChipReadError, 'sw' | 'passiveAuth'>> = {},
): ChipReadError {
  return { code, hint: CHIP_HINTS[code], stage, message: `${stage}: ${message}`, ...extra };
}
