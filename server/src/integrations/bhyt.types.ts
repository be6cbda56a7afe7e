/** What the BHYT gateway answered for one card, as the rest of the server uses it. */
import type { InsuranceVerdict } from '@kiosk/protocol';

/** What happens next (vietnam.md §3). */
export type BhytRouting = 'eligible' | 'counter' | 'fee-paying-or-counter' | 'retry-later' | 'alert-admin';

export interface BhytCard {
  /** maThe as answered (or as asked). */
  cardNumber: string;
  /** maTheMoi (003/004). */
  newCardNumber?: string;
  /** YYYY-MM-DD */
  validFrom?: string;
  validTo?: string;
  newValidFrom?: string;
  newValidTo?: string;
  /** maDKBD: registered primary-care facility. */
  primaryCareFacility?: string;
}

export interface BhytCheck {
  /** maKetQua, or absent when the gateway was not reached. */
  resultCode?: string;
  routing: BhytRouting;
  verdict: InsuranceVerdict;
  /** Patient-facing message key. */
  messageKey: string;
  /** ghiChu (staff only; may name the patient: never logged, never sent to a kiosk). */
  staffNote?: string;
  card?: BhytCard;
  durationMs: number;
}
