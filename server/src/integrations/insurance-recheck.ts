/**
 * The BHYT check of a check-in the kiosk issued offline, done after its replay is stored: the
 * replay writes an 'insurance-recheck' row to the outbox in its own transaction (sealed at rest
 * like every outbox payload), and a worker asks the gateway through InsuranceScreening later.
 * A gateway that does not answer is retried with the outbox's backoff; any answer is stored as
 * the visit's insurance check, and a refused card raises an alert for staff (no personal data).
 */
import type { Identity } from '@kiosk/protocol';
import type { BhytCheck } from './bhyt.types';
import type { DeliveryError } from './outbox.worker';

/** What the recheck row carries: the visit, who to tell, and what the gateway is asked about. */
export interface InsuranceRecheckPayload {
  visitId: string;
  checkInId: string;
  agentId: string | null;
  ticketNumber: string;
  identity: Pick<Identity, 'source' | 'insuranceNumber' | 'idNumber' | 'fullName' | 'dateOfBirth' | 'sex'>;
}

/** The identity fields the gateway needs, or undefined when there is no card or CCCD number to ask about. */
export function recheckIdentityOf(identity: Identity): InsuranceRecheckPayload['identity'] | undefined {
  if (!identity.insuranceNumber && !identity.idNumber) return undefined;
  return {
    source: identity.source,
    ...(identity.insuranceNumber ? { insuranceNumber: identity.insuranceNumber } : {}),
    ...(identity.idNumber ? { idNumber: identity.idNumber } : {}),
    fullName: identity.fullName,
    dateOfBirth: identity.dateOfBirth,
    ...(identity.sex ? { sex: identity.sex } : {}),
  };
}

export type RecheckDecision =
  { action: 'retry'; error: DeliveryError } | { action: 'store'; alert: string | undefined };

/**
 * What to do with the gateway's answer: retry when it did not answer (or refused our
 * credentials), otherwise store it; a card the patient claimed and the gateway did not find
 * eligible is an alert for staff (detail: ticket number and the answer's reason key). A patient
 * looked up by CCCD number only claimed no card: a non-eligible answer is a fee-paying visit, no alert.
 */
export function recheckDecision(
  check: BhytCheck,
  payload: Pick<InsuranceRecheckPayload, 'ticketNumber' | 'identity'>,
): RecheckDecision {
  if (check.routing === 'retry-later' || (check.routing === 'alert-admin' && check.resultCode === undefined))
    return {
      action: 'retry',
      error: {
        code: 'bhyt-unavailable',
        message: 'the BHYT gateway did not answer',
        retriable: true,
        detail: check.resultCode ?? check.messageKey,
      },
    };
  if (check.routing === 'alert-admin' && check.resultCode === '401')
    return {
      action: 'retry',
      error: { code: 'bhyt-auth-failed', message: 'the BHYT gateway refused our credentials', retriable: true },
    };
  const claimedCard = payload.identity.insuranceNumber !== undefined;
  const refused = claimedCard && check.verdict !== 'eligible';
  return { action: 'store', alert: refused ? `${payload.ticketNumber}:${check.messageKey}` : undefined };
}
