/**
 * The BHXH gateway's `maKetQua` (vietnam.md §3), each mapped to what happens next (routing), the
 * kiosk's verdict and a patient-facing message key. Unknown codes go to the counter, with the
 * gateway's own note (ghiChu) kept for staff.
 */
import type { InsuranceVerdict } from '@kiosk/protocol';
import type { BhytRouting } from './bhyt.types';

export interface ResultMeaning {
  routing: BhytRouting;
  verdict: InsuranceVerdict;
  messageKey: string;
}

const m = (routing: BhytRouting, verdict: InsuranceVerdict, messageKey: string): ResultMeaning => ({
  routing,
  verdict,
  messageKey: `insurance.${messageKey}`,
});

export const BHYT_RESULT_CODES: Readonly<Record<string, ResultMeaning>> = {
  '000': m('eligible', 'eligible', 'eligible'),
  '001': m('counter', 'go-to-counter', 'defence-fund'),
  '002': m('counter', 'go-to-counter', 'police-fund'),
  '003': m('eligible', 'eligible', 'new-card-issued'),
  '004': m('eligible', 'eligible', 'new-card-issued'),
  '010': m('fee-paying-or-counter', 'expired', 'card-expired'),
  '050': m('counter', 'go-to-counter', 'card-not-found'),
  '051': m('counter', 'go-to-counter', 'card-number-wrong'),
  '052': m('counter', 'go-to-counter', 'province-code-wrong'),
  '053': m('counter', 'go-to-counter', 'benefit-code-wrong'),
  '060': m('counter', 'go-to-counter', 'name-wrong'),
  '061': m('counter', 'go-to-counter', 'name-wrong'),
  '070': m('counter', 'go-to-counter', 'birth-date-wrong'),
  '080': m('counter', 'go-to-counter', 'sex-wrong'),
  '090': m('counter', 'go-to-counter', 'registered-facility-wrong'),
  '100': m('retry-later', 'unavailable', 'gateway-unavailable'),
  '101': m('retry-later', 'unavailable', 'gateway-unavailable'),
  '110': m('counter', 'go-to-counter', 'card-revoked'),
  '120': m('counter', 'go-to-counter', 'card-reported'),
  '121': m('counter', 'go-to-counter', 'card-reported'),
  '122': m('counter', 'go-to-counter', 'card-reported'),
  '123': m('counter', 'go-to-counter', 'card-reported'),
  '124': m('counter', 'go-to-counter', 'card-reported'),
  '130': m('counter', 'go-to-counter', 'child-without-card'),
  '205': m('alert-admin', 'go-to-counter', 'check-failed'),
};

/** An unknown code: staff read the gateway's note. */
export const UNKNOWN_RESULT = m('counter', 'go-to-counter', 'check-by-staff');
/** Timeouts, refused connections, 5xx, unreadable answers. */
export const GATEWAY_UNREACHABLE = m('retry-later', 'unavailable', 'gateway-unavailable');
/** Our credentials refused even after a fresh token (401 twice), or no token at all. */
export const GATEWAY_AUTH_FAILED = m('alert-admin', 'unavailable', 'gateway-unavailable');
/** No card number to check. */
export const NO_CARD = m('fee-paying-or-counter', 'no-card', 'no-card');

export function meaningOf(code: string): ResultMeaning {
  return BHYT_RESULT_CODES[code] ?? UNKNOWN_RESULT;
}
