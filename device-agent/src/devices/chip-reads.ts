/**
 * Provenance of the identities the agent relays. The kiosk page is a browser page: whatever it
 * sends may have been typed, replayed or forged, so it can claim at most a QR or a manual identity.
 * A chip identity is one this agent read itself: kept here by readId for the current kiosk session
 * only (wiped with it), updated by the read's passive authentication, and dropped when the chip
 * turned out not authentic or cloned. A check-in that names a read (or claims `source: 'chip'`)
 * gets the agent's own copy of the identity — the page may add only the insurance card fields a
 * BHYT QR gave it — and the provenance the server records; a chip claim that no read backs is
 * downgraded to 'manual'. In memory only; nothing here is logged.
 */
import {
  err,
  ok,
  type CardAuthenticity,
  type Identity,
  type IdentityProvenance,
  type PassiveAuthOutcome,
  type Result,
} from '@kiosk/protocol';
import type { CardEvent } from './card-reader.device';

interface ChipRead {
  identity: Identity;
  authenticity: CardAuthenticity;
  /** The read ended as not authentic or cloned: its identity is refused, not downgraded. */
  refused: boolean;
}

export interface AttestedIdentity {
  identity: Identity;
  provenance: IdentityProvenance;
}

/** Reads kept per session: a patient who places their card again, or a second card, is enough. */
const MAX_READS = 4;

/** Fields a BHYT QR may add to a chip identity (the chip does not carry the insurance card). */
const INSURANCE_FIELDS = ['insuranceNumber', 'primaryCareFacility', 'insuranceValidFrom', 'insuranceValidTo'] as const;

export function passiveAuthOf(a: CardAuthenticity): PassiveAuthOutcome {
  if (a.pa) return a.pa;
  if (a.passive === 'invalid') return 'failed';
  if (a.passive === 'not-checked') return 'not-checked';
  return a.signer === 'trusted' ? 'verified' : 'no-trust-anchor';
}

export class ChipReads {
  private readonly reads = new Map<string, ChipRead>();
  private latest: string | undefined;
  private timer: NodeJS.Timeout | undefined;

  /** `idleMs`: reads are forgotten that long after the last one, whether or not the page resets. */
  constructor(private readonly idleMs = 120_000) {}

  /** Follows the card events of every reader of this agent. */
  observe(e: CardEvent): void {
    switch (e.type) {
      case 'card:identity': {
        this.reads.delete(e.payload.readId);
        this.reads.set(e.payload.readId, {
          identity: { ...e.payload.identity, source: 'chip' },
          authenticity: e.payload.authenticity,
          refused: false,
        });
        this.latest = e.payload.readId;
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.clear(), this.idleMs);
        this.timer.unref();
        while (this.reads.size > MAX_READS) {
          const oldest = this.reads.keys().next().value;
          if (oldest === undefined) break;
          this.reads.delete(oldest);
        }
        return;
      }
      case 'card:authenticity': {
        const read = this.reads.get(e.payload.readId);
        if (read) read.authenticity = e.payload.authenticity;
        return;
      }
      case 'card:failed': {
        const read = this.reads.get(e.payload.readId);
        if (read && (e.payload.code === 'not-authentic' || e.payload.code === 'cloned-chip')) read.refused = true;
        return;
      }
      default:
        return;
    }
  }

  /** The session ended (reset, idle wipe): no read of it can be used any more. */
  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.reads.clear();
    this.latest = undefined;
  }

  get size(): number {
    return this.reads.size;
  }

  /**
   * The identity to relay for what the page sent. A named read (or, for a bare chip claim, the
   * session's latest read) replaces the page's identity; its ID number must agree with the page's
   * when the page gave one. Refused: a read whose chip failed authentication, a page identity that
   * is not the chip's.
   */
  attest(claimed: Identity, chipReadId?: string): Result<AttestedIdentity> {
    const claimsChip = claimed.source === 'chip';
    const readId = chipReadId ?? (claimsChip ? this.latest : undefined);
    const read = readId === undefined ? undefined : this.reads.get(readId);
    if (!read || readId === undefined) {
      if (!claimsChip) return ok({ identity: claimed, provenance: { source: claimed.source } });
      return ok({
        identity: { ...claimed, source: 'manual' },
        provenance: { source: 'manual', downgradedFrom: 'chip' },
      });
    }
    if (read.refused) return err('not-authentic', 'the chip of this read failed authentication', 'go-to-counter');
    if (claimed.idNumber !== undefined && claimed.idNumber !== read.identity.idNumber)
      return err('identity-mismatch', 'the identity sent is not the one read from the chip', 'go-to-counter');
    const extras: Partial<Identity> = {};
    for (const f of INSURANCE_FIELDS) if (claimed[f] !== undefined) extras[f] = claimed[f];
    const a = read.authenticity;
    return ok({
      identity: { ...extras, ...read.identity, source: 'chip' },
      provenance: {
        source: 'chip',
        readId,
        passiveAuth: passiveAuthOf(a),
        ...(a.ca !== undefined && { chipAuth: a.ca }),
        ...(a.aa !== undefined && { activeAuth: a.aa }),
      },
    });
  }
}
