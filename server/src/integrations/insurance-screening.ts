/**
 * BHYT eligibility in the check-in flow, per site (BHYT_MODE):
 * - `required`: only an eligible card gets an insurance ticket; an expired card or no card is a
 *   fee-paying ticket (the kiosk showed the verdict first); a card that needs a human, or a gateway
 *   that does not answer, refuses the check-in with 'go-to-counter';
 * - `advisory`: the ticket is issued as before, with the verdict for staff;
 * - `off`: the gateway is never asked.
 * Definitive answers are cached briefly, so the kiosk's pre-check and the check-in ask once.
 * A patient who brings only their CCCD (Decree 75/2023: the chip CCCD stands in for the BHYT card,
 * and the personal identification number is the social-insurance code) is looked up by that
 * number in place of the card's; an eligible answer gives the visit the card it found, anything
 * else leaves a fee-paying ticket (the patient claimed no card, so nothing is refused).
 */
import { createHash } from 'node:crypto';
import { err, maskId, ok, type CheckInRequest, type Identity, type InsuranceCheck, type Result } from '@kiosk/protocol';
import type { CheckInScreening } from '../services/checkin.service';
import type { BhytCheck } from './bhyt.types';
import { NO_CARD } from './bhyt-result-codes';
import type { BhytGatewayAdapter } from './bhyt-gateway.adapter';

export interface ScreeningOptions {
  mode: 'required' | 'advisory';
  cacheSeconds: number;
  now?: () => number;
  /** Every answer (metrics); `alert-admin` answers also go to the error log. */
  onResult?(check: BhytCheck): void;
}

const MAX_CACHED = 5_000;
const CACHEABLE = new Set(['eligible', 'counter', 'fee-paying-or-counter']);

export class InsuranceScreening {
  private readonly cache = new Map<string, { check: BhytCheck; untilMs: number }>();

  constructor(
    private readonly gateway: BhytGatewayAdapter,
    private readonly o: ScreeningOptions,
  ) {}

  private now(): number {
    return this.o.now ? this.o.now() : Date.now();
  }

  /** The gateway's answer for this person's card (or the no-card answer). */
  async check(identity: Identity): Promise<BhytCheck> {
    const card = identity.insuranceNumber ?? identity.idNumber;
    if (!card) return { ...NO_CARD, durationMs: 0 };
    const key = createHash('sha256')
      .update(`${card}|${identity.fullName.normalize('NFC')}|${identity.dateOfBirth}`)
      .digest('hex');
    const hit = this.cache.get(key);
    if (hit && hit.untilMs > this.now()) return hit.check;
    const check = await this.gateway.check(identity, card);
    this.o.onResult?.(check);
    if (this.o.cacheSeconds > 0 && CACHEABLE.has(check.routing)) {
      if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value ?? '');
      this.cache.set(key, { check, untilMs: this.now() + this.o.cacheSeconds * 1000 });
    }
    return check;
  }

  /** What the kiosk may see: the verdict and message, masked card number, validity; never the staff note. */
  static forKiosk(check: BhytCheck): InsuranceCheck {
    const card = check.card;
    const shown = check.resultCode === '003' && card?.newCardNumber ? card.newCardNumber : card?.cardNumber;
    return {
      verdict: check.verdict,
      messageKey: check.messageKey,
      ...(check.resultCode ? { resultCode: check.resultCode } : {}),
      ...(shown ? { maskedCardNumber: maskId(shown) } : {}),
      ...(card?.validTo ? { validTo: card.validTo } : {}),
      ...(card?.newValidTo ? { newCardValidTo: card.newValidTo } : {}),
    };
  }

  /** The check-in hook: decides the ticket's insurance status, or refuses. */
  async screen(request: CheckInRequest): Promise<Result<CheckInScreening>> {
    const { identity } = request;
    if (!identity.insuranceNumber && !identity.idNumber) return ok({});
    const check = await this.check(identity);
    const insurance = InsuranceScreening.forKiosk(check);
    const insuranceCard = confirmedCard(check);
    const confirmed = insuranceCard ? { insuranceCard } : {};
    if (!identity.insuranceNumber) {
      // By CCCD number: the insurance ticket only on an eligible answer naming a card.
      return ok(
        check.routing === 'eligible' && insuranceCard
          ? { serviceType: 'insurance', insurance, context: check, insuranceCard }
          : { serviceType: 'fee-paying', insurance, context: check },
      );
    }
    if (this.o.mode === 'advisory') return ok({ insurance, context: check, ...confirmed });
    switch (check.routing) {
      case 'eligible':
        return ok({ serviceType: 'insurance', insurance, context: check, ...confirmed });
      case 'fee-paying-or-counter':
        return ok({ serviceType: 'fee-paying', insurance, context: check });
      case 'retry-later':
        return err(
          'insurance-unavailable',
          'the BHYT gateway did not answer; the counter can check the card',
          'go-to-counter',
        );
      default:
        return err(
          'insurance-not-eligible',
          `the BHYT card cannot be used at the kiosk (maKetQua ${check.resultCode ?? 'none'})`,
          'go-to-counter',
        );
    }
  }

  close(): void {
    this.gateway.close();
  }
}

/** The card an eligible answer vouches for (the new one after a renewal): a BHYT card number, never a CCCD number. */
function confirmedCard(check: BhytCheck): string | undefined {
  if (check.routing !== 'eligible' || !check.card) return undefined;
  const number =
    check.resultCode === '003' && check.card.newCardNumber ? check.card.newCardNumber : check.card.cardNumber;
  return /^[A-Z0-9]{10}$|^[A-Z]{2}\d{13}$/u.test(number) && !/^\d{12}$/u.test(number) ? number : undefined;
}
